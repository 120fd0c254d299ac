"""Geometry intake: one place that decides what a valid geometry is and says why one is not."""

from __future__ import annotations

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Guanajuato with a generous margin (lon/lat). Anything stored must fall inside it.
GTO_BOUNDS = (-102.3, 19.7, -99.4, 22.1)
STORAGE_SRID = 4326
AREA_SRID = 6372  # INEGI ITRF2008 LCC: metres, for areas and buffers


def ensure_srid(geom: GEOSGeometry, field: str = "geom") -> GEOSGeometry:
    """Return geom in EPSG:4326, transforming when it carries another SRID."""
    if geom.srid is None:
        raise ValidationError({field: _("La geometría no declara su sistema de referencia (SRID).")})
    if geom.srid != STORAGE_SRID:
        try:
            geom = geom.transform(STORAGE_SRID, clone=True)
        except Exception as exc:  # GDAL raises several error types for unknown SRIDs
            raise ValidationError(
                {field: _("No se pudo transformar desde EPSG:%(srid)s.") % {"srid": geom.srid}}
            ) from exc
    return geom


def check_inside_state(geom: GEOSGeometry, field: str = "geom") -> None:
    xmin, ymin, xmax, ymax = geom.extent
    bx0, by0, bx1, by1 = GTO_BOUNDS
    if xmin < bx0 or xmax > bx1 or ymin < by0 or ymax > by1:
        if by0 <= xmin <= by1 and bx0 <= ymin <= bx1:
            raise ValidationError(
                {field: _("Coordenadas con el orden de ejes invertido (lat, lon): use lon, lat.")}
            )
        raise ValidationError({field: _("La geometría queda fuera de Guanajuato.")})


def validate_geometry(geom: GEOSGeometry, field: str = "geom") -> GEOSGeometry:
    geom = ensure_srid(geom, field)
    if geom.empty:
        raise ValidationError({field: _("La geometría está vacía.")})
    if not geom.valid:
        raise ValidationError({field: _("Geometría inválida: %(reason)s") % {"reason": geom.valid_reason}})
    check_inside_state(geom, field)
    return geom


def as_multipolygon(geom: GEOSGeometry, field: str = "geom") -> MultiPolygon:
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon(geom, srid=geom.srid)
    raise ValidationError(
        {field: _("Se esperaba un polígono, se recibió %(type)s.") % {"type": geom.geom_type}}
    )
