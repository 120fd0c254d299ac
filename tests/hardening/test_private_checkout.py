"""A checkout inside a private (0700) directory, like a clone in /root, gets its project-local
PostgreSQL (issue 13): the cluster goes where the postgres user can reach it, the checkout's own
permissions stay as they were, and the settings find the socket in .local/run as usual."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VAR_TMP = Path("/var/tmp")  # noqa: S108 - where bootstrap.sh puts a private checkout's cluster

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason="the 0700 case arises when bootstrap runs as root"),
    pytest.mark.skipif(shutil.which("runuser") is None, reason="runuser (util-linux) not installed"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LOCAL_DIR", "LOCAL_PG_PORT")}
    return subprocess.run(
        args, cwd=cwd, env={**base, **env}, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture
def private_checkout(tmp_path):
    """A clone of this repository inside a 0700 directory, with this working copy's bootstrap."""
    private = tmp_path / "privado"
    private.mkdir(mode=0o700)
    checkout = private / "territorio"
    result = _run(["git", "clone", "--quiet", "--depth", "1", f"file://{ROOT}", str(checkout)], cwd=tmp_path)
    if result.returncode != 0:  # a worktree or shallow source: copy what the db step needs
        (checkout / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "bootstrap.sh", checkout / "scripts" / "bootstrap.sh")
    outside = VAR_TMP / ("territorio-" + hashlib.sha256(f"{checkout / '.local'}\n".encode()).hexdigest()[:16])
    yield private, checkout, outside
    _run(["scripts/bootstrap.sh", "stop"], cwd=checkout)
    shutil.rmtree(outside, ignore_errors=True)


def test_a_checkout_in_a_0700_directory_gets_its_database(private_checkout):
    private, checkout, outside = private_checkout
    port = str(_free_port())
    assert _run(["runuser", "-u", "postgres", "--", "test", "-x", str(checkout)], cwd=private).returncode != 0

    result = _run(["scripts/bootstrap.sh", "db"], cwd=checkout, LOCAL_PG_PORT=port)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"the cluster goes to {outside}" in result.stdout

    local = checkout / ".local"
    assert (local / "run").resolve() == outside / "run"
    assert (local / "pgdata" / "PG_VERSION").is_file()
    assert (private.stat().st_mode & 0o777) == 0o700  # the user's directory is left as it was
    psql = ["psql", "-h", str(local / "run"), "-p", port, "-U", "postgres", "-d", "territorio", "-qtAc"]
    postgis = _run([*psql, "SELECT postgis_lib_version()"], cwd=checkout)
    assert postgis.returncode == 0 and postgis.stdout.strip(), postgis.stderr

    again = _run(["scripts/bootstrap.sh", "db"], cwd=checkout, LOCAL_PG_PORT=port)
    assert again.returncode == 0 and "already running" in again.stdout, again.stderr
    stopped = _run(["scripts/bootstrap.sh", "stop"], cwd=checkout, LOCAL_PG_PORT=port)
    assert "Local PostGIS stopped" in stopped.stdout, stopped.stderr
