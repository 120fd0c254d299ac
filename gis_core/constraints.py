"""Check constraints that every app's models use, with messages that name the field."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gis_core.functions import IsValidGeom


def valid_geom(field: str, table: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=IsValidGeom(field),
        name=f"{table}_{field}_valid",
        violation_error_message=_("La geometría no es válida (anillos abiertos, autointersecciones…)."),
    )


def non_negative(field: str, table: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 0}),
        name=f"{table}_{field}_non_negative",
        violation_error_message=_("«%(field)s» no puede ser negativo.") % {"field": field},
    )


def percentage(field: str, table: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 0, f"{field}__lte": 100}),
        name=f"{table}_{field}_pct_range",
        violation_error_message=_("«%(field)s» debe estar entre 0 y 100.") % {"field": field},
    )
