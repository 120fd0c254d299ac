"""The works collection of OGC API - Features (gis_core.ogc), filtered by the work filters."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gis_core.ogc import Collection
from works_map.filters import WORK_PARAMS, filter_works
from works_map.models import Work

# OGC's own name for the year, kept from before the work filters were shared: a property name,
# as OGC clients filter by queryable properties.
ALIASES = {"fiscal_year": "year"}


class WorkItemFilters:
    def params(self) -> Mapping[str, str]:
        described = {name: str(param.help_text) for name, param in WORK_PARAMS.items()}
        return {**described, **{alias: described[name] for alias, name in ALIASES.items()}}

    def apply(self, queryset: QuerySet, query: Mapping[str, str]) -> QuerySet:
        return filter_works(queryset, query, aliases=ALIASES)  # type: ignore[arg-type]


def _works() -> QuerySet:
    return Work.objects.published()


WORKS = Collection(
    "works",
    _("Obras y acciones"),
    _("Obras y acciones públicas publicadas, por ejercicio fiscal."),
    _works,
    {
        "folio": "folio",
        "fiscal_year": "fiscal_year",
        "name": "name",
        "status": "status",
        "category": "category__code",
        "municipio": "municipio__cvegeo",
        "amount_approved": "amount_approved",
        "amount_exercised": "amount_exercised",
        "physical_progress": "physical_progress",
    },
    {"folio": "folio"},
    "fiscal_year",
    WorkItemFilters(),
)
