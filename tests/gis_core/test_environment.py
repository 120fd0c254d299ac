"""The environment around the code: migrations from zero, production settings, bootstrap, system checks.

These run manage.py and scripts/bootstrap.sh in subprocesses against throwaway databases created
on the project-local cluster (or the server behind DATABASE_URL), dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
BOOTSTRAP = ROOT / "scripts" / "bootstrap.sh"
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(48),  # 64 characters
    "ALLOWED_HOSTS": "territorio.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://territorio.example.org",
}

pytestmark = pytest.mark.slow


def server_params(dbname: str = "postgres") -> dict:
    db = settings.DATABASES["default"]
    return {
        "dbname": dbname,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
    }


def clean_env(**overrides: str) -> dict[str, str]:
    """The environment of a fresh shell: none of the test run's own database settings leak in."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "DATABASE_URL",
            "LOCAL_PG_DB",
            "TEST_DATABASE_NAME",
            "BATCH_STATEMENT_TIMEOUT_MS",
            "TERRITORIO_BATCH_PROCESS",
        )
    }
    env.update(overrides)
    return env


def run(args: list[str], env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return run([sys.executable, "manage.py", *args], clean_env(**env))


@pytest.fixture
def empty_database() -> Iterator[str]:
    """A brand-new database on the same server, without PostGIS; dropped after the test."""
    name = f"h2_throwaway_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(**server_params(), autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.skip(f"cannot reach the PostgreSQL server: {exc}")
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield name
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def local_database_url(name: str) -> str:
    """A DATABASE_URL for `name` on the tests' server (a unix socket directory is %-encoded)."""
    params = server_params(name)
    host = quote(params["host"] or "localhost", safe="")
    auth = quote(params["user"] or "postgres", safe="")
    if params["password"]:
        auth += ":" + quote(params["password"], safe="")
    return f"postgres://{auth}@{host}:{params['port'] or 5432}/{name}"


def has_postgis(name: str) -> bool:
    with psycopg.connect(**server_params(name)) as conn:
        return conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone() is not None


def db_env(name: str) -> dict[str, str]:
    """Point a subprocess at database `name` on the server the tests use."""
    if os.environ.get("DATABASE_URL"):
        return {"DATABASE_URL": local_database_url(name)}
    return {"LOCAL_PG_DB": name}


# --- migrations --------------------------------------------------------------------------------


def enable_postgis(name: str) -> None:
    with psycopg.connect(**server_params(name), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")


def test_migrations_apply_from_zero_on_a_fresh_postgis_database_and_match_the_models(empty_database):
    enable_postgis(empty_database)  # what scripts/bootstrap.sh db (or any PostGIS provider) does
    migrated = manage("migrate", "--noinput", **db_env(empty_database))
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    pending = manage("makemigrations", "--check", "--dry-run", **db_env(empty_database))
    assert pending.returncode == 0, f"models changed without a migration:\n{pending.stdout}"
    assert "No changes detected" in pending.stdout
    unapplied = manage("migrate", "--check", **db_env(empty_database))
    assert unapplied.returncode == 0, unapplied.stdout


def test_migrate_on_a_database_without_postgis_stops_before_creating_anything(empty_database):
    # gis_core.E001 runs before migrate: no half-built schema on a server without PostGIS.
    result = manage("migrate", "--noinput", **db_env(empty_database))
    assert result.returncode != 0
    assert "(gis_core.E001) The PostGIS extension is not installed in the database." in result.stderr
    with psycopg.connect(**server_params(empty_database)) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
    assert tables == (0,)


# --- settings ------------------------------------------------------------------------------------


def test_the_deploy_checks_are_clean_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_with_the_development_secret_key():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set to a random string of 50+ characters when DEBUG=0" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": "short-and-guessable"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("DEBUG", "maybe", "DEBUG must be a boolean (1/0, true/false), got 'maybe'"),
        ("LOCAL_PG_PORT", "54x3", "LOCAL_PG_PORT must be an integer, got '54x3'"),
        ("LOCAL_PG_PORT", "80", "LOCAL_PG_PORT must be between 1024 and 65535, got 80"),
        ("DB_STATEMENT_TIMEOUT_MS", "-1", "DB_STATEMENT_TIMEOUT_MS must be between 0 and 3600000, got -1"),
        ("CACHE_TIMEOUT", "1 day", "CACHE_TIMEOUT must be an integer, got '1 day'"),
        ("BATCH_STATEMENT_TIMEOUT_MS", "soon", "BATCH_STATEMENT_TIMEOUT_MS must be an integer, got 'soon'"),
    ],
)
def test_a_malformed_variable_stops_start_up_with_a_message_naming_it(name, value, message):
    result = manage("check", **{name: value})
    assert result.returncode != 0
    assert message in result.stderr


