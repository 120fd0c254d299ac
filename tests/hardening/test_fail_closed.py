"""Fail closed, stay up (issue 13): the login throttle holds with the cache down, the import worker
survives its database connection dropping and reports its liveness on /health, an amount too big
for its column is a row refused at check time, DEBUG is off unless asked for."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.test import override_settings
from django.utils import timezone

from planning import imports, jobs, worker
from planning.models import ImportJob, LoginFailure, WorkerHeartbeat
from tests.actors import PASSWORD

ROOT = Path(__file__).resolve().parents[2]

# A cache that cannot be reached, as django-redis behaves with Redis down in production
# (IGNORE_EXCEPTIONS: every get is a miss, every set is dropped).
REDIS_DOWN = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    }
}


# --- the login throttle ----------------------------------------------------------------------


@override_settings(CACHES=REDIS_DOWN)
@pytest.mark.parametrize("url", ["/cuenta/entrar/", "/admin/login/"])
def test_the_login_throttle_holds_with_the_cache_down(client, planner_leon, admin_user, url):
    username = "admin" if url.startswith("/admin") else "planeador_leon"
    statuses = [
        client.post(url, {"username": username, "password": "mala"}).status_code
        for _ in range(settings.LOGIN_FAILURE_LIMIT)
    ]
    assert statuses == [200] * settings.LOGIN_FAILURE_LIMIT
    right = client.post(url, {"username": username, "password": PASSWORD})
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_outside_the_window_do_not_count(client, planner_leon):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/cuenta/entrar/", {"username": "planeador_leon", "password": "mala"})
    LoginFailure.objects.update(
        first_at=timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW + 1)
    )
    response = client.post("/cuenta/entrar/", {"username": "planeador_leon", "password": PASSWORD})
    assert response.status_code == 302


def test_the_failure_counter_stores_no_username_or_address(client, planner_leon):
    client.post("/cuenta/entrar/", {"username": "planeador_leon", "password": "mala"})
    row = LoginFailure.objects.get()
    assert row.failures == 1 and "leon" not in row.key and "127.0.0.1" not in row.key


# --- the import worker -----------------------------------------------------------------------

WORKS_CSV = b"folio,nombre,longitud,latitud,ejercicio\nW-1,Obra de prueba,-101.65,21.15,2026\n"


@pytest.fixture
def queued_job(admin_user, water_category, leon, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORTS_RUN_IMMEDIATELY = False
    upload = SimpleUploadedFile("obras.csv", WORKS_CSV)
    job = jobs.create_job(upload, {"target": "works", "category_code": water_category.code}, admin_user)
    return jobs.enqueue(job)


def _terminate(pid: int) -> None:
    db = settings.DATABASES["default"]
    with psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def _backend_pid() -> int:
    connection.ensure_connection()
    return connection.connection.info.backend_pid


@pytest.fixture
def quick_backoff(monkeypatch):
    monkeypatch.setattr(worker.time, "sleep", lambda seconds: None)


@pytest.mark.django_db(transaction=True)
def test_the_worker_keeps_serving_through_a_database_outage(queued_job, monkeypatch, quick_backoff):
    real_claim, outages = (
        jobs.claim_next,
        iter([OperationalError("the database system is shutting down")] * 3),
    )

    def claim_during_outage():
        error = next(outages, None)
        if error is not None:
            raise error
        return real_claim()

    monkeypatch.setattr(jobs, "claim_next", claim_during_outage)
    lines: list[str] = []
    worker.serve(once=True, report=lines.append)
    queued_job.refresh_from_db()
    assert queued_job.status == ImportJob.Status.DONE
    assert sum("no disponible" in line for line in lines) == 3


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_connection_is_terminated_runs_again(queued_job, monkeypatch, quick_backoff):
    """pg_terminate_backend in the middle of a job: the job wrote nothing, goes back to the queue
    and the next claim runs it."""
    real_run, calls = jobs.run, []

    def run_killed_once(pk):
        calls.append(pk)
        if len(calls) == 1:
            _terminate(_backend_pid())
        return real_run(pk)

    monkeypatch.setattr(jobs, "run", run_killed_once)
    lines: list[str] = []
    worker.serve(once=True, report=lines.append)
    queued_job.refresh_from_db()
    assert calls == [queued_job.pk, queued_job.pk]
    assert queued_job.status == ImportJob.Status.DONE
    assert any("vuelve a la cola" in line for line in lines)


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_next_job_after_its_connection_is_terminated(queued_job):
    _terminate(_backend_pid())
    worker.serve(once=True, report=lambda line: None)
    queued_job.refresh_from_db()
    assert queued_job.status == ImportJob.Status.DONE


@pytest.mark.django_db(transaction=True)
def test_the_worker_beats_while_it_serves(queued_job):
    worker.serve(once=True, report=lambda line: None)
    beat = WorkerHeartbeat.objects.get()
    assert timezone.now() - beat.beat_at < timedelta(seconds=30)


@pytest.mark.parametrize(
    ("age", "expected"), [(None, "absent"), (timedelta(seconds=5), "ok"), (timedelta(minutes=5), "stale")]
)
def test_health_reports_the_worker(client, db, age, expected):
    # A worker run by an earlier test beat from its own thread, outside any test transaction.
    WorkerHeartbeat.objects.all().delete()
    if age is not None:
        WorkerHeartbeat.objects.create(name="host:1", beat_at=timezone.now() - age)
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "worker": expected,
        "outbox": {"pending": 0, "failed": 0},
    }
    assert "no-cache" in response["Cache-Control"]


def test_health_is_a_503_when_the_database_is_down(client, db, monkeypatch):
    class Unreachable:
        def ensure_connection(self):
            raise OperationalError("connection refused")

    from planning import health

    monkeypatch.setattr(health, "connection", Unreachable())
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert response["Retry-After"] == "5"


@override_settings(CACHES=REDIS_DOWN)
def test_health_reports_the_cache_down(client, db):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["cache"] == "unavailable"


def test_the_compose_worker_is_restarted_by_docker():
    compose = (ROOT / "docker-compose.yml").read_text()
    worker_section = compose.split("\n  worker:\n", 1)[1].split("\n\n", 1)[0]
    assert "restart: unless-stopped" in worker_section
    assert "run_import_worker" in worker_section


# --- an amount that does not fit its column --------------------------------------------------


def test_an_amount_too_big_for_its_column_is_refused_at_check_time(db, tmp_path, water_category, leon):
    path = tmp_path / "obras.csv"
    path.write_text(
        "folio,nombre,longitud,latitud,ejercicio,monto\n"
        'A-1,Obra normal,-101.65,21.15,2026,"1,250,000.50"\n'
        'A-2,Obra desmesurada,-101.65,21.15,2026,"100,000,000,000,000,000,000"\n'
        "A-3,Obra al límite,-101.65,21.15,2026,99999999999999.99\n",
        encoding="utf-8",
    )
    options = imports.Options(target="works", category_code=water_category.code, mode="valid")
    outcome, _table = imports.run_import(path, options, write=False)
    reasons = {r.row: r.reason for r in outcome.rejected}
    assert list(reasons) == [2]
    assert "fuera de rango" in reasons[2] and "10^14" in reasons[2]


@pytest.mark.parametrize(
    ("text", "fits"),
    [
        ("0", True),
        ("99999999999999.99", True),
        ("99999999999999.995", False),
        ("1E+20", False),
        ("NaN", False),
        ("Infinity", False),
        ("-5.5", True),
        ("1E-30", True),
    ],
)
def test_fits_decimal_field(text, fits):
    from decimal import Decimal

    from gis_core.importers import fits_decimal_field
    from works_map.models import Work

    assert fits_decimal_field(Decimal(text), Work._meta.get_field("amount_approved")) is fits


# --- DEBUG off unless asked for ---------------------------------------------------------------


def _python(code: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


SETUP = (
    "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); django.setup(); "
)


def test_debug_is_off_unless_set():
    result = _python(SETUP + "from django.conf import settings; print(settings.DEBUG)")
    assert result.stdout.strip() == "False", result.stderr


def test_the_web_server_refuses_the_development_key_with_debug_unset():
    result = _python("import config.wsgi")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_web_server_starts_with_debug_on_or_a_real_key():
    assert _python("import config.wsgi", DEBUG="1").returncode == 0
    assert _python("import config.wsgi", SECRET_KEY="k" * 60).returncode == 0


def test_make_run_sets_debug():
    makefile = (ROOT / "Makefile").read_text()
    run_recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "DEBUG=$${DEBUG:-1}" in run_recipe and "runserver" in run_recipe


def test_health_answers_plain_http_behind_the_tls_redirect(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/").status_code == 301
    assert client.get("/health").status_code == 200


def test_the_worker_run_once_gives_up_after_repeated_outages(db, monkeypatch, quick_backoff):
    def down():
        raise OperationalError("connection refused")

    monkeypatch.setattr(jobs, "claim_next", down)
    lines: list[str] = []
    with pytest.raises(OperationalError):
        worker.serve(once=True, report=lines.append)
    assert len(lines) == worker.ONCE_ATTEMPTS


def test_the_worker_run_once_inside_a_transaction_keeps_its_connection(queued_job):
    """A plain `db` test runs in a transaction: the loop must not close that connection."""
    worker.serve(once=True, report=lambda line: None)
    queued_job.refresh_from_db()
    assert queued_job.status == ImportJob.Status.DONE
