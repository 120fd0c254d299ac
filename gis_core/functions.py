"""PostGIS functions Django lacks, as ORM expressions named like django.contrib.gis's."""

from __future__ import annotations

from django.contrib.gis.db.models import GeometryField
from django.db.models import BooleanField, FloatField, Func, IntegerField
from django.db.models.functions import Cast


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


class GeogDistance(Func):
    """ST_Distance of two geometries cast to geography: the true distance in metres on the spheroid."""

    function = "ST_Distance"
    output_field = FloatField()

    def __init__(self, a, b, **extra):
        geography = GeometryField(geography=True, srid=4326)
        super().__init__(Cast(a, geography), Cast(b, geography), **extra)


class KnnDistance(Func):
    """`a <-> b`: planar distance that PostgreSQL answers from the GiST index in ORDER BY (KNN)."""

    template = "(%(expressions)s)"
    arg_joiner = " <-> "
    output_field = FloatField()


class SimplifyPreserveTopology(Func):
    """ST_SimplifyPreserveTopology(geom, tolerance): fewer vertices, still valid; for display only."""

    function = "ST_SimplifyPreserveTopology"
    output_field = GeometryField(srid=4326)


class X(Func):
    """ST_X of a point: a float column, so thousands of points need no GEOS object each."""

    function = "ST_X"
    output_field = FloatField()


class Y(Func):
    function = "ST_Y"
    output_field = FloatField()
