"""layers.edgepath: the edge's misses of current public tiles, answered before Django's handler
with the same status, body and headers as the Django path; everything else goes on to Django."""

from __future__ import annotations

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError
from django.test import RequestFactory

from gis_core.tiles import TileCoord
from gis_core.versions import layer_version
from layers.edgepath import EdgeMisses
from tests.layers.conftest import tile_url
from tests.places import CLUSTER

WELL = (-100.05, 21.3)
EMPTY = (-101.0, 20.5)
EDGE = {"X-Territorio-Edge": "1"}
# Headers the later middleware adds for any page; a tile does not vary by language or session.
PAGE_ONLY = {"Vary", "Content-Language"}


@pytest.fixture(autouse=True)
def _as_django_test_client():
    """Requests inside the test's transaction: like django.test.Client, keep the connection open
    across a request's start and end (close_old_connections would close it mid-test)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _not_django(environ, start_response):
    raise AssertionError("Django's handler ran")


def call(app, path: str, query: dict | None = None, headers: dict | None = None, method: str = "get"):
    """(status, headers, body) of a WSGI call, as a server would make it."""
    environ = getattr(RequestFactory(), method)(path, query or {}, headers=headers or {}).environ
    got: dict = {}

    def start_response(status, response_headers, exc_info=None):
        got["status"], got["headers"] = status, dict(response_headers)

    body = app(environ, start_response)
    try:
        content = b"".join(body)
    finally:
        if hasattr(body, "close"):
            body.close()
    return got["status"], got["headers"], content


def _django(path, query, headers=None, method="get"):
    status, got, body = call(WSGIHandler(), path, query, headers, method)
    return status, {k: v for k, v in got.items() if k not in PAGE_ONLY}, body


@pytest.mark.parametrize("place", [WELL, EMPTY], ids=["tile", "empty tile"])
def test_a_current_public_tile_asked_by_the_edge_is_answered_as_django_would(work_well_xichu, place):
    path, query = tile_url("works", TileCoord.containing(*place, 14)), {"v": layer_version("works")}
    fast = call(EdgeMisses(_not_django), path, query, EDGE)
    assert fast == _django(path, query)  # the Django path (no edge header): same status, headers, body
    assert fast[0] == ("200 OK" if place == WELL else "204 No Content")
    assert fast[1]["Cache-Control"] == "public, max-age=86400"
    assert fast[1]["X-Content-Type-Options"] == "nosniff" and "Content-Security-Policy" not in fast[1]


def test_the_edge_path_answers_304_and_head_as_django_would(work_well_xichu):
    path, query = tile_url("works", TileCoord.containing(*WELL, 14)), {"v": layer_version("works")}
    etag = call(EdgeMisses(_not_django), path, query, EDGE)[1]["ETag"]
    revalidated = call(EdgeMisses(_not_django), path, query, {**EDGE, "If-None-Match": etag})
    assert revalidated[0] == "304 Not Modified" and revalidated[2] == b""
    assert revalidated == _django(path, query, {"If-None-Match": etag})
    head = call(EdgeMisses(_not_django), path, query, EDGE, method="head")
    assert head[0] == "200 OK" and head[2] == b"" and int(head[1]["Content-Length"]) > 0


def test_over_https_the_edge_path_sends_hsts_and_plain_http_is_left_to_the_redirect(
    work_well_xichu, settings
):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # as behind nginx
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_SSL_REDIRECT = True
    path, query = tile_url("works", TileCoord.containing(*WELL, 14)), {"v": layer_version("works")}
    https = {**EDGE, "X-Forwarded-Proto": "https"}
    fast = call(EdgeMisses(_not_django), path, query, https)
    assert fast[1]["Strict-Transport-Security"].startswith("max-age=3600")
    assert fast == _django(path, query, {"X-Forwarded-Proto": "https"})
    redirected = call(EdgeMisses(WSGIHandler()), path, query, EDGE)  # plain HTTP: Django redirects it
    assert redirected[0].startswith("301") and redirected[1]["Location"].startswith("https://")


@pytest.mark.parametrize(
    "case",
    ["no edge header", "older version", "a filter", "restricted layer", "session cookie", "bad zoom", "post"],
)
def test_anything_else_goes_on_to_django(work_well_xichu, households_xichu, case):
    version = layer_version("works")
    path, query = tile_url("works", TileCoord.containing(*WELL, 14)), {"v": version}
    headers, method = EDGE, "get"
    if case == "no edge header":
        headers = {}
    elif case == "older version":
        query = {"v": version - 1}
    elif case == "a filter":
        query = {"v": version, "year": "2026"}
    elif case == "restricted layer":
        path, query = tile_url("households", TileCoord.containing(*CLUSTER, 14)), {"v": 1}
    elif case == "session cookie":
        headers = {**EDGE, "Cookie": "sessionid=abc"}
    elif case == "bad zoom":
        path = "/tiles/works/30/0/0.mvt"
    elif case == "post":
        method = "post"
    reached = []

    def django(environ, start_response):
        reached.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b""]

    call(EdgeMisses(django), path, query, headers, method)
    assert reached == [path]


@pytest.mark.parametrize(
    ("error", "status", "shown"),
    [
        (OperationalError("canceling statement due to statement timeout"), "503", b"Servicio no disponible"),
        (ValueError("a bug"), "500", b""),
    ],
    ids=["database error: Django's 503 problem", "anything else: Django's 500"],
)
def test_a_failure_is_answered_by_django_without_running_the_query_again(
    work_well_xichu, monkeypatch, error, status, shown
):
    calls = []

    def failing(*args, **kwargs):
        calls.append(args)
        raise error

    monkeypatch.setattr("layers.tilecache.render_tile", failing)
    path, query = tile_url("works", TileCoord.containing(*WELL, 14)), {"v": layer_version("works")}
    got, headers, body = call(EdgeMisses(WSGIHandler()), path, query, EDGE)
    assert got.startswith(status) and shown in body
    assert str(error).encode() not in body  # the message stays in the log
    if status == "503":
        assert headers["Content-Type"] == "application/problem+json"
    assert len(calls) == 1
