"""Writes to layer definitions: registering a raster (GeoTIFF -> Cloud-Optimized GeoTIFF in the media
storage), and moving the COGs of layers registered before that into the storage."""

from __future__ import annotations

import tempfile
from pathlib import Path

import rasterio
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from rasterio.warp import transform_bounds
from rio_cogeo.cogeo import cog_translate, cog_validate
from rio_cogeo.profiles import cog_profiles

from gis_core.storage import local_file
from layers.models import RasterLayer
from layers.raster import COLORMAPS, RASTER_DIR, is_legacy, legacy_raster_root


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
    """Convert `source` to a COG, store it in the media storage (`rasters/<name>-v<version>.tif`) and
    create or update the layer (new data version); the previous version's COG is then removed.
    A failure at any step leaves neither a new file nor a changed layer."""
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
    with tempfile.TemporaryDirectory(prefix="territorio-cog-") as tmp:
        cog = Path(tmp) / f"{name}.tif"
        # Averaged overviews: a coarser zoom shows the mean cell value of the area it covers.
        cog_translate(
            str(source),
            str(cog),
            cog_profiles.get("deflate"),
            overview_resampling="average",
            quiet=True,
        )
        if not cog_validate(str(cog))[0]:
            raise ValidationError(_("La conversión a COG no produjo un archivo válido."))
        with cog.open("rb") as handle:
            stored = default_storage.save(f"{RASTER_DIR}/{name}-v{version}.tif", File(handle))
    try:
        layer = _save_layer(
            name,
            {
                "title": title,
                "description": description,
                "units": units,
                "attribution": attribution,
                "source_name": Path(source).name,
                "cog_path": stored,
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
    except BaseException:
        default_storage.delete(stored)
        raise
    if existing and existing.cog_path != stored:
        _remove_cog(existing.cog_path)
    return layer


def _save_layer(name: str, values: dict) -> RasterLayer:
    with transaction.atomic():
        layer, _created = RasterLayer.objects.update_or_create(name=name, defaults=values)
        layer.full_clean()
    return layer


def _remove_cog(cog_path: str) -> None:
    if is_legacy(cog_path):
        (legacy_raster_root() / cog_path).unlink(missing_ok=True)
    else:
        default_storage.delete(cog_path)


def do_move_raster_to_storage(layer: RasterLayer, *, remove_old: bool = False) -> str:
    """Put the COG of a layer registered before the media storage (a bare `cog_path` under the old
    RASTER_ROOT) into the storage as `rasters/<cog_path>` and point the layer at it. The data and
    so the layer's version do not change (cached tiles stay valid). Returns what was done.

    On a filesystem storage whose `rasters/` is the old root (the default) the file is already in
    place and only the path changes. `remove_old` deletes the old file once the layer points at the
    new one. Raises ValidationError when the old file is missing.
    """
    if not is_legacy(layer.cog_path):
        return _("ya está en el almacenamiento")
    old = legacy_raster_root() / layer.cog_path
    if not old.is_file():
        raise ValidationError(
            _("Falta el archivo %(path)s de la capa «%(name)s».") % {"path": old, "name": layer.name}
        )
    target = f"{RASTER_DIR}/{layer.cog_path}"
    in_place = local_file(default_storage, target)
    if in_place is not None and in_place.resolve() == old.resolve():
        RasterLayer.objects.filter(pk=layer.pk).update(cog_path=target)
        return _("ya estaba en su lugar: solo cambia la ruta")
    with old.open("rb") as handle:
        stored = default_storage.save(target, File(handle))
    try:
        moved = RasterLayer.objects.filter(pk=layer.pk, cog_path=layer.cog_path).update(cog_path=stored)
    except BaseException:
        default_storage.delete(stored)
        raise
    if not moved:  # registered again meanwhile: the new version is already in the storage
        default_storage.delete(stored)
        return _("registrada de nuevo mientras tanto: nada que mover")
    if remove_old:
        old.unlink()
    return _("copiado a %(name)s") % {"name": stored}
