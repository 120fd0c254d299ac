"""The replica router against a real streaming replica of the test cluster: public reads from the
replica, staff and writes on the primary, a lagging replica never caching old data under a new
version, a stopped replica falling back to the primary within the request."""

from __future__ import annotations

import http.client
import json
import os
from decimal import Decimal
from urllib.parse import urlencode

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.db import connections
from django.test.utils import CaptureQueriesContext

from gis_core.tiles import TileCoord
from gis_core.versions import layer_version
from layers.registry import get_layer
from layers.tilecache import cache_key
from tests.actors import PASSWORD
from tests.layers.conftest import features, tile_url
from tests.scale.conftest import replica_alias
from tests.serving import database_url, free_port, serve_script

pytestmark = [pytest.mark.slow, pytest.mark.urls("config.urls")]

WELL = (-100.05, 21.3)
COORD = TileCoord.containing(*WELL, 14)


def _second_work(xichu, water_category, folio: str):
    from works_map.actions import do_create_work

    return do_create_work(
        folio=folio,
        fiscal_year=2026,
        name="Tanque elevado",
        category=water_category,
        geom=Point(WELL[0] + 0.0005, WELL[1] + 0.0005, srid=4326),
        municipio=xichu,
        status="EN_EJECUCION",
        amount_approved=Decimal("1000.00"),
    )


def _folios(response) -> set[str]:
    return {f["properties"].get("folio") for f in features(response, "works")}


@pytest.fixture
def replica(streaming_replica, transactional_db, work_well_xichu, cold_cache):
    streaming_replica.catch_up()
    with replica_alias(streaming_replica) as alias:
        yield streaming_replica, alias
    streaming_replica.psql("SELECT pg_wal_replay_resume()")


def test_an_anonymous_tile_is_rendered_on_the_replica(client, replica):
    _, alias = replica
    with CaptureQueriesContext(connections[alias]) as on_replica:
        response = client.get(tile_url("works", COORD))
    assert _folios(response) == {"XIC-2026-001"}
    assert any("ST_AsMVT" in q["sql"] for q in on_replica.captured_queries)


def test_a_staff_session_reads_only_from_the_primary(client, replica, planner_leon):
    _, alias = replica
    assert client.login(username=planner_leon.username, password=PASSWORD)
    with CaptureQueriesContext(connections[alias]) as on_replica:
        assert client.get(tile_url("works", COORD)).status_code == 200
        assert client.get("/api/works?page_size=5").status_code == 200
    assert on_replica.captured_queries == []


def test_a_lagging_replica_never_stores_old_data_under_a_new_version(client, replica, xichu, water_category):
    standby, alias = replica
    standby.psql("SELECT pg_wal_replay_pause()")
    standby.wait_for("SELECT pg_get_wal_replay_pause_state()", "paused")
    before = layer_version("works")
    _second_work(xichu, water_category, "XIC-2026-002")  # committed on the primary, not replayed
    after = layer_version("works")
    assert after > before
    assert standby.psql("SELECT count(*) FROM works_map_work WHERE folio = 'XIC-2026-002'") == "0"

    response = client.get(tile_url("works", COORD), {"v": after})
    assert _folios(response) == {"XIC-2026-001", "XIC-2026-002"}
    assert response["Cache-Control"].startswith("public, max-age=")
    stored = cache.get(cache_key(get_layer("works"), COORD, {}))
    assert stored[0] == after and b"XIC-2026-002" in stored[1]

    # Caught up again: the replica serves the same tile.
    standby.psql("SELECT pg_wal_replay_resume()")
    standby.catch_up()
    cache.clear()
    with CaptureQueriesContext(connections[alias]) as on_replica:
        again = client.get(tile_url("works", COORD), {"v": after})
    assert again.content == response.content
    assert any("ST_AsMVT" in q["sql"] for q in on_replica.captured_queries)


def test_a_lagging_replica_does_not_answer_summaries_cached_under_a_new_version(
    client, replica, xichu, water_category
):
    standby, _ = replica
    first = client.get("/api/summaries/investment?by=municipio")
    assert first.status_code == 200, first.content
    standby.psql("SELECT pg_wal_replay_pause()")
    standby.wait_for("SELECT pg_get_wal_replay_pause_state()", "paused")
    _second_work(xichu, water_category, "XIC-2026-003")
    second = client.get("/api/summaries/investment?by=municipio")
    assert second.status_code == 200
    assert second.json() != first.json()  # the new work's amount counts although the replica lags


def test_a_stopped_replica_falls_back_to_the_primary_within_one_request(client, replica):
    standby, alias = replica
    standby.ctl("-m", "fast", "stop")
    try:
        response = client.get(tile_url("works", COORD))
        assert _folios(response) == {"XIC-2026-001"}
        assert client.get("/api/works?page_size=5").status_code == 200
    finally:
        standby.ctl("start")


@pytest.fixture
def app_without_primary(streaming_replica, transactional_db, work_well_xichu, tmp_path):
    """The production server with its primary unreachable (a socket directory with no server) and
    the streaming replica in DATABASE_REPLICA_URLS."""
    streaming_replica.catch_up()
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(HOST=str(tmp_path / "no-primary-here")),
        "DATABASE_REPLICA_URLS": database_url(
            HOST=str(streaming_replica.run), PORT=str(streaming_replica.port)
        ),
        "REDIS_URL": "",
        "SECRET_KEY": "replica-test-" + "k" * 40,
        "GRANIAN_HOST": "127.0.0.1",
        "GRANIAN_PORT": str(port),
        "GRANIAN_WORKERS": "1",
    }
    with serve_script(env, port):
        yield port


def _request(port: int, method: str, path: str, body: str = "", headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def test_with_the_primary_down_reads_answer_from_the_replica_and_writes_get_a_clear_503(app_without_primary):
    port = app_without_primary
    status, _, body = _request(port, "GET", tile_url("works", COORD))
    assert status == 200
    assert "XIC-2026-001" in {
        f["properties"].get("folio") for f in mapbox_vector_tile.decode(body)["works"]["features"]
    }
    status, _, body = _request(port, "GET", "/api/works?page_size=5")
    assert status == 200 and b"XIC-2026-001" in body
    assert _request(port, "GET", "/tiles/works.json")[0] == 200

    status, headers, _ = _request(port, "GET", "/cuenta/entrar/")
    assert status == 200
    csrf = headers["set-cookie"].split("csrftoken=", 1)[1].split(";", 1)[0]
    form = urlencode({"username": "alguien", "password": PASSWORD, "csrfmiddlewaretoken": csrf})
    status, headers, body = _request(
        port,
        "POST",
        "/cuenta/entrar/",
        form,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}"},
    )
    assert status == 503
    assert headers["retry-after"]
    assert "no está disponible" in json.loads(body)["detail"]
