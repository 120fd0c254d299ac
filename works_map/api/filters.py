"""Query-string filters for works, shared by the list, GeoJSON, export and summary endpoints."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from gis_core.geometry import parse_bbox
from priority_zones.models import Zone
from works_map.models import Work, WorkAgency, WorkFunding, WorkStatus


class WorkFilter(django_filters.FilterSet):
    bbox = django_filters.CharFilter(method="filter_bbox", help_text=_("minlon,minlat,maxlon,maxlat (CRS84)"))
    year = django_filters.NumberFilter(field_name="fiscal_year", min_value=2000, max_value=2100)
    status = django_filters.ChoiceFilter(choices=WorkStatus.choices)
    category = django_filters.CharFilter(
        method="filter_category", help_text=_("Clave de categoría y sus hijas")
    )
    agency = django_filters.CharFilter(method="filter_agency", help_text=_("Clave de dependencia ejecutora"))
    source = django_filters.CharFilter(
        method="filter_source", help_text=_("Clave de fuente de financiamiento")
    )
    municipio = django_filters.CharFilter(field_name="municipio__cvegeo", help_text=_("CVEGEO de 5 dígitos"))
    zone = django_filters.NumberFilter(method="filter_zone", help_text=_("Id de una zona publicada"))
    q = django_filters.CharFilter(method="filter_q", help_text=_("Texto en nombre o folio"))

    class Meta:
        model = Work
        fields: list[str] = []

    def filter_bbox(self, queryset, name, value):
        return queryset.in_bbox(parse_bbox(value, "bbox"))

    def filter_category(self, queryset, name, value):
        return queryset.filter(Q(category__code=value) | Q(category__code__startswith=f"{value}."))

    def filter_agency(self, queryset, name, value):
        return queryset.filter(
            Exists(WorkAgency.objects.filter(work=OuterRef("pk"), agency__code=value, role="EJECUTORA"))
        )

    def filter_source(self, queryset, name, value):
        return queryset.filter(Exists(WorkFunding.objects.filter(work=OuterRef("pk"), source__code=value)))

    def filter_zone(self, queryset, name, value):
        # A scalar subquery is planned once, so the point index still answers the intersection.
        geom = Subquery(Zone.objects.published().filter(pk=int(value)).values("geom")[:1])
        return queryset.within(geom)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(folio__iexact=value)) if value else queryset
