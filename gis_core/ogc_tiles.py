"""OGC API - Tiles, Part 1 (core, tileset, tilesets-list, geodata-tilesets, MVT) over the WebMercatorQuad
tile matrix set, next to OGC API - Features under /ogc/.

A collection has vector tiles when an app registers a TileSet for it (layers: one per public layer of
its registry); the tiles themselves are served by that app's own tile view, so the one tile SQL
(gis_core.tiles) and its cache, ETags and filters are reused, never duplicated. Note the path order
of OGC: /{tileMatrix}/{tileRow}/{tileCol}, i.e. z/y/x.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from gis_core.geometry import GTO_BOUNDS

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/tms/2.0/conf/tilematrixset",
    "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
    "http://www.opengis.net/spec/tms/2.0/conf/tilesetmetadata",
    "http://www.opengis.net/spec/tms/2.0/conf/json-tilesetmetadata",
]
REL_TILESETS_VECTOR = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"
REL_TILING_SCHEME = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
REL_TILING_SCHEMES = "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes"
MVT = "application/vnd.mapbox-vector-tile"
TMS_ID = "WebMercatorQuad"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
EPSG_3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
TMS_MAX_ZOOM = 24
ORIGIN = 20037508.342789244  # half the Web Mercator world, metres
# Scale denominator of zoom 0 at the standard 0.28 mm pixel (OGC WMTS / TMS WebMercatorQuad).
SCALE_0 = 559082264.028717
CELL_0 = 2 * ORIGIN / 256
GEOMETRY_DIMENSION = {"point": 0, "line": 1, "polygon": 2}


@dataclass(frozen=True)
class TileSet:
    """Vector tiles of one collection: `tile(request, z, x, y)` answers one MVT tile (the owning app's
    view, with its access rules, filters and cache); `filter_params` pass through to it."""

    collection_id: str
    title: str | Promise
    minzoom: int
    maxzoom: int
    geometry_type: str
    tile: Callable[[HttpRequest, str, str, str], HttpResponse]
    fields: Mapping[str, str | Promise] = field(default_factory=dict)
    filter_params: tuple[str, ...] = ()
    # The owning app's TileJSON of the same tiles in XYZ order (absolute URL, filters kept), linked as
    # an alternate: GDAL's MVT driver reads it (see README, OGC API – Tiles).
    tilejson_url: Callable[[HttpRequest, Mapping[str, str]], str] | None = None


# Filled by the apps from their AppConfig.ready (layers: each public layer of its registry).
TILESETS: dict[str, TileSet] = {}


def register(tileset: TileSet) -> None:
    TILESETS[tileset.collection_id] = tileset


def tile_matrix_set() -> dict[str, Any]:
    """WebMercatorQuad as OGC Two Dimensional Tile Matrix Set 2.0 JSON, with the same matrices in
    the members of TMS 1.0 too (`identifier`, `supportedCRS`, `tileMatrix`): GDAL before 3.7 reads
    only those, and a 2.0 reader ignores them."""
    tms_v1 = {
        "type": "TileMatrixSetType",
        "identifier": TMS_ID,
        "supportedCRS": EPSG_3857,
        "boundingBox": {
            "type": "BoundingBoxType",
            "crs": EPSG_3857,
            "lowerCorner": [-ORIGIN, -ORIGIN],
            "upperCorner": [ORIGIN, ORIGIN],
        },
        "tileMatrix": [
            {
                "type": "TileMatrixType",
                "identifier": str(z),
                "scaleDenominator": SCALE_0 / 2**z,
                "topLeftCorner": [-ORIGIN, ORIGIN],
                "tileWidth": 256,
                "tileHeight": 256,
                "matrixWidth": 2**z,
                "matrixHeight": 2**z,
            }
            for z in range(TMS_MAX_ZOOM + 1)
        ],
    }
    return {
        **tms_v1,
        "id": TMS_ID,
        "title": "Google Maps Compatible for the World",
        "uri": TMS_URI,
        "crs": EPSG_3857,
        "orderedAxes": ["X", "Y"],
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "tileMatrices": [
            {
                "id": str(z),
                "scaleDenominator": SCALE_0 / 2**z,
                "cellSize": CELL_0 / 2**z,
                "cornerOfOrigin": "topLeft",
                "pointOfOrigin": [-ORIGIN, ORIGIN],
                "tileWidth": 256,
                "tileHeight": 256,
                "matrixWidth": 2**z,
                "matrixHeight": 2**z,
            }
            for z in range(TMS_MAX_ZOOM + 1)
        ],
    }


def _column(lon: float, z: int) -> int:
    return min(2**z - 1, max(0, math.floor((lon + 180) / 360 * 2**z)))


def _row(lat: float, z: int) -> int:
    rad = math.radians(lat)
    y = (1 - math.log(math.tan(rad) + 1 / math.cos(rad)) / math.pi) / 2
    return min(2**z - 1, max(0, math.floor(y * 2**z)))


def limits(minzoom: int, maxzoom: int, bounds: tuple[float, float, float, float] = GTO_BOUNDS) -> list[dict]:
    """The tiles covering `bounds` (CRS84) at each zoom: where a client needs to look."""
    west, south, east, north = bounds
    return [
        {
            "tileMatrix": str(z),
            "minTileRow": _row(north, z),
            "maxTileRow": _row(south, z),
            "minTileCol": _column(west, z),
            "maxTileCol": _column(east, z),
        }
        for z in range(minzoom, maxzoom + 1)
    ]


def tileset_summary(tileset: TileSet, collection_url: str, tms_url: str) -> dict[str, Any]:
    own = f"{collection_url}/tiles/{TMS_ID}"
    return {
        "title": str(tileset.title),
        "dataType": "vector",
        "crs": EPSG_3857,
        "tileMatrixSetURI": TMS_URI,
        "links": [
            {"href": own, "rel": "self", "type": "application/json", "title": str(tileset.title)},
            {"href": tms_url, "rel": REL_TILING_SCHEME, "type": "application/json", "title": TMS_ID},
        ],
    }


def tileset_document(
    tileset: TileSet, collection_url: str, tms_url: str, query: Mapping[str, str], tilejson_url: str = ""
) -> dict[str, Any]:
    """The tileset metadata: the tile URL template (carrying `query`, the collection's filters), the
    tile matrix limits over Guanajuato and the one MVT layer with its properties; `tilejson_url`, when
    given, is linked as an alternate description of the same tiles (TileJSON 3.0.0, z/x/y)."""
    summary = tileset_summary(tileset, collection_url, tms_url)
    alternate = (
        [{"href": tilejson_url, "rel": "alternate", "type": "application/json", "title": "TileJSON 3.0.0"}]
        if tilejson_url
        else []
    )
    suffix = f"?{urlencode(sorted(query.items()))}" if query else ""
    template = f"{collection_url}/tiles/{TMS_ID}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}{suffix}"
    west, south, east, north = GTO_BOUNDS
    return {
        **summary,
        "links": [
            *summary["links"],
            {"href": template, "rel": "item", "type": MVT, "templated": True, "title": _("Tesela vectorial")},
            *alternate,
        ],
        "boundingBox": {"lowerLeft": [west, south], "upperRight": [east, north], "crs": CRS84},
        "tileMatrixSetLimits": limits(tileset.minzoom, tileset.maxzoom),
        "layers": [
            {
                "id": tileset.collection_id,
                "title": str(tileset.title),
                "dataType": "vector",
                "geometryDimension": GEOMETRY_DIMENSION.get(tileset.geometry_type, 2),
                "minTileMatrix": str(tileset.minzoom),
                "maxTileMatrix": str(tileset.maxzoom),
                "propertiesSchema": {
                    "type": "object",
                    "properties": {name: {"description": str(text)} for name, text in tileset.fields.items()},
                },
            }
        ],
    }
