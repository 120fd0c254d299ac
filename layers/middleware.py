"""Public vector tiles already in the tile cache, answered before the rest of the middleware.

A map view asks for dozens of tiles at a time, nearly all of them cache hits. Sessions, locale,
CSRF, authentication, messages and URL resolving do nothing for a public tile, so a hit (or a
304) is answered here, right after the security headers, with the same body, ETag and
Cache-Control as the view. Anything else — a miss, a restricted layer, a catalogue filter, a bad coordinate
or filter — goes on to the view, which renders, stores, logs or refuses it as usual.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from gis_core.tiles import TileCoord, TileError
from layers.filters import CHOICES, RESERVED, parse_filters
from layers.registry import get_layer
from layers.tilecache import cached_vector_tile
from layers.views import public_tile_response

# Parameters parsed without the database: catalogue codes (municipio, agency...) may need a
# lookup to be refused, so those requests are left to the view.
_WITHOUT_QUERIES = RESERVED | {"year"} | set(CHOICES)
_TILE_PATH = re.compile(
    r"^/tiles/(?P<layer>[a-z_]{1,64})/(?P<z>[0-9]{1,2})/(?P<x>[0-9]{1,9})/(?P<y>[0-9]{1,9})\.mvt$"
)


class CachedTileMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "GET" and (match := _TILE_PATH.match(request.path_info)):
            response = self._from_cache(request, match)
            if response is not None:
                return response
        return self.get_response(request)

    @staticmethod
    def _from_cache(request: HttpRequest, match: re.Match) -> HttpResponse | None:
        layer = get_layer(match["layer"])
        if layer is None or not layer.public or not set(request.GET) <= _WITHOUT_QUERIES:
            return None
        try:
            coord = TileCoord.parse(
                match["z"], match["x"], match["y"], minzoom=layer.minzoom, maxzoom=layer.maxzoom
            )
            filters = parse_filters(layer, request.GET)
        except TileError:
            return None
        tile = cached_vector_tile(layer, coord, filters)
        return None if tile is None else public_tile_response(request, tile)
