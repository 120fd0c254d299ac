"""PostGIS functions Django lacks, as ORM expressions named like django.contrib.gis's."""

from __future__ import annotations

from django.contrib.gis.db.models import GeometryField
from django.db.models import BooleanField, FloatField, Func, IntegerField


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
    """ST_Distance on geography: true distance in metres on the spheroid."""

    function = "ST_Distance"
    template = "%(function)s(%(expressions)s)"
    arg_joiner = "::geography, "
    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        return sql[:-1] + "::geography)", params


class KnnDistance(Func):
    """`a <-> b`: planar distance that PostgreSQL answers from the GiST index in ORDER BY (KNN)."""

    template = "(%(expressions)s)"
    arg_joiner = " <-> "
    output_field = FloatField()
