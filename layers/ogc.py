"""The public layers of the registry as OGC API - Tiles tilesets (gis_core.ogc_tiles): each tile is
answered by layers.views.vector_tile, so OGC clients get the same SQL, cache, filters and access
rules as the site's map. Restricted layers (households) are never registered: no OGC path reaches them.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from gis_core import ogc_tiles
from layers import views
from layers.registry import Layer, public_layers


def _tile_view(layer: Layer):
    def tile(request: HttpRequest, z: str, x: str, y: str) -> HttpResponse:
        return views.vector_tile(request, layer.name, z, x, y)

    return tile


def _tilejson_url(layer: Layer):
    def url(request: HttpRequest, query: Mapping[str, str]) -> str:
        suffix = f"?{urlencode(sorted(query.items()))}" if query else ""
        return request.build_absolute_uri(reverse("layers:tilejson", args=[layer.name])) + suffix

    return url


def register_tilesets() -> None:
    for layer in public_layers():
        ogc_tiles.register(
            ogc_tiles.TileSet(
                collection_id=layer.name,
                title=layer.title,
                minzoom=layer.minzoom,
                maxzoom=layer.maxzoom,
                geometry_type=layer.geometry_type,
                tile=_tile_view(layer),
                fields=layer.fields,
                filter_params=(*layer.filter_params, "v"),
                tilejson_url=_tilejson_url(layer),
            )
        )
