"""OGC API - Features, Part 1 (Core + GeoJSON) at /ogc/: landing, conformance, collections, items.

Collections come from a closed registry (`COLLECTIONS`, which apps add to with `register`); unknown
names are 404. Coordinates are
CRS84 (lon/lat), `datetime` selects by fiscal year, paging is limit/offset with `next` links, and
every collection declares which properties can be used as equality filters. Anything else in the
query string is a 400 naming it, as the standard allows (/req/core/query-param-unknown).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from gis_core import ogc_tiles
from gis_core.geometry import GTO_BOUNDS, parse_bbox, parse_id, parse_integer
from gis_core.http import problem

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GEOJSON = "application/geo+json"
JSON = "application/json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
COMMON_PARAMS = {"f", "bbox", "bbox-crs", "limit", "offset", "datetime", "crs"}


class ItemFilters(Protocol):
    """Filters a collection's owner parses and applies itself (the works collection: the work filters
    of works_map.filters), beyond the equality filters below."""

    def params(self) -> Mapping[str, str]:
        """Query parameter -> description; "bbox" here replaces the common bbox."""
        ...

    def apply(self, queryset: QuerySet, query: Mapping[str, str]) -> QuerySet:
        """The queryset narrowed by the query; a bad value raises ValidationError keyed by the parameter."""
        ...


@dataclass(frozen=True)
class Collection:
    id: str
    title: str | Promise
    description: str | Promise
    queryset: Callable[[], QuerySet]
    properties: dict[str, str]  # output name -> ORM path
    filters: dict[str, str] = field(default_factory=dict)  # query parameter -> ORM lookup
    year_field: str | None = None  # `datetime` is mapped to this fiscal-year field
    item_filters: ItemFilters | None = None

    def filter_params(self) -> set[str]:
        return set(self.filters) | set(self.item_filters.params() if self.item_filters else ())


# Filled by the apps from their AppConfig.ready (works_map: works; priority_zones: zones, municipios).
COLLECTIONS: dict[str, Collection] = {}


def register(collection: Collection, *, first: bool = False) -> None:
    """Add an app's collection to the registry (from its AppConfig.ready); `first` lists it first."""
    if first:
        rest = {k: v for k, v in COLLECTIONS.items() if k != collection.id}
        COLLECTIONS.clear()
        COLLECTIONS.update({collection.id: collection, **rest})
    else:
        COLLECTIONS[collection.id] = collection


