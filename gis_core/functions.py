"""PostGIS functions Django lacks, as ORM expressions named like django.contrib.gis's."""

from __future__ import annotations

from django.contrib.gis.db.models import GeometryField
from django.db.models import BooleanField, Func, IntegerField


class IsValidGeom(Func):
    """ST_IsValid usable inside CheckConstraint (Django's IsValid is for annotations)."""

    function = "ST_IsValid"
    output_field = BooleanField()


class SRID(Func):
    function = "ST_SRID"
    output_field = IntegerField()


class PointOnSurface(Func):
    function = "ST_PointOnSurface"
    output_field = GeometryField(srid=4326)


class GeometryType(Func):
    function = "GeometryType"
