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


EDGE = {"X-Territorio-Edge": "1"}  # what deploy/nginx sets on every request it passes


def _stored(coord: TileCoord, filters: dict | None = None):
    from django.core.cache import cache

    from layers.registry import LAYERS
    from layers.tilecache import cache_key

    return cache.get(cache_key(LAYERS["works"], coord, filters or {}))


def test_behind_the_edge_a_current_tile_is_left_to_the_edge_and_any_other_is_stored(client, work_well_xichu):
    from gis_core.versions import layer_version

    coord = TileCoord.containing(*WELL, 14)
    url, version = tile_url("works", coord), layer_version("works")
    through_edge = client.get(url, {"v": version}, headers=EDGE)
    assert through_edge.status_code == 200
    assert through_edge["Cache-Control"] == "public, max-age=86400"  # nginx keeps it a day
    assert _stored(coord) is None
    # The same tile asked directly, or through the edge without the current version, is stored.
    for headers, query in (({}, {"v": version}), (EDGE, {}), (EDGE, {"v": version - 1})):
        from django.core.cache import cache

        cache.clear()
        response = client.get(url, query, headers=headers)
        assert response.content == through_edge.content
        assert response["ETag"] == through_edge["ETag"]
        assert _stored(coord)[1] == through_edge.content, (headers, query)
    # A catalogue filter goes through the view: the same rule there.
    cache.clear()
    filtered = client.get(url, {"v": version, "municipio": "11045"}, headers=EDGE)
    assert filtered.content == through_edge.content and _stored(coord, {"municipio": ["11045"]}) is None


def test_behind_the_edge_a_write_is_seen_at_once_and_a_restricted_tile_is_still_stored(
    client, work_well_xichu, planner_xichu, households_xichu, django_capture_on_commit_callbacks
):
    from gis_core.versions import bump_layers, layer_version

    coord = TileCoord.containing(*WELL, 14)
    url, before = tile_url("works", coord), layer_version("works")
    assert client.get(url, {"v": before}, headers=EDGE)["Cache-Control"] == "public, max-age=86400"
    with django_capture_on_commit_callbacks(execute=True):
        bump_layers("works")  # this process bumps: its remembered version goes at once
    after = layer_version("works")
    assert after == before + 1
    assert client.get(url, {"v": after}, headers=EDGE)["Cache-Control"] == "public, max-age=86400"
    stale = client.get(url, {"v": before}, headers=EDGE)
    assert stale["Cache-Control"] == "public, max-age=0, must-revalidate"  # not kept by the edge
    # Another process's bump: this one reads the version again when a request names a newer one.
    from django.core.cache import cache

    from gis_core.models import LayerVersion
    from gis_core.versions import version_cache_key

    LayerVersion.objects.bump("works")
    cache.delete(version_cache_key("works"))
    newest = client.get(url, {"v": after + 1}, headers=EDGE)
    assert newest["Cache-Control"] == "public, max-age=86400"
    assert _stored(coord)[0] == after  # what the older request stored; the newest left to the edge
    # A household tile is private: never kept by the edge, so the app's own cache still has it.
    planner = Client()
    planner.force_login(planner_xichu)
    households = tile_url("households", TileCoord.containing(*CLUSTER, 14))
    from layers.registry import LAYERS
    from layers.tilecache import cache_key

    version = layer_version(LAYERS["households"].version_name)
    response = planner.get(households, {"v": version}, headers=EDGE)
    assert response.status_code == 200 and response["Cache-Control"].startswith("private")
    from layers.access import scope_filters

    scoped = scope_filters(LAYERS["households"], planner_xichu, {})
    stored = cache.get(cache_key(LAYERS["households"], TileCoord.containing(*CLUSTER, 14), scoped))
    assert stored[1] == response.content