def _json(body: dict, content_type: str = JSON, status: int = 200) -> HttpResponse:
    return JsonResponse(
        body, content_type=content_type, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _url(request: HttpRequest, name: str, **kwargs) -> str:
    return request.build_absolute_uri(reverse(f"ogc:{name}", kwargs=kwargs))


def _refuse_unknown(request: HttpRequest, allowed: set[str]) -> HttpResponse | None:
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        return problem(
            400,
            _("Parámetro desconocido «%(p)s»; los válidos son: %(valid)s.")
            % {"p": unknown[0], "valid": ", ".join(sorted(allowed))},
            parameter=unknown[0],
        )
    f = request.GET.get("f")
    if f and f not in ("json", "geojson"):
        return problem(400, _("Formato «%(f)s» no disponible; use f=json.") % {"f": f}, parameter="f")
    return None


def _collection_or_404(collection_id: str) -> Collection | None:
    return COLLECTIONS.get(collection_id)


def _not_found(what: str) -> HttpResponse:
    return problem(404, what, title=_("No encontrado"))


def landing(request: HttpRequest) -> HttpResponse:
    if (refused := _refuse_unknown(request, {"f"})) is not None:
        return refused
    return _json(
        {
            "title": "Territorio Abierto — OGC API - Features",
            "description": _("Obras, zonas prioritarias y municipios de Guanajuato."),
            "links": [
                {"href": _url(request, "landing"), "rel": "self", "type": JSON, "title": _("Esta página")},
                {
                    "href": _url(request, "openapi"),
                    "rel": "service-desc",
                    "type": OPENAPI,
                    "title": "OpenAPI",
                },
                {
                    "href": _url(request, "conformance"),
                    "rel": "conformance",
                    "type": JSON,
                    "title": _("Conformidad"),
                },
                {
                    "href": _url(request, "collections"),
                    "rel": "data",
                    "type": JSON,
                    "title": _("Colecciones"),
                },
                {
                    "href": _url(request, "tile-matrix-sets"),
                    "rel": ogc_tiles.REL_TILING_SCHEMES,
                    "type": JSON,
                    "title": _("Conjuntos de matrices de teselas"),
                },
            ],
        }
    )


def conformance(request: HttpRequest) -> HttpResponse:
    if (refused := _refuse_unknown(request, {"f"})) is not None:
        return refused
    return _json({"conformsTo": CONFORMANCE + (ogc_tiles.CONFORMANCE if ogc_tiles.TILESETS else [])})


def _collection_doc(request: HttpRequest, c: Collection) -> dict[str, Any]:
    tiles = (
        [
            {
                "href": _url(request, "tilesets", collection_id=c.id),
                "rel": ogc_tiles.REL_TILESETS_VECTOR,
                "type": JSON,
                "title": _("Teselas vectoriales"),
            }
        ]
        if c.id in ogc_tiles.TILESETS
        else []
    )
    return {
        "id": c.id,
        "title": str(c.title),
        "description": str(c.description),
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "extent": {"spatial": {"bbox": [list(GTO_BOUNDS)], "crs": CRS84}},
        "links": [
            {"href": _url(request, "collection", collection_id=c.id), "rel": "self", "type": JSON},
            {
                "href": _url(request, "items", collection_id=c.id),
                "rel": "items",
                "type": GEOJSON,
                "title": str(c.title),
            },
            *tiles,
        ],
    }


def collections(request: HttpRequest) -> HttpResponse:
    if (refused := _refuse_unknown(request, {"f"})) is not None:
        return refused
    return _json(
        {
            "links": [{"href": _url(request, "collections"), "rel": "self", "type": JSON}],
            "collections": [_collection_doc(request, c) for c in COLLECTIONS.values()],
        }
    )


def collection(request: HttpRequest, collection_id: str) -> HttpResponse:
    c = _collection_or_404(collection_id)
    if c is None:
        return _not_found(_("No existe la colección «%(c)s».") % {"c": collection_id})
    if (refused := _refuse_unknown(request, {"f"})) is not None:
        return refused
    return _json(_collection_doc(request, c))


_YEAR = re.compile(r"^(\d{4})(-\d{2}(-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?)?)?$")


def parse_datetime_years(raw: str) -> tuple[int | None, int | None]:
    """An RFC 3339 instant or interval (`a/b`, `../b`, `a/..`) -> inclusive fiscal-year bounds."""

    def year(part: str, open_ok: bool) -> int | None:
        if part in ("..", "") and open_ok:
            return None
        m = _YEAR.match(part)
        if not m:
            raise ValidationError(
                {"datetime": _("«datetime» no es una fecha RFC 3339 ni un intervalo: %(v)r.") % {"v": raw}}
            )
        return int(m.group(1))

    parts = raw.split("/")
    if len(parts) == 1:
        y = year(parts[0], open_ok=False)
        return y, y
    if len(parts) != 2 or parts == ["..", ".."]:
        raise ValidationError({"datetime": _("Intervalo «datetime» inválido: %(v)r.") % {"v": raw}})
    start, end = year(parts[0], True), year(parts[1], True)
    if start is not None and end is not None and start > end:
        raise ValidationError({"datetime": _("El intervalo «datetime» termina antes de empezar.")})
    return start, end


def _feature(c: Collection, row: dict[str, Any]) -> dict[str, Any]:
    """A row of `_values` as a GeoJSON Feature, its properties under their public names."""
    geometry = row["_geojson"]
    return {
        "type": "Feature",
        "id": row["pk"],
        "geometry": json.loads(geometry) if geometry else None,
        "properties": {name: _jsonable(row[f"p_{name}"]) for name in c.properties},
    }


def _jsonable(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def _values(c: Collection, qs: QuerySet) -> list[dict[str, Any]]:
    """One query: geometry as GeoJSON text from PostGIS, each property as `p_<public name>` (a
    public name may be a model field's own, which an annotation cannot reuse)."""
    annotated = qs.annotate(
        _geojson=AsGeoJSON("geom", precision=6), **{f"p_{k}": F(v) for k, v in c.properties.items()}
    )
    return list(annotated.values("pk", "_geojson", *(f"p_{k}" for k in c.properties)))


def items(request: HttpRequest, collection_id: str) -> HttpResponse:
    c = _collection_or_404(collection_id)
    if c is None:
        return _not_found(_("No existe la colección «%(c)s».") % {"c": collection_id})
    if (refused := _refuse_unknown(request, COMMON_PARAMS | c.filter_params())) is not None:
        return refused
    try:
        limit = parse_integer(request.GET.get("limit"), "limit", 1, MAX_LIMIT, default=DEFAULT_LIMIT)
        offset = parse_integer(request.GET.get("offset"), "offset", 0, MAX_OFFSET, default=0)
        qs = c.queryset()
        for crs_param in ("bbox-crs", "crs"):
            if request.GET.get(crs_param) not in (None, CRS84):
                raise ValidationError({crs_param: _("Solo se admite CRS84 (%(crs)s).") % {"crs": CRS84}})
        if "bbox" in request.GET and "bbox" not in c.filter_params():
            qs = qs.filter(geom__bboverlaps=parse_bbox(request.GET["bbox"], "bbox"))
        if c.item_filters is not None:
            qs = c.item_filters.apply(qs, request.GET)
        if "datetime" in request.GET:
            if c.year_field is None:
                raise ValidationError({"datetime": _("Esta colección no tiene dimensión temporal.")})
            start, end = parse_datetime_years(request.GET["datetime"])
            if start is not None:
                qs = qs.filter(**{f"{c.year_field}__gte": start})
            if end is not None:
                qs = qs.filter(**{f"{c.year_field}__lte": end})
        for param, lookup in c.filters.items():
            if param in request.GET:
                value: Any = request.GET[param]
                if param == "fiscal_year":
                    value = parse_integer(value, param, 2000, 2100)
                qs = qs.filter(**{lookup: value})
    except ValidationError as exc:
        param, messages = next(iter(exc.message_dict.items()))
        return problem(400, f"{param}: {messages[0]}", parameter=param)

    rows = _values(c, qs.order_by("pk")[offset : offset + limit + 1])
    has_next = len(rows) > limit
    features = [_feature(c, row) for row in rows[:limit]]
    self_url = _url(request, "items", collection_id=c.id)
    query = request.GET.copy()
    links = [
        {"href": request.build_absolute_uri(), "rel": "self", "type": GEOJSON},
        {"href": _url(request, "collection", collection_id=c.id), "rel": "collection", "type": JSON},
    ]
    if has_next:
        query["offset"] = str(offset + limit)
        query["limit"] = str(limit)
        links.append({"href": f"{self_url}?{query.urlencode()}", "rel": "next", "type": GEOJSON})
    if offset > 0:
        query["offset"] = str(max(0, offset - limit))
        query["limit"] = str(limit)
        links.append({"href": f"{self_url}?{query.urlencode()}", "rel": "prev", "type": GEOJSON})
    return _json(
        {
            "type": "FeatureCollection",
            "features": features,
            "numberReturned": len(features),
            "timeStamp": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "links": links,
        },
        content_type=GEOJSON,
    )


def item(request: HttpRequest, collection_id: str, feature_id: str) -> HttpResponse:
    c = _collection_or_404(collection_id)
    if c is None:
        return _not_found(_("No existe la colección «%(c)s».") % {"c": collection_id})
    if (refused := _refuse_unknown(request, {"f", "crs"})) is not None:
        return refused
    pk = parse_id(feature_id)
    if pk is None:
        return _not_found(_("No existe el elemento «%(f)s».") % {"f": feature_id[:40]})
    rows = _values(c, c.queryset().filter(pk=pk))
    if not rows:
        return _not_found(_("No existe el elemento «%(f)s».") % {"f": feature_id})
    feature = _feature(c, rows[0])
    feature["links"] = [
        {"href": request.build_absolute_uri(), "rel": "self", "type": GEOJSON},
        {"href": _url(request, "collection", collection_id=c.id), "rel": "collection", "type": JSON},
    ]
    return _json(feature, content_type=GEOJSON)


def openapi(request: HttpRequest) -> HttpResponse:
    """The API definition of these endpoints (OpenAPI 3.0), built from the registry."""

    def param(name: str, schema: dict, description: str = "", required: bool = False, where: str = "query"):
        return {"name": name, "in": where, "required": required, "schema": schema, "description": description}

    problem_body = {
        "application/problem+json": {
            "schema": {
                "type": "object",
                "required": ["type", "title", "status", "detail"],
                "properties": {
                    "type": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"type": "integer"},
                    "detail": {"type": "string"},
                    "parameter": {"type": "string", "nullable": True},
                },
            }
        }
    }
    errors = {
        "400": {"description": _("Parámetro inválido"), "content": problem_body},
        "503": {"description": _("Servicio ocupado; reintente"), "content": problem_body},
    }
    json_object = {JSON: {"schema": {"type": "object"}}}
    feature_collection = {
        GEOJSON: {
            "schema": {
                "type": "object",
                "required": ["type", "features"],
                "properties": {
                    "type": {"type": "string", "enum": ["FeatureCollection"]},
                    "features": {"type": "array", "items": {"type": "object"}},
                    "numberReturned": {"type": "integer", "minimum": 0},
                },
            }
        }
    }
    feature = {
        GEOJSON: {
            "schema": {
                "type": "object",
                "required": ["type", "geometry", "properties"],
                "properties": {"type": {"type": "string", "enum": ["Feature"]}},
            }
        }
    }
    ok = {"200": {"description": "OK", "content": json_object}, **errors}
    not_found = {"404": {"description": _("No encontrado"), "content": problem_body}}
    paths: dict[str, Any] = {
        "/": {"get": {"operationId": "landing", "summary": _("Página de inicio"), "responses": ok}},
        "/conformance": {"get": {"operationId": "conformance", "summary": _("Conformidad"), "responses": ok}},
        "/collections": {"get": {"operationId": "collections", "summary": _("Colecciones"), "responses": ok}},
    }
    for c in COLLECTIONS.values():
        common = [
            # minlon,minlat,maxlon,maxlat as one comma-separated value (form style, not exploded).
            {
                **param(
                    "bbox",
                    {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4},
                    _("minlon,minlat,maxlon,maxlat (CRS84)"),
                ),
                "style": "form",
                "explode": False,
            },
            param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}),
            param("offset", {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET}),
        ]
        if c.year_field:
            common.append(param("datetime", {"type": "string"}, _("Ejercicio fiscal (RFC 3339 o intervalo)")))
        common += [
            param(name, {"type": "integer", "minimum": 2000, "maximum": 2100})
            if name == "fiscal_year"
            else param(name, {"type": "string"})
            for name in c.filters
        ]
        if c.item_filters is not None:
            common = [p for p in common if p["name"] not in c.item_filters.params()]
            common += [
                param(name, {"type": "string"}, str(text)) for name, text in c.item_filters.params().items()
            ]
        paths[f"/collections/{c.id}"] = {
            "get": {"operationId": f"describe_{c.id}", "summary": str(c.title), "responses": ok}
        }
        items_responses = {"200": {"description": "OK", "content": feature_collection}, **errors}
        paths[f"/collections/{c.id}/items"] = {
            "get": {
                "operationId": f"items_{c.id}",
                "summary": str(c.title),
                "parameters": common,
                "responses": items_responses,
            }
        }
        paths[f"/collections/{c.id}/items/{{featureId}}"] = {
            "get": {
                "operationId": f"item_{c.id}",
                "summary": str(c.title),
                "parameters": [param("featureId", {"type": "string"}, required=True, where="path")],
                "responses": {"200": {"description": "OK", "content": feature}, **errors, **not_found},
            }
        }
    tiles_ok = {**ok, "404": {"description": _("No encontrado")}}
    if ogc_tiles.TILESETS:
        paths["/tileMatrixSets"] = {
            "get": {"operationId": "tile_matrix_sets", "summary": _("Conjuntos de matrices"), "responses": ok}
        }
        paths["/tileMatrixSets/{tileMatrixSetId}"] = {
            "get": {
                "operationId": "tile_matrix_set",
                "summary": "WebMercatorQuad",
                "parameters": [param("tileMatrixSetId", {"type": "string"}, required=True, where="path")],
                "responses": tiles_ok,
            }
        }
    for c in COLLECTIONS.values():
        tileset = ogc_tiles.TILESETS.get(c.id)
        if tileset is None:
            continue
        filters = [param(name, {"type": "string"}) for name in tileset.filter_params]
        tms = param(
            "tileMatrixSetId", {"type": "string", "enum": [ogc_tiles.TMS_ID]}, required=True, where="path"
        )
        paths[f"/collections/{c.id}/tiles"] = {
            "get": {"operationId": f"tilesets_{c.id}", "summary": str(c.title), "responses": tiles_ok}
        }
        paths[f"/collections/{c.id}/tiles/{{tileMatrixSetId}}"] = {
            "get": {
                "operationId": f"tileset_{c.id}",
                "summary": str(c.title),
                "parameters": [tms, *filters],
                "responses": tiles_ok,
            }
        }
        paths[f"/collections/{c.id}/tiles/{{tileMatrixSetId}}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}"] = {
            "get": {
                "operationId": f"tile_{c.id}",
                "summary": str(c.title),
                "parameters": [
                    tms,
                    *(
                        param(n, {"type": "integer"}, required=True, where="path")
                        for n in ("tileMatrix", "tileRow", "tileCol")
                    ),
                    *filters,
                ],
                "responses": {
                    "200": {"description": "MVT", "content": {ogc_tiles.MVT: {}}},
                    "204": {"description": _("Tesela vacía")},
                    **{k: v for k, v in tiles_ok.items() if k != "200"},
                },
            }
        }
    return _json(
        {
            "openapi": "3.0.3",
            "info": {"title": "Territorio Abierto — OGC API - Features", "version": "1.0.0"},
            "servers": [{"url": _url(request, "landing").rstrip("/")}],
            "paths": paths,
        },
        content_type=OPENAPI,
    )


