"""Public pages of works: thin views over works_map.pages (which reads through summaries)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from priority_zones.models import Municipio
from works_map import pages


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
