#!/bin/sh
# The production web server: Django (config.wsgi) under Granian's WSGI interface.
#
# One Python thread per worker process, as Django's database connections are per thread. Granian
# keeps HTTP/1.1 connections alive and speaks HTTP/2, so the dozens of tile requests a map makes
# reuse a few connections, and a slow client ties up no Python worker.
#
# Defaults below; any GRANIAN_* variable in the environment overrides them (GRANIAN_WORKERS,
# GRANIAN_PORT, GRANIAN_LOG_ACCESS_ENABLED, ...: `granian --help` names them). Dockerfile, docker-compose.yml and
# the benchmarks all start the server through this script.
set -eu
cd "$(dirname "$0")/.."
export GRANIAN_INTERFACE="${GRANIAN_INTERFACE:-wsgi}"
export GRANIAN_HOST="${GRANIAN_HOST:-0.0.0.0}"
export GRANIAN_PORT="${GRANIAN_PORT:-8000}"
export GRANIAN_WORKERS="${GRANIAN_WORKERS:-4}"
export GRANIAN_BLOCKING_THREADS="${GRANIAN_BLOCKING_THREADS:-1}"
export GRANIAN_RESPAWN_FAILED_WORKERS="${GRANIAN_RESPAWN_FAILED_WORKERS:-true}"
export GRANIAN_WEBSOCKETS="${GRANIAN_WEBSOCKETS:-false}"
export GRANIAN_LOG_ACCESS_ENABLED="${GRANIAN_LOG_ACCESS_ENABLED:-true}"
# The project's virtualenv when there is one (a checkout); the image installs on the PATH.
if [ -x .venv/bin/granian ]; then
  exec .venv/bin/granian config.wsgi:application
fi
exec granian config.wsgi:application
