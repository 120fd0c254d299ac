"""Restricted household payloads. Only ever called on rows returned by priority_zones.access."""

from __future__ import annotations

from priority_zones.models import Diagnostic, Household, Person

HOUSEHOLD_FIELDS = (
    "folio",
    "instrument_version",
    "ambito",
    "floor",
    "roof",
    "wall",
    "rooms",
    "bedrooms",
    "residents",
    "water",
    "drainage",
    "electricity",
    "cooking_fuel",
    "has_chimney",
    "food_security",
    "food_groups",
)
PERSON_FIELDS = tuple(f.name for f in Person._meta.concrete_fields if f.name not in ("id", "household"))
DIAGNOSTIC_FIELDS = (
    "version",
    "methodology_version",
    "poverty_line_id",
    "rezago_educativo",
    "acceso_salud",
    "seguridad_social",
    "calidad_vivienda",
    "servicios_basicos",
    "alimentacion",
    "carencias_count",
    "income_per_capita",
    "income_estimated",
    "income_method",
    "poverty_class",
    "person_results",
)


def diagnostic(d: Diagnostic | None) -> dict | None:
    if d is None:
        return None
    out = {name: getattr(d, name) for name in DIAGNOSTIC_FIELDS}
    out["computed_at"] = d.computed_at.isoformat()
    return out


def household(h: Household, with_persons: bool = False) -> dict:
    out = {"id": h.pk, **{name: getattr(h, name) for name in HOUSEHOLD_FIELDS}}
    out.update(
        survey_date=h.survey_date.isoformat(),
        municipio=h.municipio.cvegeo,
        lon=h.location.x,
        lat=h.location.y,
        diagnostic=diagnostic(h.latest_diagnostic),
    )
    if with_persons:
        out["persons"] = [{name: getattr(p, name) for name in PERSON_FIELDS} for p in h.persons.all()]
    return out
