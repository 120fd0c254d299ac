"""Tile, TileJSON and style endpoints: thin views over the registry, the tile cache and the raster module."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gis_core.http import problem, shared_briefly, tile_response
from gis_core.storage import local_file
from gis_core.tiles import TileCoord, TileError
from layers import access, documents, raster
from layers.filters import Filters, parse_filters
from layers.registry import Layer, get_layer
from layers.tilecache import Tile, edge_asks
from layers.tilecache import vector_tile as vector_tile_of

log = logging.getLogger(__name__)

# A URL carrying the current data version never changes content; any other URL revalidates.
VERSIONED = "public, max-age=86400"
REVALIDATE = "public, max-age=0, must-revalidate"
RESTRICTED = "private, max-age=0, must-revalidate"


def _layer_for(request: HttpRequest, name: str) -> Layer | HttpResponse:
    layer = get_layer(name)
    if layer is None:
        return problem(404, _("No existe la capa «%(name)s».") % {"name": name}, title=_("Capa desconocida"))
    if not access.may_view(layer, request.user):
        return problem(403, _("Esta capa es de acceso restringido."), title=_("Acceso denegado"))
    return layer


def _bad(exc: TileError) -> JsonResponse:
    return problem(400, exc.message, parameter=exc.param)


@require_GET
def vector_tile(request: HttpRequest, layer: str, z: str, x: str, y: str) -> HttpResponse:
    found = _layer_for(request, layer)
    if isinstance(found, HttpResponse):
        return found
    try:
        coord, filters = parse_tile_request(found, z, x, y, request.GET)
        filters = access.scope_filters(found, request.user, filters)
    except TileError as exc:
        return _bad(exc)
    tile = vector_tile_of(found, coord, filters, edge_asks(request) if found.public else None)
    if not found.public:
        access.log_tile_read(found, request)
        return tile_response(
            request, tile.body, tile.etag, cache_control=RESTRICTED, vary="Cookie", on_close=tile.store
        )
    return public_tile_response(request, tile)


def parse_tile_request(
    layer: Layer, z: str, x: str, y: str, query: Mapping[str, str]
) -> tuple[TileCoord, Filters]:
    """The tile and its normalised filters, or TileError naming the bad part (no SQL runs)."""
    return TileCoord.parse(z, x, y, minzoom=layer.minzoom, maxzoom=layer.maxzoom), parse_filters(layer, query)


def public_tile_response(request: HttpRequest, tile: Tile) -> HttpResponse:
    """A public tile's response, from this view or from the cache (layers.middleware) alike."""
    current = request.GET.get("v") == str(tile.version)
    return tile_response(
        request,
        tile.body,
        tile.etag,
        cache_control=VERSIONED if current else REVALIDATE,
        on_close=tile.store,
    )


@require_GET
def tilejson(request: HttpRequest, layer: str) -> HttpResponse:
    found = _layer_for(request, layer)
    if isinstance(found, HttpResponse):
        return found
    try:
        parse_filters(found, request.GET)
    except TileError as exc:
        return _bad(exc)
    response = JsonResponse(documents.tilejson(request, found, request.GET))
    # Its tile URLs carry the current version: shared caches may keep it a few seconds only.
    response["Cache-Control"] = RESTRICTED if not found.public else shared_briefly()
    return response


@require_GET
def style(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(documents.style(request))
    response["Cache-Control"] = shared_briefly()
    return response


@require_GET
def raster_tile(request: HttpRequest, name: str, z: str, x: str, y: str) -> HttpResponse:
    layer = raster.get_public_raster(name)
    try:
        coord = TileCoord.parse(z, x, y, minzoom=layer.minzoom, maxzoom=layer.maxzoom)
    except TileError as exc:
        return _bad(exc)
    try:
        body, etag = raster.cached_tile(layer, coord)
    except raster.RasterUnavailable as exc:
        log.error("raster tile %s/%s: %s", name, coord, exc.__cause__)
        response = problem(503, exc.message, title=_("Capa ráster no disponible"), layer=name)
        response["Cache-Control"] = "no-store"
        return response
    current = request.GET.get("v") == str(layer.version)
    return tile_response(
        request, body, etag, cache_control=VERSIONED if current else REVALIDATE, content_type="image/png"
    )


@require_GET
def raster_legend(request: HttpRequest, name: str) -> HttpResponse:
    response = JsonResponse(raster.legend(raster.get_public_raster(name)))
    response["Cache-Control"] = REVALIDATE
    return response


_ARCHIVE = re.compile(r"^[a-z_]+(?:-[0-9]{4})?\.v[0-9]+\.pmtiles$")
_RANGE = re.compile(r"^bytes=([0-9]*)-([0-9]*)$")


@require_GET
def pmtiles_archive(request: HttpRequest, filename: str) -> HttpResponse:
    """A PMTiles archive (layers.pmtiles) with single-range requests, as nginx or S3 would answer."""
    path = local_file(default_storage, f"pmtiles/{filename}") if _ARCHIVE.match(filename) else None
    if path is None or not path.is_file():
        raise Http404(filename)
    size = path.stat().st_size
    start, end, status = 0, size - 1, 200
    wanted = request.headers.get("Range", "")
    if wanted:
        match = _RANGE.match(wanted.strip())
        first, last = (match[1], match[2]) if match else ("", "")
        if match and first:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
        elif match and last:
            start = max(size - int(last), 0)
        if not match or (not first and not last) or start > end or start >= size:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        status = 206
    with path.open("rb") as archive:
        archive.seek(start)
        body = archive.read(end - start + 1)
    response = HttpResponse(body, status=status, content_type="application/vnd.pmtiles")
    response["Accept-Ranges"] = "bytes"
    response["Content-Length"] = str(len(body))
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    # The name carries the data version: the content of this URL never changes.
    response["Cache-Control"] = VERSIONED
    return response
