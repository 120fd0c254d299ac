"""A killed import leaves no partial rows: the whole write is one transaction.

The import runs as `manage.py import_file` in a subprocess. This test holds, in its own uncommitted
transaction, the CVEGEO of the file's last municipio, so the import blocks on the unique index after
writing every other row; then the subprocess is killed with SIGKILL and nothing it wrote remains.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _connect():
    params = connection.get_connection_params()
    return psycopg.connect(
        dbname=connection.settings_dict["NAME"],
        user=params.get("user"),
        host=params.get("host"),
        port=params.get("port"),
        password=params.get("password"),
        autocommit=False,
    )


def _waiting_backends(watcher, dbname: str) -> list[int]:
    rows = watcher.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'", [dbname]
    ).fetchall()
    return [r[0] for r in rows]


@pytest.mark.django_db(transaction=True)
def test_a_killed_import_leaves_no_partial_rows(shared_data):
    import pyogrio

    from priority_zones.models import Municipio

    path = shared_data / "gto_municipios_inegi_lcc" / "11mun.shp"
    last = str(pyogrio.read_dataframe(path, columns=["CVEGEO"], read_geometry=False)["CVEGEO"].iloc[-1])
    dbname = connection.settings_dict["NAME"]
    blocker = _connect()
    blocker.execute(
        "INSERT INTO priority_zones_municipio (cvegeo, name, frame_version, geom) "
        "VALUES (%s, 'bloqueo', 'TEST', ST_Multi(ST_MakeEnvelope(-101, 21, -100.9, 21.1, 4326)))",
        [last],
    )
    env = {**os.environ, "LOCAL_PG_DB": dbname}
    if "DATABASE_URL" in os.environ:  # same server, the test database
        env["DATABASE_URL"] = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + dbname
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_file", str(path), "--target", "municipios"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    watcher = _connect()
    watcher.autocommit = True
    try:
        deadline = time.monotonic() + 60
        waiting: list[int] = []
        while time.monotonic() < deadline and not waiting:
            assert process.poll() is None, process.stderr.read().decode()[-2000:]
            waiting = _waiting_backends(watcher, dbname)
            time.sleep(0.05)
        assert waiting, "the import never reached the last row"
        # The import's transaction holds the other 45 rows right now.
        held = watcher.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE l.pid = %s AND c.relname = 'priority_zones_municipio'",
            [waiting[0]],
        ).fetchone()[0]
        assert held >= 1
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        blocker.rollback()
        deadline = time.monotonic() + 20
        while (
            time.monotonic() < deadline
            and watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [waiting[0]]
            ).fetchone()[0]
        ):
            time.sleep(0.05)
    finally:
        if process.poll() is None:
            process.kill()
        blocker.close()
    assert Municipio.objects.count() == 0
    watcher.close()
