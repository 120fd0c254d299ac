"""scripts/serve.sh, the production server (Granian under the project's settings), serves the
project over a kept-alive connection and logs each request."""

from __future__ import annotations

import http.client
import json
import os
import signal

import pytest

from gis_core.tiles import TileCoord
from tests.layers.conftest import tile_url
from tests.serving import app_env, free_port, serve_script

pytestmark = pytest.mark.slow

WELL = (-100.05, 21.3)


@pytest.fixture
def server(transactional_db, work_well_xichu):
    port = free_port()
    env = app_env(port, "serve-script-test-")
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
