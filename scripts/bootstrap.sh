#!/usr/bin/env bash
# Territorio Abierto bootstrap: installs what is missing and prepares a database.
#
#   scripts/bootstrap.sh system   system packages (PostgreSQL+PostGIS, GDAL/GEOS/PROJ, Node, Chromium)
#   scripts/bootstrap.sh python   .venv with the pinned Python dependencies (requirements.lock)
#   scripts/bootstrap.sh node     node_modules from package.json + package-lock.json
#   scripts/bootstrap.sh db       DATABASE_URL if set, else a project-local PostGIS under .local/
#   scripts/bootstrap.sh migrate  apply migrations
#   scripts/bootstrap.sh demo     load the demo data (idempotent)
#   scripts/bootstrap.sh all      everything above, in that order
#   scripts/bootstrap.sh stop     stop the project-local PostGIS
#
# Every step is idempotent and skips work already done, so a second run takes seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
LOCAL_DIR="${LOCAL_DIR:-$ROOT/.local}"
LOCAL_PG_PORT="${LOCAL_PG_PORT:-5433}"
LOCAL_PG_DB="${LOCAL_PG_DB:-territorio}"
VENV="${VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
export LOCAL_DIR LOCAL_PG_PORT LOCAL_PG_DB

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31mError:\033[0m %s\n' "$*" >&2; exit 1; }

# --- system packages ---------------------------------------------------------------------------
pg_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)" && return 0
  return 1
}

missing_packages() {
  local pkgs=()
  if [ -z "${DATABASE_URL:-}" ]; then
    local bindir ver
    if bindir="$(pg_bindir)"; then
      ver="$("$bindir/pg_config" --version 2>/dev/null | sed -E 's/[^0-9]*([0-9]+).*/\1/')" || ver=""
      [ -z "$ver" ] && ver="$(basename "$(dirname "$bindir")")"
      ls /usr/share/postgresql/"$ver"/extension/postgis.control >/dev/null 2>&1 \
        || pkgs+=("postgresql-$ver-postgis-3")
    else
      pkgs+=(postgresql postgis)
    fi
  fi
  command -v psql >/dev/null 2>&1 || pkgs+=(postgresql-client)
  command -v ogrinfo >/dev/null 2>&1 || pkgs+=(gdal-bin)
  ldconfig -p 2>/dev/null | grep -q 'libgeos_c\.so' || pkgs+=(libgeos-c1v5)
  ldconfig -p 2>/dev/null | grep -q 'libproj\.so' || pkgs+=(proj-bin)
  command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
  command -v npm >/dev/null 2>&1 || pkgs+=(npm)
  python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || pkgs+=(python3-venv)
  [ -x /usr/bin/chromium ] || pkgs+=(chromium)
  command -v msgfmt >/dev/null 2>&1 || pkgs+=(gettext)
  # nginx: the production edge cache in front of Granian, driven by tests/scale (scripts/serve.sh).
  [ -x /usr/sbin/nginx ] || pkgs+=(nginx)
  # wrk: the load client for nginx's cached tiles in make bench-tiles (Python's client caps first).
  command -v wrk >/dev/null 2>&1 || pkgs+=(wrk)
  fc-list 2>/dev/null | grep -qi dejavu || pkgs+=(fonts-dejavu-core)
  echo "${pkgs[@]:-}"
}

step_system() {
  local pkgs
  pkgs="$(missing_packages)"
  if [ -z "$pkgs" ]; then
    say "System packages: all present"
    return 0
  fi
  local cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $pkgs"
  if [ "$(id -u)" -eq 0 ]; then
    say "Installing system packages: $pkgs"
    bash -c "$cmd"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    say "Installing system packages with sudo: $pkgs"
    sudo bash -c "$cmd"
  else
    die "missing system packages: $pkgs
Run this once as an administrator, then run the command again:

    sudo bash -c '$cmd'
"
  fi
  # PostgreSQL's Debian package starts a cluster on 5432; we do not need it but leave it alone.
}

