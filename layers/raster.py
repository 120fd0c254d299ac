"""Raster layers: Cloud-Optimized GeoTIFFs tiled to PNG by rio-tiler with a classed colormap and legend.

rio-tiler reprojects each tile from the file's CRS (GHS-POP is ESRI:54009, Mollweide) to Web
Mercator on the fly; nearest resampling keeps a cell's value (people per 100 m cell) exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rio_tiler.errors import TileOutsideBounds
from rio_tiler.io import Reader

from gis_core.tiles import TileCoord
from gis_core.zonal import CountRaster
from layers.models import RasterLayer
from layers.tilecache import etag_for

TILE_SIZE = 256


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


def raster_root() -> Path:
    return Path(getattr(settings, "RASTER_ROOT", Path(settings.MEDIA_ROOT) / "rasters"))


def cog_file(layer: RasterLayer) -> Path:
    return raster_root() / layer.cog_path


def population_rasters() -> list[CountRaster]:
    """The registered rasters whose cells count people, for zonal population (gis_core.zonal)."""
    return [
        CountRaster(
            name=layer.name,
            path=cog_file(layer),
            title=layer.title,
            bounds=(layer.west, layer.south, layer.east, layer.north),
            attribution=layer.attribution,
        )
        for layer in RasterLayer.objects.filter(counts_population=True).order_by("name")
    ]


def get_public_raster(name: str) -> RasterLayer:
    layer = RasterLayer.objects.filter(name=name, public=True).first()
    if layer is None:
        raise Http404(_("No existe la capa ráster «%(name)s».") % {"name": name})
    return layer


def render_png(layer: RasterLayer, coord: TileCoord) -> bytes:
    """The PNG of one tile, or b"" when the tile does not touch the data."""
    cmap = [((c.low, c.high), c.rgba) for c in COLORMAPS[layer.colormap]]
    with Reader(str(cog_file(layer))) as src:
        try:
            img = src.tile(coord.x, coord.y, coord.z, tilesize=TILE_SIZE, resampling_method="nearest")
        except TileOutsideBounds:
            return b""
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
