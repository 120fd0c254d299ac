"""Servers the scale tests start on this machine: a streaming replica of the test cluster
(pg_basebackup -R, run as postgres), and helpers to reach it from Django and over HTTP."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections

from tests.serving import free_port

ROOT = Path(__file__).resolve().parents[2]


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    binary = found[-1] if found else shutil.which(name)
    if binary is None:
        pytest.skip(f"{name} is not installed")
    return binary


def as_postgres(*command: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


@dataclass
class Replica:
    data: Path
    run: Path
    port: int
    log: Path

    def ctl(self, *args: str) -> None:
        command = as_postgres(pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", *args)
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stderr + result.stdout

    def psql(self, sql: str) -> str:
        command = [pg_bin("psql"), "-h", str(self.run), "-p", str(self.port), "-U", "postgres", "-qtAc", sql]
        command += ["-d", connections["default"].settings_dict["NAME"]]
        return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True).stdout.strip()

    def settings_dict(self) -> dict:
        primary = connections["default"].settings_dict
        return {**primary, "HOST": str(self.run), "PORT": str(self.port), "TEST": {"MIRROR": "default"}}

    def wait_for(self, sql: str, expected: str, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while (found := self.psql(sql)) != expected:
            assert time.monotonic() < deadline, f"replica: {sql} gave {found!r}, not {expected!r}"
            time.sleep(0.1)

    def catch_up(self) -> None:
        """Wait until the replica has replayed everything the primary has written so far."""
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            lsn = cursor.fetchone()[0]
        self.wait_for(f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn", "t")


@pytest.fixture(scope="session")
def streaming_replica(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Replica]:
    """A hot standby of the test cluster, made with pg_basebackup -R and streaming from it."""
    if os.environ.get("DATABASE_URL"):
        pytest.skip("needs the project-local PostgreSQL (no DATABASE_URL)")
    primary = connections["default"].settings_dict
    base = Path(settings.LOCAL_DIR) / f"replica-{os.getpid()}"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    replica = Replica(base / "data", base / "run", free_port(), base / "replica.log")
    replica.run.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
        shutil.chown(replica.run, "postgres", "postgres")
    backup = as_postgres(
        pg_bin("pg_basebackup"), "-D", str(replica.data), "-R", "-X", "stream", "-c", "fast",
        "-h", primary["HOST"], "-p", str(primary["PORT"]), "-U", "postgres",
    )  # fmt: skip
    result = subprocess.run(backup, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    with open(replica.data / "postgresql.auto.conf", "a") as conf:
        conf.write(
            f"port = {replica.port}\nunix_socket_directories = '{replica.run}'\nlisten_addresses = ''\n"
        )
    replica.ctl("start")
    try:
        yield replica
    finally:
        subprocess.run(
            as_postgres(pg_bin("pg_ctl"), "-D", str(replica.data), "-m", "immediate", "-w", "stop"),
            capture_output=True, timeout=120, check=False,
        )  # fmt: skip
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def replica_alias(replica: Replica, alias: str = "replica_0") -> Iterator[str]:
    """The replica as a database alias of this process, with the router on (as DATABASE_REPLICA_URLS does)."""
    from django.db.utils import load_backend
    from django.test import override_settings

    config = connections.configure_settings({"default": {}, alias: replica.settings_dict()})[alias]
    # Registered on this thread only (not in settings.DATABASES), as the test case allows for a
    # connection made during the test; the router finds it in DATABASE_REPLICA_ALIASES.
    connections[alias] = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias)
    try:
        with override_settings(
            DATABASE_ROUTERS=["gis_core.replicas.ReplicaRouter"], DATABASE_REPLICA_ALIASES=[alias]
        ):
            yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        from gis_core import replicas

        replicas._down_until.clear()


@pytest.fixture
def cold_cache():
    cache.clear()
    yield
    cache.clear()


# --- An S3-compatible store: moto's server on the loopback -----------------------------------------

S3_BUCKET = "territorio-media"
S3_KEYS = {"aws_access_key_id": "probando", "aws_secret_access_key": "probando-secreto"}


class S3Server:
    """moto's S3 server on a loopback port (a real HTTP server, as ThreadedMotoServer starts it),
    also counting the body bytes it sends for each GET path and the Range headers it was asked for,
    so a test can tell a range read from a whole download."""

    def __init__(self) -> None:
        import threading
        from collections import Counter

        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        self.sent: Counter[str] = Counter()
        self.ranges: list[tuple[str, str]] = []
        moto_app = DomainDispatcherApplication(create_backend_app)

        def counting(environ, start_response):
            chunks = list(moto_app(environ, start_response))  # moto's answers are in memory
            if environ["REQUEST_METHOD"] == "GET":
                path = environ.get("PATH_INFO", "")
                self.sent[path] += sum(len(chunk) for chunk in chunks)
                if environ.get("HTTP_RANGE"):
                    self.ranges.append((path, environ["HTTP_RANGE"]))
            return chunks

        self._server = make_server(
            "127.0.0.1", 0, counting, threaded=True, request_handler=MotoRequestHandler
        )
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.url, region_name="us-east-1", **S3_KEYS)

    def objects(self) -> dict[str, bytes]:
        s3 = self.client()
        listed = s3.list_objects_v2(Bucket=S3_BUCKET).get("Contents", [])
        return {o["Key"]: s3.get_object(Bucket=S3_BUCKET, Key=o["Key"])["Body"].read() for o in listed}

    def env(self) -> dict[str, str]:
        """The settings' environment variables for MEDIA_STORAGE=s3 on this server."""
        return {
            "MEDIA_STORAGE": "s3",
            "MEDIA_S3_BUCKET": S3_BUCKET,
            "MEDIA_S3_ENDPOINT_URL": self.url,
            "MEDIA_S3_REGION": "us-east-1",
            "MEDIA_S3_ACCESS_KEY_ID": S3_KEYS["aws_access_key_id"],
            "MEDIA_S3_SECRET_ACCESS_KEY": S3_KEYS["aws_secret_access_key"],
            "MEDIA_S3_PREFIX": "media",
        }

    def storage_setting(self) -> dict:
        """settings.STORAGES["default"] as config/settings.py builds it from `env()`."""
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": S3_BUCKET,
                "endpoint_url": self.url,
                "region_name": "us-east-1",
                "access_key": S3_KEYS["aws_access_key_id"],
                "secret_key": S3_KEYS["aws_secret_access_key"],
                "location": "media",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        }

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join()


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    server = S3Server()
    server.client().create_bucket(Bucket=S3_BUCKET)
    try:
        yield server
    finally:
        server.stop()


# --- A private Redis on the loopback, stopped and started again on the same port by the test -----


class RedisProcess:
    """redis-server on 127.0.0.1:`port`, nothing written to disk (a restart starts empty, as a
    replaced cache node would)."""

    def __init__(self, port: int, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        self.binary, self.port, self.workdir = binary, port, workdir
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.workdir)]
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while True:
            try:
                if self.client().ping():
                    return
            except OSError:
                pass
            except Exception as exc:  # redis.ConnectionError and its kin while it starts
                if "onnect" not in type(exc).__name__ + str(exc):
                    raise
            assert self.proc.poll() is None, "redis-server exited"
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=15)
        self.proc = None

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2, socket_connect_timeout=2)

    def keys(self) -> int:
        return int(self.client().dbsize())
