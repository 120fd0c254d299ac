"""Check constraints that every app's models use, with messages that name the field; and the
message of a constraint the database enforced (`violation_message`), for writers that leave the
model constraints to the database instead of asking one query per constraint (an import)."""

from __future__ import annotations

from functools import cache

from django.apps import apps
from django.db import IntegrityError, models
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


@cache
def _messages_by_name() -> dict[str, str]:
    """Every model constraint of every installed app, by its database name."""
    return {
        constraint.name: str(constraint.get_violation_error_message())
        for model in apps.get_models()
        for constraint in model._meta.constraints
        if constraint.name
    }


def violation_message(error: IntegrityError) -> str:
    """What a person reads for a row the database refused: the violated constraint's own message
    (the one `full_clean` would have given), else the column a NOT NULL names, else the error."""
    diag = getattr(error.__cause__, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name and name in _messages_by_name():
        return _messages_by_name()[name]
    column = getattr(diag, "column_name", None)
    if column:
        return _("Falta el valor de «%(c)s».") % {"c": column}
    detail = getattr(diag, "message_primary", None) or str(error)
    return _("La base de datos rechazó la fila: %(d)s") % {"d": detail}
