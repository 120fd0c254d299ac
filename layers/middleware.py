"""Public vector tiles, answered before the rest of the middleware.

A map view asks for dozens of tiles at a time. Sessions, locale, CSRF, authentication, messages and
URL resolving do nothing for a public tile (it is the same for everyone), so this middleware, right
after the security headers, answers it from the tile cache or renders and stores it, with the same
body, ETag and Cache-Control as the view would. A database refusal or timeout gets the same problem
response as anywhere else (gis_core.http). Everything else — restricted layers, catalogue filters,
bad coordinates or filters — goes on to the view, which logs, refuses or renders as usual.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

from gis_core.http import activate_chosen_language, database_error_response
from gis_core.tiles import TileError
from layers.edgepath import FAILURE, TILE_PATH
from layers.filters import parsed_without_queries
from layers.registry import get_layer
from layers.tilecache import edge_asks, vector_tile
from layers.views import parse_tile_request, public_tile_response


class PublicTileMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        failure = request.META.pop(FAILURE, None)
        if failure is not None:  # layers.edgepath failed on this request: answered here, not run again
            return self._failed(request, failure)
        if request.method == "GET" and (match := TILE_PATH.match(request.path_info)):
            response = self._serve(request, match)
            if response is not None:
                return response
        return self.get_response(request)

    @staticmethod
    def _serve(request: HttpRequest, match: re.Match) -> HttpResponse | None:
        layer = get_layer(match["layer"])
        # Catalogue codes may need a lookup to be refused: those requests are left to the view.
        if layer is None or not layer.public or not parsed_without_queries(request.GET):
            return None
        try:
            coord, filters = parse_tile_request(layer, match["z"], match["x"], match["y"], request.GET)
        except TileError:
            return None  # the view answers the 400, in the visitor's language
        try:
            tile = vector_tile(layer, coord, filters, edge_asks(request))
        except DatabaseError as exc:
            return PublicTileMiddleware._failed(request, exc)
        return public_tile_response(request, tile)

    @staticmethod
    def _failed(request: HttpRequest, exc: BaseException) -> HttpResponse:
        """A database error's problem response, in the visitor's language; anything else raised
        for Django's handler to log and answer (500)."""
        activate_chosen_language(request)
        response = database_error_response(request, exc) if isinstance(exc, DatabaseError) else None
        if response is None:
            raise exc
        return response
