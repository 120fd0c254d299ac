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
#
# `scripts/serve.sh --edge` (make serve-prod) starts the documented production pair: nginx as the
# edge cache on EDGE_HOST:EDGE_PORT (deploy/nginx/territorio.conf.template, run as this user with
# its own prefix directory EDGE_PREFIX) and Granian behind it on 127.0.0.1:GRANIAN_PORT. Stopping
# the script (SIGTERM, Ctrl+C) stops both.
set -eu
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
export GRANIAN_INTERFACE="${GRANIAN_INTERFACE:-wsgi}"
export GRANIAN_HOST="${GRANIAN_HOST:-0.0.0.0}"
export GRANIAN_PORT="${GRANIAN_PORT:-8000}"
export GRANIAN_WORKERS="${GRANIAN_WORKERS:-4}"
export GRANIAN_BLOCKING_THREADS="${GRANIAN_BLOCKING_THREADS:-1}"
export GRANIAN_RESPAWN_FAILED_WORKERS="${GRANIAN_RESPAWN_FAILED_WORKERS:-true}"
export GRANIAN_WEBSOCKETS="${GRANIAN_WEBSOCKETS:-false}"
export GRANIAN_LOG_ACCESS_ENABLED="${GRANIAN_LOG_ACCESS_ENABLED:-true}"
GRANIAN=granian
# The project's virtualenv when there is one (a checkout); the image installs on the PATH.
if [ -x .venv/bin/granian ]; then
  GRANIAN=.venv/bin/granian
fi
if [ "${1:-}" != "--edge" ]; then
  exec "$GRANIAN" config.wsgi:application
fi

# --- the pair: nginx in front, Granian behind -------------------------------------------------------
NGINX="${NGINX:-/usr/sbin/nginx}"
[ -x "$NGINX" ] || { echo "serve.sh --edge: nginx not found at $NGINX (scripts/bootstrap.sh system installs it)" >&2; exit 1; }
EDGE_HOST="${EDGE_HOST:-0.0.0.0}"
EDGE_PORT="${EDGE_PORT:-8080}"
EDGE_PREFIX="${EDGE_PREFIX:-$ROOT/.local/nginx}"
EDGE_WORKERS="${EDGE_WORKERS:-auto}"
EDGE_CACHE_SIZE="${EDGE_CACHE_SIZE:-2g}"
EDGE_CACHE_KEYS="${EDGE_CACHE_KEYS:-64m}"
# The cache's bodies live in memory unless EDGE_CACHE_DIR names a directory: a fresh directory on
# the tmpfs /dev/shm, removed when the pair stops (a memory cache, as Varnish's default). Each miss
# writes its body there before the client has the last byte: on this project's ext4 virtual disk
# that write cost 1-3 ms per tile against 0.1-0.2 ms on tmpfs (make bench-tiles, 7 December), more
# than most tiles' SQL. nginx's max_size (EDGE_CACHE_SIZE) bounds the memory it takes. A directory
# given in EDGE_CACHE_DIR (a tmpfs mount, a local NVMe disk) is kept across restarts.
# A /dev/shm smaller than the cache (a container's is 64 MB unless given shm_size) would fill up and
# stop nginx storing anything: then the cache goes to EDGE_PREFIX/cache on disk, with a warning.
size_kb() {
  case "$1" in
    *[gG]) echo $(( ${1%[gG]} * 1048576 )) ;;
    *[mM]) echo $(( ${1%[mM]} * 1024 )) ;;
    *[kK]) echo "${1%[kK]}" ;;
    *) echo $(( $1 / 1024 )) ;;
  esac
}
CACHE_OWNED=""
if [ -z "${EDGE_CACHE_DIR:-}" ]; then
  shm_free_kb="$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')"
  if [ -d /dev/shm ] && [ -w /dev/shm ] && [ "${shm_free_kb:-0}" -ge "$(size_kb "$EDGE_CACHE_SIZE")" ]; then
    EDGE_CACHE_DIR="$(mktemp -d /dev/shm/territorio-edge.XXXXXX)"
    CACHE_OWNED=1
  else
    EDGE_CACHE_DIR="$EDGE_PREFIX/cache"
    echo "serve.sh: /dev/shm cannot hold EDGE_CACHE_SIZE=$EDGE_CACHE_SIZE (${shm_free_kb:-0} kB free):" \
      "nginx's cache goes to $EDGE_CACHE_DIR on disk, where each miss costs a file write" \
      "(set EDGE_CACHE_DIR to a tmpfs mount of that size)" >&2
  fi
