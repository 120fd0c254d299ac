"""Public tiles are answered by layers.middleware.PublicTileMiddleware (from the cache, or rendered
and stored), before sessions, locale and auth; every other request reaches the view. Both must
answer alike."""

from __future__ import annotations

from unittest import mock

from django.test import Client

from gis_core.tiles import TileCoord
from tests.layers.conftest import tile_url
from tests.places import CLUSTER

WELL = (-100.05, 21.3)
# Headers the later middleware adds for any page; a tile does not vary by language or session.
PAGE_ONLY = {"Vary", "Content-Language"}


def _headers(response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in PAGE_ONLY}


def test_a_public_tile_is_answered_without_the_view_with_the_same_bytes_and_headers(client, work_well_xichu):
    url = tile_url("works", TileCoord.containing(*WELL, 14))
    with mock.patch("layers.views.vector_tile_of", side_effect=AssertionError("the view ran")):
        rendered = client.get(url)
        cached = client.get(url)
    assert rendered.status_code == 200
    from_view = client.get(url, {"municipio": "11045"})  # a catalogue filter: through the view
    assert from_view.content == rendered.content
    assert _headers(from_view) == _headers(rendered)
    assert cached.status_code == 200
    assert cached.content == rendered.content
    assert _headers(cached) == _headers(rendered)
    # The security headers still come first; a document's policy and frame options do not apply.
    for header in ("X-Content-Type-Options", "Referrer-Policy"):
        assert cached[header]
    for response in (rendered, cached, from_view):
        assert "Content-Security-Policy" not in response and "X-Frame-Options" not in response


def test_a_cached_tile_answers_304_and_204_like_the_view(client, work_well_xichu):
    url = tile_url("works", TileCoord.containing(*WELL, 14))
    etag = client.get(url)["ETag"]
    empty = tile_url("works", TileCoord.containing(-101.0, 20.5, 14))
    client.get(empty)
    with mock.patch("layers.views.vector_tile_of", side_effect=AssertionError("the view ran")):
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
        assert client.get(empty).status_code == 204


def test_filtered_tiles_are_cached_per_filter(client, work_well_xichu):
    coord = TileCoord.containing(*WELL, 14)
    assert client.get(tile_url("works", coord), {"year": "2026"}).status_code == 200
    assert client.get(tile_url("works", coord), {"year": "2019"}).status_code == 204
    with mock.patch("layers.views.vector_tile_of", side_effect=AssertionError("the view ran")):
        assert client.get(tile_url("works", coord), {"year": "2026"}).status_code == 200
        assert client.get(tile_url("works", coord), {"year": "2019"}).status_code == 204


def test_bad_requests_still_reach_the_view_and_get_its_400(client, work_well_xichu):
    coord = TileCoord.containing(*WELL, 14)
    client.get(tile_url("works", coord))
    assert client.get(tile_url("works", coord), {"year": "1900"}).status_code == 400
    assert client.get("/tiles/works/14/99999/0.mvt").status_code == 400
    assert client.get("/tiles/works/3/0/0.mvt").status_code == 400
    assert client.get("/tiles/nothing/14/0/0.mvt").status_code == 404


def test_a_restricted_tile_is_never_answered_from_the_cache(client, planner_xichu, households_xichu):
    from priority_zones.models import AccessLog

    url = tile_url("households", TileCoord.containing(*CLUSTER, 14))
    planner = Client()
    planner.force_login(planner_xichu)
    assert planner.get(url).status_code == 200
    assert planner.get(url).status_code == 200  # cached now, but still through the gate: logged twice
    assert AccessLog.objects.filter(user=planner_xichu, query__startswith="/tiles/households/").count() == 2
    assert client.get(url).status_code == 403


def test_a_tile_cut_by_the_statement_timeout_is_a_503_problem(client, work_well_xichu, monkeypatch):
    from django.db import connection, transaction

    def slow(*args, **kwargs):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 50")
            cursor.execute("SELECT pg_sleep(2)")

    monkeypatch.setattr("layers.tilecache.render_tile", slow)
    response = client.get(tile_url("works", TileCoord.containing(*WELL, 14)))
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Servicio ocupado"


def test_a_fresh_tile_is_stored_when_its_response_is_closed(rf, work_well_xichu):
    from django.core.cache import cache

    from layers.middleware import PublicTileMiddleware
    from layers.registry import LAYERS
    from layers.tilecache import cache_key

    coord = TileCoord.containing(*WELL, 14)
    serve = PublicTileMiddleware(lambda request: AssertionError("the view ran"))
    response = serve(rf.get(tile_url("works", coord)))
    assert response.status_code == 200
    key = cache_key(LAYERS["works"], coord, {})
    assert cache.get(key) is None  # not while the response is being made
    response.close()  # what the WSGI server does once it has the whole response
    assert cache.get(key)[1] == response.content
