"""Public pages of works: thin views over works_map.pages (which reads through summaries)."""

from __future__ import annotations

import csv

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gis_core.geometry import parse_integer
from gis_core.http import problem
from priority_zones import disclosure
from priority_zones.access import visible_zones
from priority_zones.models import Municipio
from works_map import need_investment, pages


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "works_map/home.html", pages.home_options())


@require_GET
def work_detail(request: HttpRequest, pk: int) -> HttpResponse:
    work = get_object_or_404(pages.visible_works(request.user), pk=pk)
    return render(request, "works_map/work_detail.html", pages.work_page(work))


@require_GET
def municipio_card(request: HttpRequest, cvegeo: str) -> HttpResponse:
    municipio = get_object_or_404(Municipio, cvegeo=cvegeo)
    context = pages.municipio_card(municipio, request.GET.get("pagina"))
    return render(request, "works_map/municipio_card.html", context)


@require_GET
def place_search(request: HttpRequest) -> JsonResponse:
    """Municipios and localidades by name, or a postal code's municipios, for "Obras cerca de mí"
    (fewer than 2 letters, or an unknown postal code: none)."""
    return JsonResponse({"results": pages.place_search(request.GET.get("q", "")[:80])})


@require_GET
def zone_card(request: HttpRequest, pk: int) -> HttpResponse:
    zone = get_object_or_404(visible_zones(request.user), pk=pk)
    return render(request, "works_map/zone_card.html", pages.zone_card(zone, request.GET.get("pagina")))


def _year(request: HttpRequest) -> int | None:
    try:
        return parse_integer(request.GET.get("year"), "year", 2000, 2100)
    except ValidationError:
        return None


@require_GET
def need_investment_table(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    if year is None:
        return problem(400, _("El parámetro «year» debe ser un año entre 2000 y 2100."))
    table = need_investment.need_versus_investment(year)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="necesidad-inversion-{year}.csv"'
        csv.writer(response).writerows(need_investment.need_versus_investment_csv_rows(table))
        return response
    return JsonResponse({"year": year, "disclosure_rules": disclosure.RULES_URL, "zones": table})
