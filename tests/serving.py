"""Start the production server (scripts/serve.sh: Granian, or with `--edge` nginx in front of it) as
the tests' own process group, wait for its port, and stop it afterwards. Used by the tests that
drive the real server over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(alias: str = "default", **override: str) -> str:
    """A test database as DATABASE_URL (a socket directory as a percent-encoded host)."""
    from django.db import connections

    db = {**connections[alias].settings_dict, **override}
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db["HOST"] or "localhost", safe="")
    return f"postgis://{auth}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def app_env(port: int, key: str, **extra: str) -> dict[str, str]:
    """The environment of scripts/serve.sh (Granian, one worker, no Redis) on `port` against the
    test database; `extra` adds or overrides variables."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": "",
        "SECRET_KEY": key + "k" * 40,
        "GRANIAN_HOST": "127.0.0.1",
        "GRANIAN_PORT": str(port),
        "GRANIAN_WORKERS": "1",
        **extra,
    }


@contextmanager
def serve_script(
    env: dict[str, str], port: int, timeout: float = 60, args: Sequence[str] = ()
) -> Iterator[subprocess.Popen]:
    """`port` is the one clients use: GRANIAN_PORT, or EDGE_PORT with args=["--edge"] (nginx opens it
    before the app is up: wait for a page too)."""
    proc = subprocess.Popen(
        [str(ROOT / "scripts" / "serve.sh"), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else "the server exited"
                assert time.monotonic() < deadline, f"the server did not start in {timeout:.0f} s"
                time.sleep(0.2)
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
