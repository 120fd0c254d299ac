"""Shapes the planner's drawing tools need from the server: a buffer in metres around a line, the place
(municipio, localidad) a drawn geometry falls in."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.gis.gdal.error import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, LineString
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gis_core.geometry import check_inside_state
from priority_zones.models import Localidad, Municipio

MAX_BUFFER_METRES = 5000
MAX_LINE_VERTICES = 2000
# INEGI's Lambert conformal conic for Mexico: metres, small distortion across Guanajuato.
METRIC_SRID = 6372


def buffer_line(geometry: Any, metres: Any) -> GEOSGeometry:
    """Raises ValueError with a message naming what is wrong."""
    try:
        distance = float(metres)
    except (TypeError, ValueError):
        raise ValueError(_("«metres» debe ser un número.")) from None
    if not 1 <= distance <= MAX_BUFFER_METRES:
        raise ValueError(_("«metres» debe estar entre 1 y %(max)s.") % {"max": MAX_BUFFER_METRES})
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") != "LineString":
        raise ValueError(_("«geometry» debe ser una LineString GeoJSON."))
    try:
        line = GEOSGeometry(json.dumps(geometry), srid=4326)
    except (GEOSException, GDALException, ValueError, TypeError):
        raise ValueError(_("«geometry» no es GeoJSON válido.")) from None
    if not isinstance(line, LineString) or line.num_points < 2 or line.num_points > MAX_LINE_VERTICES:
        raise ValueError(_("La línea necesita entre 2 y %(max)s vértices.") % {"max": MAX_LINE_VERTICES})
    try:
        check_inside_state(line, "geometry")
    except ValidationError as error:
        raise ValueError(" ".join(error.messages)) from None
    metric = line.transform(METRIC_SRID, clone=True)
    area = metric.buffer(distance, quadsegs=8)
    area.transform(4326)
    return area


def place_of(geom: GEOSGeometry) -> tuple[Municipio | None, Localidad | None]:
    """The municipio, and the localidad when its polygon is loaded, where a work's representative point
    lies: the same point (ST_PointOnSurface) the database keeps and the scope check reads."""
    point = geom.point_on_surface
    point.srid = geom.srid
    municipio = Municipio.objects.filter(geom__intersects=point).order_by("cvegeo").first()
    if municipio is None:
        return None, None
    localidad = (
        Localidad.objects.filter(municipio=municipio, geom__intersects=point).order_by("cvegeo").first()
    )
    return municipio, localidad
