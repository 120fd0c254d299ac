"""The edge's misses, answered before Django's request handling.

Behind the edge (deploy/nginx marks what it passes with X-Territorio-Edge: 1), a request for a
public tile at its layer's current version is a miss of nginx's cache, which will keep the answer
for a day. Such a request needs the tile's SQL and nothing else: no session, locale, CSRF, URL
resolving, middleware chain nor tile cache (layers.tilecache leaves it to the edge). Going through
Django's handler cost 0.37 ms more per miss than this path, measured inside Granian at 100,000
works (beside 1.9-2.2 ms of SQL; the README's edge section).

This WSGI wrapper (config/wsgi.py) answers exactly those requests: GET or HEAD, a public layer,
no query parameter but `v`, `v` the current version, no session cookie, and an HTTPS request when
SECURE_SSL_REDIRECT asks for one. The body, status and headers are those of the Django path: the
same gis_core.http.tile_answer as tile_response, with the headers SecurityMiddleware adds. Django's
request signals are not sent (see _serve). Anything else,
and any failure, goes to Django: a failure is handed over with the request (FAILURE) and answered
there by layers.middleware (a database error's problem response in the visitor's language, or
Django's 500), so the query is not run twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import nullcontext
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.security import SecurityMiddleware

from gis_core import replicas
from gis_core.http import tile_answer
from gis_core.tiles import TileCoord, TileError
from layers.registry import get_layer
from layers.tilecache import EDGE_HEADER, edge_tile
from layers.views import VERSIONED

# Where a failure of this path travels to layers.middleware, in the WSGI environ.
FAILURE = "territorio.edge_failure"

TILE_PATH = re.compile(
    r"^/tiles/(?P<layer>[a-z_]{1,64})/(?P<z>[0-9]{1,2})/(?P<x>[0-9]{1,9})/(?P<y>[0-9]{1,9})\.mvt$"
)
_VERSION_QUERY = re.compile(r"^v=(?P<v>[0-9]{1,18})$")

StartResponse = Callable[..., object]


_security_headers: dict[bool, list[tuple[str, str]]] = {}


def security_headers(request: HttpRequest) -> list[tuple[str, str]]:
    """What SecurityMiddleware adds to a response to this request: its own code, run once per
    kind of request (HTTPS or not) on an empty response, so nosniff, the referrer and opener
    policies and HSTS follow the settings exactly. Worked out again when a setting changes."""
    secure = request.is_secure()
    found = _security_headers.get(secure)
    if found is None:
        response = HttpResponse()
        before = set(response.headers)
        SecurityMiddleware(lambda r: response).process_response(request, response)
        found = [(k, v) for k, v in response.items() if k not in before]
        _security_headers[secure] = found
    return found


@receiver(setting_changed)
def _settings_changed(**kwargs: object) -> None:
    _security_headers.clear()


class EdgeMisses:
    """WSGI middleware: the edge's misses of current public tiles, else the Django application."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: StartResponse) -> Any:
        if environ.get(EDGE_HEADER) == "1" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            match = TILE_PATH.match(environ.get("PATH_INFO", ""))
            version = _VERSION_QUERY.match(environ.get("QUERY_STRING", "")) if match else None
            if match is not None and version is not None:
                try:
                    answer = self._serve(environ, match, version["v"])
                except Exception as exc:  # noqa: BLE001 (handed to Django, which answers or raises it)
                    environ[FAILURE] = exc
                    answer = None
                if answer is not None:
                    status, headers, body = answer
                    start_response(status, headers)
                    return body
        return self.app(environ, start_response)

    @staticmethod
    def _serve(environ: dict, match: re.Match, asked: str) -> tuple[str, list, list[bytes]] | None:
        layer = get_layer(match["layer"])
        if layer is None or not layer.public:
            return None
        request = WSGIRequest(environ)  # for Django's own answers: HTTPS or not, cookies (12 µs)
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return None  # Django redirects it
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return None  # staff: the replica rules of a session apply (gis_core.replicas)
        try:
            coord = TileCoord.parse(
                match["z"], match["x"], match["y"], minzoom=layer.minzoom, maxzoom=layer.maxzoom
            )
        except TileError:
            return None  # Django answers the 400, in the visitor's language
        # Django's request signals are not sent (they cost a fifth of this path): a connection
        # found broken is opened again by render_tile, a failure goes to Django's handler (which
        # closes the connection that failed), and one past CONN_MAX_AGE is closed by the next
        # request Django handles in this thread.
        with replicas.replica_reads() if settings.DATABASE_REPLICA_ALIASES else nullcontext():
            tile = edge_tile(layer, coord, {}, asked)
        if tile is None:
            return None  # not the current version: Django answers it, not as current
        status, headers, content = tile_answer(
            environ.get("HTTP_IF_NONE_MATCH", ""), tile.body, tile.etag, cache_control=VERSIONED
        )
        headers += security_headers(request)
        body = [] if environ["REQUEST_METHOD"] == "HEAD" or not content else [content]
        return f"{status} {HTTPStatus(status).phrase}", headers, body
