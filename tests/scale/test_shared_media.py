"""Media through Django's storage API on an S3-compatible store (a real moto server on the loopback):
the settings' MEDIA_STORAGE=s3, and an import uploaded to the store and run by the worker from it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from planning import jobs, worker
from tests.scale.conftest import ROOT

pytestmark = pytest.mark.slow

WORKS_CSV = b"folio,nombre,longitud,latitud,ejercicio\nS3-1,Obra desde S3,-101.65,21.15,2026\n"


def test_media_storage_s3_in_the_environment_puts_files_in_the_bucket(s3_server):
    script = (
        "from django.core.files.base import ContentFile;"
        "from django.core.files.storage import default_storage as s;"
        "name = s.save('pruebas/hola.txt', ContentFile(b'hola'));"
        "print(type(s._wrapped).__name__, name, s.open(name).read().decode())"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT,
        env={**os.environ, **s3_server.env()},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["S3Storage", "pruebas/hola.txt", "hola"]
    assert s3_server.objects()["media/pruebas/hola.txt"] == b"hola"


def test_an_import_uploaded_to_s3_is_run_by_the_worker_from_the_bucket(
    s3_server, settings, admin_user, water_category, leon
):
    settings.STORAGES = {**settings.STORAGES, "default": s3_server.storage_setting()}
    settings.IMPORTS_RUN_IMMEDIATELY = False
    upload = SimpleUploadedFile("obras.csv", WORKS_CSV)
    job = jobs.enqueue(
        jobs.create_job(upload, {"target": "works", "category_code": water_category.code}, admin_user)
    )
    stored = s3_server.objects()
    assert stored[f"media/{job.file.name}"] == WORKS_CSV
    worker.serve(once=True, report=lambda line: None)
    job.refresh_from_db()
    assert job.status == job.Status.DONE, job.error
    from works_map.models import Work

    assert Work.objects.filter(folio="S3-1", name="Obra desde S3").exists()