# --- Python ----------------------------------------------------------------------------------------
step_python() {
  python3 - <<'EOF' || die "Python >= 3.11 is required (found $(python3 --version 2>&1))"
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
EOF
  if [ ! -x "$PY" ]; then
    say "Creating $VENV"
    python3 -m venv "$VENV"
  fi
  local want have
  want="$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)"
  have="$(cat "$VENV/.lock-sha" 2>/dev/null || true)"
  if [ "$want" != "$have" ]; then
    say "Installing Python dependencies (requirements.lock)"
    "$PY" -m pip install --quiet --disable-pip-version-check --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
    "$PY" -m pip install --quiet --disable-pip-version-check -r requirements.lock 2>&1 \
      | grep -v '^WARNING: Location' || true
    "$PY" -c 'import django, rest_framework_gis, psycopg, geopandas' \
      || die "Python dependencies failed to install (see pip output above)"
    echo "$want" > "$VENV/.lock-sha"
  else
    say "Python dependencies: up to date"
  fi
}

# --- Node ------------------------------------------------------------------------------------------
step_node() {
  local want have
  want="$(cat package.json package-lock.json | sha256sum | cut -c1-16)"
  have="$(cat node_modules/.lock-sha 2>/dev/null || true)"
  if [ "$want" != "$have" ] || [ ! -d node_modules ]; then
    say "Installing npm packages (package-lock.json)"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > node_modules/.lock-sha
  else
    say "npm packages: up to date"
  fi
}

