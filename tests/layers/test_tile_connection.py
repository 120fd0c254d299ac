"""A tile's statement is its own connection health check (gis_core.tiles.render_tile): no `SELECT 1`
round trip before it, and a connection found broken is replaced without failing the request.

Django's test client keeps the test's connection across requests and never runs
close_old_connections, which in a server re-arms the health check when each request starts (for a
healthy persistent connection, all it does is clear `health_check_done`). `_serve` does that."""

from __future__ import annotations

from unittest import mock

import psycopg
import pytest
from django.db import connections

from gis_core import tiles
from gis_core.tiles import TileCoord
from tests.layers.conftest import tile_url

WELL = (-100.05, 21.3)


def _terminate(backend_pid: int) -> None:
    """End a backend from outside, as a server restart or a dropped idle connection would."""
    params = connections["default"].get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [backend_pid])


def _serve(client, url: str):
    connections["default"].health_check_done = False  # as at the start of a request in a server
    return client.get(url)


def test_a_tile_sends_no_health_check_query(client, work_well_xichu):
    db = connections["default"]
    assert db.health_check_enabled
    assert _serve(client, tile_url("works", TileCoord.containing(*WELL, 14))).status_code == 200
    with mock.patch.object(db, "is_usable", side_effect=AssertionError("a health check ran")):
        # The version is cached; the tile is not: the tile's statement is the request's only query.
        response = _serve(client, tile_url("works", TileCoord.containing(*WELL, 13)))
    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_tile_on_a_broken_connection_is_rendered_on_a_fresh_one(client, work_well_xichu):
    assert _serve(client, tile_url("works", TileCoord.containing(*WELL, 14))).status_code == 200
    db = connections["default"]
    _terminate(db.connection.info.backend_pid)

    with mock.patch("gis_core.tiles._fetch_tile", wraps=tiles._fetch_tile) as fetch:
        response = _serve(client, tile_url("works", TileCoord.containing(*WELL, 13)))

    assert response.status_code == 200
    assert response.content
    assert fetch.call_count == 2
    assert db.is_usable()


@pytest.mark.django_db(transaction=True)
def test_a_statement_timeout_is_not_retried(client, work_well_xichu):
    assert _serve(client, tile_url("works", TileCoord.containing(*WELL, 14))).status_code == 200
    with mock.patch(
        "gis_core.tiles.TILE_SETTINGS", "SET LOCAL statement_timeout = 1; SELECT pg_sleep(0.05); "
    ):
        with mock.patch("gis_core.tiles._fetch_tile", wraps=tiles._fetch_tile) as fetch:
            response = _serve(client, tile_url("works", TileCoord.containing(*WELL, 13)))
    assert response.status_code == 503
    assert fetch.call_count == 1
