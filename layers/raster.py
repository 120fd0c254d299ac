"""Raster layers: Cloud-Optimized GeoTIFFs tiled to PNG by rio-tiler with a classed colormap and legend.

rio-tiler reprojects each tile from the file's CRS (GHS-POP is ESRI:54009, Mollweide) to Web
Mercator on the fly; nearest resampling keeps a cell's value (people per 100 m cell) exact.

The COGs live in the media storage (settings.MEDIA_STORAGE) under `rasters/`, shared by every app
host, and are read in place: from the shared directory, or from S3 through GDAL's /vsis3/ (range
requests: a tile reads only its blocks). Layers registered before that keep a bare file name in
`cog_path`, relative to the old RASTER_ROOT (default MEDIA_ROOT/rasters), and are still read there
until `manage.py move_rasters_to_storage` moves them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rasterio.errors import RasterioIOError
from rio_tiler.errors import TileOutsideBounds
from rio_tiler.io import Reader

from gis_core.storage import GdalSource, gdal_source
from gis_core.tiles import TileCoord
from gis_core.zonal import CountRaster
from layers.models import RasterLayer
from layers.tilecache import etag_for

TILE_SIZE = 256
# The folder of the media storage that holds the COGs.
RASTER_DIR = "rasters"


@dataclass(frozen=True)
class ColourClass:
    low: float
    high: float
    rgba: tuple[int, int, int, int]
    label: Any

    @property
    def hex(self) -> str:
        return "#{:02x}{:02x}{:02x}".format(*self.rgba[:3])


# Values below the first class (empty land) stay transparent, as does nodata.
COLORMAPS: dict[str, tuple[ColourClass, ...]] = {
    "population": (
        ColourClass(0.5, 5, (255, 255, 178, 210), gettext_lazy("menos de 5")),
        ColourClass(5, 15, (254, 217, 118, 210), gettext_lazy("5 a 15")),
        ColourClass(15, 40, (254, 178, 76, 210), gettext_lazy("15 a 40")),
        ColourClass(40, 80, (253, 141, 60, 210), gettext_lazy("40 a 80")),
        ColourClass(80, 150, (240, 59, 32, 210), gettext_lazy("80 a 150")),
        ColourClass(150, float("inf"), (189, 0, 38, 210), gettext_lazy("150 o más")),
    ),
}


def legacy_raster_root() -> Path:
    """Where layers registered before the media storage keep their COG (a bare `cog_path`)."""
    return Path(getattr(settings, "RASTER_ROOT", Path(settings.MEDIA_ROOT) / RASTER_DIR))


def is_legacy(cog_path: str) -> bool:
    return "/" not in cog_path


def cog_source(layer: RasterLayer) -> GdalSource:
    """Where GDAL reads the layer's COG from (see the module's docstring)."""
    if is_legacy(layer.cog_path):
        return GdalSource(str(legacy_raster_root() / layer.cog_path))
    return gdal_source(layer.cog_path)


class RasterUnavailable(Exception):
    """The layer's COG could not be read: missing from the storage, or the storage not answering."""

    def __init__(self, layer: RasterLayer, missing: bool) -> None:
        self.layer = layer
        self.missing = missing
        super().__init__(self.message)

    @property
    def message(self) -> str:
        if self.missing:
            return _(
                "El archivo de datos de la capa ráster «%(name)s» (versión %(version)s) no está en el "
                "almacenamiento de medios; hay que volver a registrarla."
            ) % {"name": self.layer.name, "version": self.layer.version}
        return _(
            "No se pudo leer el archivo de datos de la capa ráster «%(name)s»: el almacenamiento de "
            "medios no responde."
        ) % {"name": self.layer.name}


def cog_exists(layer: RasterLayer) -> bool:
    if is_legacy(layer.cog_path):
        return (legacy_raster_root() / layer.cog_path).is_file()
    return default_storage.exists(layer.cog_path)


def unavailable(layer: RasterLayer) -> RasterUnavailable:
    """The error for a COG that GDAL could not open: missing, or the storage unreachable."""
    try:
        missing = not cog_exists(layer)
    except Exception:  # the storage itself failing to answer
        missing = False
    return RasterUnavailable(layer, missing)


def population_rasters() -> list[CountRaster]:
    """The registered rasters whose cells count people, for zonal population (gis_core.zonal)."""
    rasters = []
    for layer in RasterLayer.objects.filter(counts_population=True).order_by("name"):
        source = cog_source(layer)
        rasters.append(
            CountRaster(
                name=layer.name,
                path=source.path,
                title=layer.title,
                bounds=(layer.west, layer.south, layer.east, layer.north),
                attribution=layer.attribution,
                gdal_options=source.options,
            )
        )
    return rasters


def get_public_raster(name: str) -> RasterLayer:
    layer = RasterLayer.objects.filter(name=name, public=True).first()
    if layer is None:
        raise Http404(_("No existe la capa ráster «%(name)s».") % {"name": name})
    return layer


def render_png(layer: RasterLayer, coord: TileCoord) -> bytes:
    """The PNG of one tile, or b"" when the tile does not touch the data."""
    cmap = [((c.low, c.high), c.rgba) for c in COLORMAPS[layer.colormap]]
    source = cog_source(layer)
    try:
        with source.env(), Reader(source.path) as src:
            try:
                img = src.tile(coord.x, coord.y, coord.z, tilesize=TILE_SIZE, resampling_method="nearest")
            except TileOutsideBounds:
                return b""
    except RasterioIOError as exc:
        raise unavailable(layer) from exc
    if img.mask is not None and not img.mask.any():
        return b""
    return img.render(img_format="PNG", colormap=cmap)


def cached_tile(layer: RasterLayer, coord: TileCoord) -> tuple[bytes, str]:
    key = f"png:{layer.name}:v{layer.version}:{coord}"
    cached = cache.get(key)
    if cached is None:
        body = render_png(layer, coord)
        cached = (body, etag_for(body))
        cache.set(key, cached)
    return cached


def legend(layer: RasterLayer) -> dict[str, Any]:
    return {
        "name": layer.name,
        "title": layer.title,
        "units": layer.units,
        "attribution": layer.attribution,
        "classes": [
            {
                "min": c.low,
                "max": None if c.high == float("inf") else c.high,
                "color": c.hex,
                "label": str(c.label),
            }
            for c in COLORMAPS[layer.colormap]
        ],
    }


def tile_url(request: HttpRequest, layer: RasterLayer) -> str:
    path = reverse("layers:raster-tile", args=[layer.name, 0, 0, 0]).removesuffix("0/0/0.png")
    return request.build_absolute_uri(path) + "{z}/{x}/{y}.png" + f"?v={layer.version}"


def raster_style_parts(request: HttpRequest) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """MapLibre sources and layers (hidden until the user turns them on) for the public rasters."""
    sources: dict[str, Any] = {}
    layers: list[dict[str, Any]] = []
    for layer in RasterLayer.objects.filter(public=True):
        source_id = f"raster-{layer.name}"
        sources[source_id] = {
            "type": "raster",
            "tiles": [tile_url(request, layer)],
            "tileSize": TILE_SIZE,
            "minzoom": layer.minzoom,
            "maxzoom": layer.maxzoom,
            "bounds": [layer.west, layer.south, layer.east, layer.north],
            "attribution": layer.attribution,
        }
        layers.append(
            {
                "id": source_id,
                "type": "raster",
                "source": source_id,
                "layout": {"visibility": "none"},
                "metadata": {
                    "territorio:title": layer.title,
                    "territorio:legend": reverse("layers:raster-legend", args=[layer.name]),
                },
            }
        )
    return sources, layers