# --- Database --------------------------------------------------------------------------------------
as_pg_owner() {
  # initdb and pg_ctl refuse to run as root: run them as the postgres system user then.
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Where the cluster lives. Normally under $LOCAL_DIR (pgdata, run for the unix socket, log). When
# bootstrap runs as root and the postgres user cannot traverse the checkout's path (a clone in a
# 0700 directory such as /root), initdb would stop at "could not access directory". Then the
# cluster goes to /var/tmp/territorio-<hash of the checkout path>/, owned by postgres, and
# $LOCAL_DIR/pgdata, run and log become symlinks to it: the settings still find the socket in
# $LOCAL_DIR/run, and no permission of the user's own directories is changed.
PG_DATA="$LOCAL_DIR/pgdata"
PG_RUN="$LOCAL_DIR/run"
PG_LOG="$LOCAL_DIR/log"
cluster_paths() {
  mkdir -p "$LOCAL_DIR"
  local outside
  outside="/var/tmp/territorio-$(realpath "$LOCAL_DIR" | sha256sum | cut -c1-16)"
  if [ -d "$outside" ] || { [ "$(id -u)" -eq 0 ] && [ ! -f "$LOCAL_DIR/pgdata/PG_VERSION" ] \
      && ! runuser -u postgres -- test -x "$LOCAL_DIR" 2>/dev/null; }; then
    if [ ! -d "$outside" ]; then
      say "postgres cannot reach $LOCAL_DIR (a private directory): the cluster goes to $outside"
      mkdir -p "$outside"
      chown postgres:postgres "$outside"
      chmod 700 "$outside"
    fi
    local name
    for name in pgdata run log; do
      runuser -u postgres -- mkdir -p "$outside/$name"
      [ -L "$LOCAL_DIR/$name" ] || [ ! -e "$LOCAL_DIR/$name" ] || rmdir "$LOCAL_DIR/$name" \
        || die "$LOCAL_DIR/$name is in the way of the link to $outside/$name: move it away"
      ln -sfn "$outside/$name" "$LOCAL_DIR/$name"
    done
    PG_DATA="$outside/pgdata" PG_RUN="$outside/run" PG_LOG="$outside/log"
  fi
}

local_pg_running() {
  local bindir
  bindir="$(pg_bindir)" || return 1
  [ -f "$PG_DATA/postmaster.pid" ] && as_pg_owner "$bindir/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

step_db() {
  if [ -n "${DATABASE_URL:-}" ]; then
    say "Using DATABASE_URL (no local cluster started)"
    "$PY" - <<'EOF' || die "cannot use DATABASE_URL: see the message above"
import os, sys
import dj_database_url, psycopg
cfg = dj_database_url.parse(os.environ["DATABASE_URL"])
try:
    conn = psycopg.connect(dbname=cfg["NAME"], user=cfg.get("USER") or None, password=cfg.get("PASSWORD") or None,
                           host=cfg.get("HOST") or None, port=cfg.get("PORT") or None, connect_timeout=10,
                           autocommit=True)
except psycopg.OperationalError as exc:
    sys.exit(f"cannot connect to DATABASE_URL: {str(exc).strip()}")
row = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'").fetchone()
if row is None:
    sys.exit("the server behind DATABASE_URL has no PostGIS available (install postgis on it)")
try:
    conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
except psycopg.Error as exc:
    sys.exit(f"PostGIS is not enabled and cannot be enabled by this user: {str(exc).strip()}")
print("DATABASE_URL reachable, PostGIS", conn.execute("SELECT postgis_lib_version()").fetchone()[0])
EOF
    return 0
  fi
  local bindir
  bindir="$(pg_bindir)" || die "PostgreSQL server binaries not found; run: scripts/bootstrap.sh system"
  cluster_paths
  mkdir -p "$PG_RUN" "$PG_LOG"
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    say "Creating a project-local PostgreSQL cluster in $PG_DATA (port $LOCAL_PG_PORT)"
    mkdir -p "$PG_DATA"
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$PG_DATA" "$PG_RUN"; fi
    chmod 700 "$PG_DATA"
    as_pg_owner "$bindir/initdb" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >"$LOCAL_DIR/initdb.log" 2>&1 || { cat "$LOCAL_DIR/initdb.log"; die "initdb failed"; }
    cat >>"$PG_DATA/postgresql.conf" <<EOF
# Territorio Abierto local cluster: unix socket under .local/run only (no TCP unless LOCAL_PG_LISTEN
# is set, e.g. to 127.0.0.1), so several checkouts never fight over a port.
listen_addresses = '${LOCAL_PG_LISTEN:-}'
port = $LOCAL_PG_PORT
unix_socket_directories = '$PG_RUN'
shared_buffers = 256MB
work_mem = 32MB
maintenance_work_mem = 256MB
max_wal_size = 2GB
fsync = ${LOCAL_PG_FSYNC:-on}
EOF
  fi
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$PG_RUN" "$PG_LOG"; fi
  if ! local_pg_running; then
    say "Starting local PostGIS on port $LOCAL_PG_PORT"
    as_pg_owner "$bindir/pg_ctl" -D "$PG_DATA" -l "$PG_LOG/postgres.log" -w -t 60 start >/dev/null \
      || { tail -20 "$PG_LOG/postgres.log"; die "the local PostgreSQL did not start"; }
  else
    say "Local PostGIS already running on port $LOCAL_PG_PORT"
  fi
  local psql=("$bindir/psql" -h "$LOCAL_DIR/run" -p "$LOCAL_PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA)
  if [ -z "$("${psql[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$LOCAL_PG_DB'")" ]; then
    "${psql[@]}" -d postgres -c "CREATE DATABASE $LOCAL_PG_DB"
  fi
  "${psql[@]}" -d "$LOCAL_PG_DB" -c "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null
}

step_stop() {
  if [ -n "${DATABASE_URL:-}" ]; then say "DATABASE_URL is set: nothing local to stop"; return 0; fi
  local bindir
  bindir="$(pg_bindir)" || { say "No PostgreSQL installed"; return 0; }
  cluster_paths
  if local_pg_running; then
    as_pg_owner "$bindir/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
    say "Local PostGIS stopped"
  else
    say "Local PostGIS was not running"
  fi
}

step_migrate() {
  say "Applying migrations"
  "$PY" manage.py migrate --noinput -v 0
}

step_demo() {
  say "Loading demo data (skipped when already loaded)"
  "$PY" manage.py load_demo
  "$PY" manage.py load_demo_budget
  "$PY" manage.py growth_demo
}

case "${1:-all}" in
  system) step_system ;;
  python) step_python ;;
  node) step_node ;;
  db) step_db ;;
  migrate) step_migrate ;;
  demo) step_demo ;;
  stop) step_stop ;;
  all) step_system; step_python; step_node; step_db; step_migrate; step_demo ;;
  test-setup) step_system; step_python; step_node; step_db ;;
  *) die "unknown step '$1' (system, python, node, db, migrate, demo, all, test-setup, stop)" ;;
esac
