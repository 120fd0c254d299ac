"""The zones and municipios collections of OGC API - Features (served by gis_core.ogc)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gis_core.ogc import Collection
from priority_zones.models import Municipio, Zone


def _zones() -> QuerySet:
    return Zone.objects.published()


def _municipios() -> QuerySet:
    return Municipio.objects.all()


ZONES = Collection(
    "zones",
    _("Zonas"),
    _("Zonas de Atención Prioritaria y zonas de intervención publicadas, por ejercicio fiscal."),
    _zones,
    {
        "kind": "kind",
        "fiscal_year": "fiscal_year",
        "cvegeo": "cvegeo",
        "name": "name",
        "municipio": "municipio__cvegeo",
    },
    {
        "kind": "kind",
        "fiscal_year": "fiscal_year",
        "cvegeo": "cvegeo",
        "municipio": "municipio__cvegeo",
    },
    "fiscal_year",
)

MUNICIPIOS = Collection(
    "municipios",
    _("Municipios"),
    _("Municipios de Guanajuato (Marco Geoestadístico de INEGI) con su población 2020."),
    _municipios,
    {"cvegeo": "cvegeo", "name": "name", "population_2020": "population_2020"},
    {"cvegeo": "cvegeo", "name": "name"},
)