# --- OGC API - Tiles (documents in gis_core.ogc_tiles; tiles from the owning app's view) ----------


def tile_matrix_sets(request: HttpRequest) -> HttpResponse:
    if (refused := _refuse_unknown(request, {"f"})) is not None:
        return refused
    href = _url(request, "tile-matrix-set", tms_id=ogc_tiles.TMS_ID)
    return _json(
        {
            "tileMatrixSets": [
                {
                    "id": ogc_tiles.TMS_ID,
                    "title": "Google Maps Compatible for the World",
                    "uri": ogc_tiles.TMS_URI,
                    "links": [{"href": href, "rel": "self", "type": JSON}],
                }
            ]
        }
    )


def tile_matrix_set(request: HttpRequest, tms_id: str) -> HttpResponse:
    if tms_id != ogc_tiles.TMS_ID:
        return _not_found(_("Solo existe el conjunto «%(t)s».") % {"t": ogc_tiles.TMS_ID})
    if (refused := _refuse_unknown(request, {"f"})) is not None:
        return refused
    return _json(ogc_tiles.tile_matrix_set())


def _tiled_collection(collection_id: str) -> tuple[Collection, ogc_tiles.TileSet] | HttpResponse:
    c = _collection_or_404(collection_id)
    tileset = ogc_tiles.TILESETS.get(collection_id)
    if c is None or tileset is None:
        return _not_found(_("La colección «%(c)s» no existe o no tiene teselas.") % {"c": collection_id})
    return c, tileset


