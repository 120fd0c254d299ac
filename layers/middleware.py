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
from layers.filters import parsed_without_queries
from layers.registry import get_layer
from layers.tilecache import vector_tile
from layers.views import parse_tile_request, public_tile_response

_TILE_PATH = re.compile(
    r"^/tiles/(?P<layer>[a-z_]{1,64})/(?P<z>[0-9]{1,2})/(?P<x>[0-9]{1,9})/(?P<y>[0-9]{1,9})\.mvt$"
)


class PublicTileMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "GET" and (match := _TILE_PATH.match(request.path_info)):
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
            tile = vector_tile(layer, coord, filters)
        except DatabaseError as exc:
            activate_chosen_language(request)  # the message in the visitor's language
            response = database_error_response(request, exc)
            if response is None:
                raise
            return response
        return public_tile_response(request, tile)
