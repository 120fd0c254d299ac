"""Several import workers share the queue: a job held by a live worker (another process) is not
taken twice, and the job of a worker killed mid-run is claimed again and completed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from planning import jobs
from planning.models import ImportJob
from tests.scale.conftest import ROOT
from tests.serving import database_url

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CSV = b"folio,nombre,longitud,latitud,ejercicio\n{folio},Obra de prueba,-101.65,21.15,2026\n"

# A worker that claims one job and then hangs, as if in the middle of a long import.
HANGING_WORKER = (
    "import time, django; django.setup();"
    "from planning import jobs; print(jobs.claim_next(), flush=True); time.sleep(600)"
)


def _job(admin_user, category, folio: str) -> ImportJob:
    upload = SimpleUploadedFile("obras.csv", CSV.replace(b"{folio}", folio.encode()))
    return jobs.enqueue(
        jobs.create_job(upload, {"target": "works", "category_code": category.code}, admin_user)
    )


@pytest.fixture
def hanging_worker(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORTS_RUN_IMMEDIATELY = False
    env = {**os.environ, "DATABASE_URL": database_url(), "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    procs: list[subprocess.Popen] = []

    def start() -> tuple[subprocess.Popen, int]:
        proc = subprocess.Popen(
            [sys.executable, "-c", HANGING_WORKER], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        procs.append(proc)
        line = proc.stdout.readline() if proc.stdout else ""
        return proc, int(line)

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)


def test_a_job_held_by_a_live_worker_is_not_taken_twice(hanging_worker, admin_user, water_category, leon):
    first = _job(admin_user, water_category, "A-1")
    second = _job(admin_user, water_category, "A-2")
    _, taken = hanging_worker()
    assert taken == first.pk
    assert jobs.claim_next() == second.pk  # the next queued job, not the one the other worker runs
    jobs.run(second.pk)
    assert jobs.claim_next() is None  # the first is RUNNING, and its worker is alive


def test_the_job_of_a_killed_worker_is_claimed_again_and_completed(
    hanging_worker, admin_user, water_category, leon
):
    job = _job(admin_user, water_category, "K-1")
    proc, taken = hanging_worker()
    assert taken == job.pk
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING
    assert jobs.claim_next() is None

    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 10
    while (again := jobs.claim_next()) is None:
        assert time.monotonic() < deadline, "the killed worker's job was not released"
        time.sleep(0.1)
    assert again == job.pk
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.error
    from works_map.models import Work

    assert Work.objects.filter(folio="K-1").count() == 1