def tilesets(request: HttpRequest, collection_id: str) -> HttpResponse:
    found = _tiled_collection(collection_id)
    if isinstance(found, HttpResponse):
        return found
    if (refused := _refuse_unknown(request, {"f"})) is not None:
        return refused
    collection_url = _url(request, "collection", collection_id=collection_id)
    tms_url = _url(request, "tile-matrix-set", tms_id=ogc_tiles.TMS_ID)
    return _json(
        {
            "links": [
                {"href": _url(request, "tilesets", collection_id=collection_id), "rel": "self", "type": JSON}
            ],
            "tilesets": [ogc_tiles.tileset_summary(found[1], collection_url, tms_url)],
        }
    )


def tileset(request: HttpRequest, collection_id: str, tms_id: str) -> HttpResponse:
    found = _tiled_collection(collection_id)
    if isinstance(found, HttpResponse):
        return found
    if tms_id != ogc_tiles.TMS_ID:
        return _not_found(_("Solo existe el conjunto «%(t)s».") % {"t": ogc_tiles.TMS_ID})
    if (refused := _refuse_unknown(request, {"f", *found[1].filter_params})) is not None:
        return refused
    collection_url = _url(request, "collection", collection_id=collection_id)
    tms_url = _url(request, "tile-matrix-set", tms_id=ogc_tiles.TMS_ID)
    query = {k: str(v) for k, v in request.GET.items() if k != "f" and str(v).strip()}
    tilejson = found[1].tilejson_url(request, query) if found[1].tilejson_url else ""
    return _json(ogc_tiles.tileset_document(found[1], collection_url, tms_url, query, tilejson))


