"""scripts/serve.sh, the production server (Granian under the project's settings), serves the
project over a kept-alive connection and logs each request."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
from urllib.parse import quote

import pytest
from django.db import connections

from gis_core.tiles import TileCoord
from tests.layers.conftest import tile_url
from tests.serving import serve_script

pytestmark = pytest.mark.slow

WELL = (-100.05, 21.3)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    """The test database, as DATABASE_URL (a socket directory as a percent-encoded host)."""
    db = connections["default"].settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db["HOST"] or "localhost", safe="")
    return f"postgis://{auth}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def server(transactional_db, work_well_xichu):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": "",
        "SECRET_KEY": "serve-script-test-" + "k" * 40,
        "GRANIAN_HOST": "127.0.0.1",
        "GRANIAN_PORT": str(port),
        "GRANIAN_WORKERS": "1",
    }
    with serve_script(env, port) as proc:
        yield port, proc


def test_the_production_server_serves_tiles_over_one_kept_alive_connection(server):
    port, proc = server
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    url = tile_url("works", TileCoord.containing(*WELL, 14))
    conn.request("GET", url)
    first = conn.getresponse()
    body = first.read()
    assert first.status == 200
    assert first.getheader("Content-Type") == "application/vnd.mapbox-vector-tile"
    kept = conn.sock
    assert kept is not None  # not closed by the server after the response

    conn.request("GET", url, headers={"If-None-Match": first.getheader("ETag")})
    again = conn.getresponse()
    again.read()
    assert again.status == 304
    conn.request("GET", "/tiles/works/99/0/0.mvt")
    bad = conn.getresponse()
    assert bad.status == 400
    assert json.loads(bad.read())["parameter"] == "z"
    assert conn.sock is kept  # three requests, one connection
    conn.close()
    assert body

    os.killpg(proc.pid, signal.SIGTERM)
    log, _ = proc.communicate(timeout=30)
    assert f'"GET {url} HTTP/1.1" 200' in log  # the access log