fi
cleanup_cache() {
  if [ -n "$CACHE_OWNED" ]; then rm -rf "$EDGE_CACHE_DIR"; fi
}
trap cleanup_cache EXIT
EDGE_ACCESS_LOG="${EDGE_ACCESS_LOG:-$EDGE_PREFIX/access.log}"
MEDIA_DIR="${MEDIA_ROOT:-$ROOT/media}"
case "$MEDIA_DIR" in /*) ;; *) MEDIA_DIR="$ROOT/$MEDIA_DIR" ;; esac
# Granian listens on the loopback only: nginx is the front.
export GRANIAN_HOST=127.0.0.1
mkdir -p "$EDGE_PREFIX/tmp" "$EDGE_CACHE_DIR"
chmod 755 "$EDGE_CACHE_DIR"  # nginx's workers (this user, see USER_LINE) write there
# The edge says which client it served; the proxy's own log is enough.
export GRANIAN_LOG_ACCESS_ENABLED="${GRANIAN_LOG_ACCESS_ENABLED_BEHIND_EDGE:-false}"
# Run as root, nginx would hand its workers to "nobody", who may not write the cache: keep this user.
USER_LINE=""
if [ "$(id -u)" -eq 0 ]; then USER_LINE="user $(id -un) $(id -gn);"; fi
sed -e "s|@PREFIX@|$EDGE_PREFIX|g" \
    -e "s|@USER_LINE@|$USER_LINE|g" \
    -e "s|@WORKERS@|$EDGE_WORKERS|g" \
    -e "s|@MIME_TYPES@|${EDGE_MIME_TYPES:-/etc/nginx/mime.types}|g" \
    -e "s|@ACCESS_LOG@|$EDGE_ACCESS_LOG|g" \
    -e "s|@CACHE_SIZE@|$EDGE_CACHE_SIZE|g" \
    -e "s|@CACHE_KEYS@|$EDGE_CACHE_KEYS|g" \
    -e "s|@CACHE_DIR@|$EDGE_CACHE_DIR|g" \
    -e "s|@UPSTREAM@|127.0.0.1:$GRANIAN_PORT|g" \
    -e "s|@SESSION_COOKIE@|sessionid|g" \
    -e "s|@LISTEN@|$EDGE_HOST:$EDGE_PORT|g" \
    -e "s|@MAX_BODY@|${EDGE_MAX_BODY:-100m}|g" \
    -e "s|@MEDIA_ROOT@|$MEDIA_DIR|g" \
    deploy/nginx/territorio.conf.template > "$EDGE_PREFIX/nginx.conf"
"$NGINX" -p "$EDGE_PREFIX" -c "$EDGE_PREFIX/nginx.conf" -t -q -e "$EDGE_PREFIX/error.log"

# A process is alive while it exists and is not a zombie (a dead child not yet waited for).
alive() {
  state="$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null || true)"
  [ -n "$state" ] && [ "$state" != Z ]
}
start_app() {
  "$GRANIAN" config.wsgi:application &
  app=$!
  echo "$app" > "$EDGE_PREFIX/app.pid"
}
start_app
"$NGINX" -p "$EDGE_PREFIX" -c "$EDGE_PREFIX/nginx.conf" -e "$EDGE_PREFIX/error.log" &
edge=$!
stop() {
  kill -TERM "$edge" "$app" 2>/dev/null || true
  wait "$edge" "$app" 2>/dev/null || true
}
trap 'stop; exit 0' INT TERM
echo "serve.sh: nginx on http://$EDGE_HOST:$EDGE_PORT/ in front of Granian on 127.0.0.1:$GRANIAN_PORT"
# The app ending is not the end: nginx keeps answering from its cache (stale if need be) while the
# app is started again after EDGE_APP_RESTART_SECONDS. nginx ending ends the pair.
while alive "$edge"; do
  if ! alive "$app"; then
    wait "$app" 2>/dev/null || true
    echo "serve.sh: the app exited; restarting it in ${EDGE_APP_RESTART_SECONDS:-1} s" >&2
    sleep "${EDGE_APP_RESTART_SECONDS:-1}"
    start_app
  fi
  sleep 0.5
done
stop
exit 1