def tile(request: HttpRequest, collection_id: str, tms_id: str, z: str, y: str, x: str) -> HttpResponse:
    """One MVT tile: /{tileMatrix}/{tileRow}/{tileCol} is z/y/x, answered by the owning app's view."""
    found = _tiled_collection(collection_id)
    if isinstance(found, HttpResponse):
        return found
    if tms_id != ogc_tiles.TMS_ID:
        return _not_found(_("Solo existe el conjunto «%(t)s».") % {"t": ogc_tiles.TMS_ID})
    return found[1].tile(request, z, x, y)


app_name = "ogc"
urlpatterns = [
    path("", landing, name="landing"),
    path("api", openapi, name="openapi"),
    path("conformance", conformance, name="conformance"),
    path("collections", collections, name="collections"),
    path("collections/<str:collection_id>", collection, name="collection"),
    path("collections/<str:collection_id>/items", items, name="items"),
    path("collections/<str:collection_id>/items/<str:feature_id>", item, name="item"),
    path("tileMatrixSets", tile_matrix_sets, name="tile-matrix-sets"),
    path("tileMatrixSets/<str:tms_id>", tile_matrix_set, name="tile-matrix-set"),
    path("collections/<str:collection_id>/tiles", tilesets, name="tilesets"),
    path("collections/<str:collection_id>/tiles/<str:tms_id>", tileset, name="tileset"),
    path("collections/<str:collection_id>/tiles/<str:tms_id>/<str:z>/<str:y>/<str:x>", tile, name="tile"),
]
