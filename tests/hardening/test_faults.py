"""Fault tests (slow): the project-local PostgreSQL restarted under concurrent clients (only 2xx or
503 answers, recovery within 5 s) and Redis going away (tiles still answer, logins still throttled).
The worker's terminated connection is in test_fail_closed.py."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from gis_core.tiles import TileCoord
from tests.actors import PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.urls("config.urls")]

WELL = (-100.05, 21.3)
RECOVERY_SECONDS = 5


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_ctl() -> list[str]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    binary = found[-1] if found else shutil.which("pg_ctl")
    if binary is None or os.environ.get("DATABASE_URL"):
        pytest.skip("needs the project-local PostgreSQL (pg_ctl, no DATABASE_URL)")
    local = Path(settings.LOCAL_DIR)
    # -l: the restarted server logs to its file, not to this test's pipe (which it would hold open).
    command = [
        binary,
        "-D",
        str(local / "pgdata"),
        "-l",
        str(local / "log" / "postgres.log"),
        "-m",
        "fast",
        "-w",
    ]
    command.append("restart")
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _hammer(url: str, stop: threading.Event, seen: list[tuple[float, int | str]]) -> None:
    while not stop.is_set():
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the live server
                response.read()
                seen.append((time.monotonic(), response.status))
        except urllib.error.HTTPError as error:
            seen.append((time.monotonic(), error.code))
        except OSError as error:  # a reset or refused connection: a failure, not a status
            seen.append((time.monotonic(), f"{type(error).__name__}: {error}"))
        time.sleep(0.02)


def test_a_database_restart_under_load_gives_only_2xx_or_503_and_recovers(live_server, work_well_xichu):
    coord = TileCoord.containing(*WELL, 14)
    paths = [
        "/api/works?page_size=5",
        "/ogc/collections/works/items?limit=2",
        "/api/zones",
        f"/tiles/works/{coord.z}/{coord.x}/{coord.y}.mvt",
    ]
    restart = _pg_ctl()
    stop = threading.Event()
    seen: dict[str, list[tuple[float, int | str]]] = {path: [] for path in paths}
    clients = [
        threading.Thread(target=_hammer, args=(live_server.url + path, stop, seen[path]), daemon=True)
        for path in paths
    ]
    for client in clients:
        client.start()
    time.sleep(1.5)
    result = subprocess.run(restart, capture_output=True, text=True, timeout=120, check=False)
    restarted = time.monotonic()
    assert result.returncode == 0, result.stderr
    time.sleep(RECOVERY_SECONDS + 1)
    stop.set()
    for client in clients:
        client.join(timeout=30)
    assert not any(client.is_alive() for client in clients), "a client hung"
    connection.close()  # this thread's connection died with the server; the teardown reconnects

    report = {path: Counter(str(s) for _, s in answers) for path, answers in seen.items()}
    print("answers by path during the restart:", report)  # noqa: T201 - the figure the README quotes
    for path, answers in seen.items():
        bad = [s for _, s in answers if not (isinstance(s, int) and (200 <= s < 300 or s in (304, 503)))]
        assert bad == [], (path, Counter(map(str, bad)), report)
        recovered = [t for t, s in answers if t >= restarted and isinstance(s, int) and s < 300]
        assert recovered and recovered[0] - restarted < RECOVERY_SECONDS, (path, report)
        late = [s for t, s in answers if t >= restarted + RECOVERY_SECONDS and s == 503]
        assert late == [], (path, report)


@pytest.fixture
def redis_server(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)
    try:
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.terminate()
        proc.wait(timeout=10)


def test_with_redis_gone_tiles_still_answer_and_logins_stay_throttled(
    client, redis_server, work_well_xichu, planner_leon
):
    proc, port = redis_server
    caches = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }
    url = "/tiles/works/{0.z}/{0.x}/{0.y}.mvt".format(TileCoord.containing(*WELL, 14))
    with override_settings(CACHES=caches):
        first = client.get(url)
        assert first.status_code == 200
        proc.terminate()
        proc.wait(timeout=10)
        again = client.get(url)
        assert again.status_code == 200 and again.content == first.content
        for _ in range(settings.LOGIN_FAILURE_LIMIT):
            client.post("/cuenta/entrar/", {"username": "planeador_leon", "password": "mala"})
        refused = client.post("/cuenta/entrar/", {"username": "planeador_leon", "password": PASSWORD})
        assert refused.status_code == 429