SHOW_TIMEOUT = (
    "from django.db import connection\n"
    "with connection.cursor() as cursor:\n"
    "    cursor.execute('SHOW statement_timeout')\n"
    "    print('timeout=' + cursor.fetchone()[0])"
)


@pytest.mark.parametrize(
    "batch_limit, shown",
    [(None, "0"), ("120000", "2min")],
)
def test_commands_run_under_the_batch_statement_timeout_not_the_web_one(db, batch_limit, shown):
    # The import worker and the loaders are manage.py commands: a register's totals may run longer
    # than DB_STATEMENT_TIMEOUT_MS, which guards web workers (the test run's own connection has it).
    extra = {"BATCH_STATEMENT_TIMEOUT_MS": batch_limit} if batch_limit else {}
    name = settings.DATABASES["default"]["NAME"]
    result = manage("shell", "-c", SHOW_TIMEOUT, DB_STATEMENT_TIMEOUT_MS="30000", **extra, **db_env(name))
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"timeout={shown}" in result.stdout
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"


# --- system checks -------------------------------------------------------------------------------


def test_a_database_without_postgis_fails_the_gis_core_E001_check(empty_database):
    result = manage("check", "--database", "default", **db_env(empty_database))
    assert result.returncode != 0
    assert "gis_core.E001" in result.stderr
    assert "The PostGIS extension is not installed in the database." in result.stderr


def test_the_database_checks_pass_on_a_migrated_database():
    name = settings.DATABASES["default"]["NAME"]  # the test database, migrated by pytest-django
    result = manage("check", "--database", "default", **db_env(name))
    assert result.returncode == 0, result.stderr


# --- scripts/bootstrap.sh --------------------------------------------------------------------------


def bootstrap(*args: str, **env: str) -> subprocess.CompletedProcess:
    return run(["bash", str(BOOTSTRAP), *args], clean_env(**env), timeout=120)


def test_the_bootstrap_script_parses():
    assert run(["bash", "-n", str(BOOTSTRAP)], clean_env()).returncode == 0


def test_an_unknown_bootstrap_step_prints_the_steps_and_fails():
    result = bootstrap("bogus")
    assert result.returncode != 0
    assert "unknown step 'bogus'" in result.stderr
    for step in ("system", "python", "node", "db", "migrate", "demo", "all", "stop"):
        assert step in result.stderr


def test_bootstrap_uses_a_reachable_database_url_and_starts_no_local_cluster(empty_database, tmp_path):
    local = tmp_path / "local"
    result = bootstrap("db", DATABASE_URL=local_database_url(empty_database), LOCAL_DIR=str(local))
    assert result.returncode == 0, result.stderr
    assert "Using DATABASE_URL (no local cluster started)" in result.stdout
    assert "DATABASE_URL reachable, PostGIS" in result.stdout
    assert not (local / "pgdata").exists()
    assert not local.exists()


def test_bootstrap_enables_postgis_in_a_database_url_that_lacks_it(empty_database, tmp_path):
    assert not has_postgis(empty_database)
    result = bootstrap("db", DATABASE_URL=local_database_url(empty_database), LOCAL_DIR=str(tmp_path / "l"))
    assert result.returncode == 0, result.stderr
    assert has_postgis(empty_database)


def test_bootstrap_stops_with_a_clear_message_when_database_url_is_unreachable(tmp_path):
    nowhere = quote(str(tmp_path / "no-server-here"), safe="")
    result = bootstrap(
        "db", DATABASE_URL=f"postgres://postgres@{nowhere}:5999/territorio", LOCAL_DIR=str(tmp_path)
    )
    assert result.returncode != 0
    assert "cannot connect to DATABASE_URL" in result.stderr
    assert "cannot use DATABASE_URL" in result.stderr
    assert not (tmp_path / "pgdata").exists()
