"""Media through Django's storage API on an S3-compatible store (a real moto server on the loopback):
the settings' MEDIA_STORAGE=s3, and an import uploaded to the store and run by the worker from it."""

from __future__ import annotations

import os
import subprocess
import sys

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from planning import jobs, worker
from tests.scale.conftest import ROOT, free_port

pytestmark = pytest.mark.slow

BUCKET = "territorio-media"
KEYS = {"aws_access_key_id": "probando", "aws_secret_access_key": "probando-secreto"}
WORKS_CSV = b"folio,nombre,longitud,latitud,ejercicio\nS3-1,Obra desde S3,-101.65,21.15,2026\n"


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=url, region_name="us-east-1", **KEYS).create_bucket(Bucket=BUCKET)
    try:
        yield url
    finally:
        server.stop()


def _objects(url: str) -> dict[str, bytes]:
    s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1", **KEYS)
    listed = s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read() for o in listed}


def _s3_env(url: str) -> dict[str, str]:
    return {
        "MEDIA_STORAGE": "s3",
        "MEDIA_S3_BUCKET": BUCKET,
        "MEDIA_S3_ENDPOINT_URL": url,
        "MEDIA_S3_REGION": "us-east-1",
        "MEDIA_S3_ACCESS_KEY_ID": KEYS["aws_access_key_id"],
        "MEDIA_S3_SECRET_ACCESS_KEY": KEYS["aws_secret_access_key"],
        "MEDIA_S3_PREFIX": "media",
    }


def test_media_storage_s3_in_the_environment_puts_files_in_the_bucket(s3_endpoint):
    script = (
        "from django.core.files.base import ContentFile;"
        "from django.core.files.storage import default_storage as s;"
        "name = s.save('pruebas/hola.txt', ContentFile(b'hola'));"
        "print(type(s._wrapped).__name__, name, s.open(name).read().decode())"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT,
        env={**os.environ, **_s3_env(s3_endpoint)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["S3Storage", "pruebas/hola.txt", "hola"]
    assert _objects(s3_endpoint)["media/pruebas/hola.txt"] == b"hola"


def test_an_import_uploaded_to_s3_is_run_by_the_worker_from_the_bucket(
    s3_endpoint, settings, admin_user, water_category, leon
):
    env = _s3_env(s3_endpoint)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": env["MEDIA_S3_ACCESS_KEY_ID"],
                "secret_key": env["MEDIA_S3_SECRET_ACCESS_KEY"],
                "location": "media",
                "file_overwrite": False,
            },
        },
    }
    settings.IMPORTS_RUN_IMMEDIATELY = False
    upload = SimpleUploadedFile("obras.csv", WORKS_CSV)
    job = jobs.enqueue(
        jobs.create_job(upload, {"target": "works", "category_code": water_category.code}, admin_user)
    )
    stored = _objects(s3_endpoint)
    assert stored[f"media/{job.file.name}"] == WORKS_CSV
    worker.serve(once=True, report=lambda line: None)
    job.refresh_from_db()
    assert job.status == job.Status.DONE, job.error
    from works_map.models import Work

    assert Work.objects.filter(folio="S3-1", name="Obra desde S3").exists()
