"""Writes to layer definitions: registering a raster (GeoTIFF -> Cloud-Optimized GeoTIFF)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import rasterio
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rasterio.warp import transform_bounds
from rio_cogeo.cogeo import cog_translate, cog_validate
from rio_cogeo.profiles import cog_profiles

from layers.models import RasterLayer
from layers.raster import COLORMAPS, raster_root


def do_register_raster(
    name: str,
    source: Path,
    *,
    title: str,
    units: str = "",
    attribution: str = "",
    description: str = "",
    colormap: str = "population",
    minzoom: int = 6,
    maxzoom: int = 16,
    public: bool = True,
    counts_population: bool = False,
    acting_user=None,
) -> RasterLayer:
    """Convert `source` to a COG under RASTER_ROOT and create or update the layer (new data version)."""
    if colormap not in COLORMAPS:
        raise ValidationError(_("Paleta desconocida: %(c)s.") % {"c": colormap})
    try:
        with rasterio.open(source) as src:
            if src.crs is None:
                raise ValidationError(_("El ráster no declara su sistema de referencia."))
            if src.count != 1:
                raise ValidationError(_("Se espera un ráster de una banda; tiene %(n)s.") % {"n": src.count})
            if src.transform.is_identity or src.transform.determinant == 0:
                # GDAL's default when a file declares a CRS but no georeferencing: cells would be
                # placed at (column, row) "metres" from the origin, nowhere real.
                raise ValidationError(
                    _(
                        "El ráster declara su sistema de referencia (%(crs)s) pero no su georreferenciación "
                        "(transformación afín): no se puede ubicar."
                    )
                    % {"crs": src.crs.to_string()}
                )
            crs = src.crs.to_string()
            west, south, east, north = transform_bounds(src.crs, "EPSG:4326", *src.bounds, densify_pts=21)
    except (rasterio.errors.CRSError, rasterio.errors.TransformError) as exc:
        raise ValidationError(
            _("El sistema de referencia del ráster no se puede transformar a EPSG:4326: %(e)s") % {"e": exc}
        ) from exc
    except rasterio.errors.RasterioIOError as exc:
        raise ValidationError(_("No se pudo leer el ráster: %(e)s") % {"e": exc}) from exc

    existing = RasterLayer.objects.filter(name=name).first()
    version = existing.version + 1 if existing else 1
    root = raster_root()
    root.mkdir(parents=True, exist_ok=True)
    relative = f"{name}-v{version}.tif"
    fd, tmp = tempfile.mkstemp(suffix=".tif", dir=root)
    os.close(fd)
    try:
        # Averaged overviews: a coarser zoom shows the mean cell value of the area it covers.
        cog_translate(
            str(source),
            tmp,
            cog_profiles.get("deflate"),
            overview_resampling="average",
            quiet=True,
        )
        if not cog_validate(tmp)[0]:
            raise ValidationError(_("La conversión a COG no produjo un archivo válido."))
        os.replace(tmp, root / relative)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)

    with transaction.atomic():
        layer, _created = RasterLayer.objects.update_or_create(
            name=name,
            defaults={
                "title": title,
                "description": description,
                "units": units,
                "attribution": attribution,
                "source_name": Path(source).name,
                "cog_path": relative,
                "source_crs": crs,
                "west": west,
                "south": south,
                "east": east,
                "north": north,
                "minzoom": minzoom,
                "maxzoom": maxzoom,
                "colormap": colormap,
                "public": public,
                "counts_population": counts_population,
                "version": version,
            },
        )
        layer.full_clean()
    if existing and existing.cog_path != relative:
        (root / existing.cog_path).unlink(missing_ok=True)
    return layer
