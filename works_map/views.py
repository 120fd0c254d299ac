"""Public pages of works: thin views over works_map.pages (which reads through summaries)."""

from __future__ import annotations

import csv

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gis_core import tables as tables_io
from gis_core.geometry import parse_integer
from gis_core.http import problem
from priority_zones import disclosure
from priority_zones.access import visible_zones
from priority_zones.models import Municipio
from works_map import card_tables, catalogue, need_investment, pages, standalone_maps
from works_map.models import PublicArea

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def site_url(request: HttpRequest) -> str:
    """This site's address as the request reached it: the links back from a downloaded file."""
    return request.build_absolute_uri("/").rstrip("/")


def map_download(
    request: HttpRequest, works, subject: standalone_maps.MapSubject, filename: str
) -> HttpResponse:
    """A standalone HTML map as an attachment, or a 400 when the selection is too large for one file."""
    try:
        document = standalone_maps.works_map_html(works, subject, site_url(request))
    except standalone_maps.TooManyWorks as exc:
        return problem(
            400,
            _("El mapa admite hasta %(n)s obras; acote la selección con filtros.") % {"n": exc.limit},
            parameter=None,
        )
    response = HttpResponse(document, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def municipio_map(request: HttpRequest, cvegeo: str) -> HttpResponse:
    municipio = get_object_or_404(Municipio, cvegeo=cvegeo)
    works = pages.municipio_works(municipio)
    subject = standalone_maps.MapSubject(
        municipio.name, _("Municipio · CVEGEO %(cvegeo)s") % {"cvegeo": municipio.cvegeo}, municipio.geom
    )
    return map_download(request, works, subject, f"mapa-municipio-{municipio.cvegeo}.html")


@require_GET
def zone_map(request: HttpRequest, pk: int) -> HttpResponse:
    zone = get_object_or_404(visible_zones(request.user), pk=pk)
    works = pages.zone_works(zone)
    subject = standalone_maps.MapSubject(
        zone.name,
        _("%(kind)s · ejercicio fiscal %(year)s")
        % {"kind": zone.get_kind_display(), "year": zone.fiscal_year},
        zone.geom,
    )
    return map_download(request, works, subject, f"mapa-zona-{zone.pk}.html")


def card_download(request: HttpRequest, context: dict, works, name: str, subtitle: str, table: str | None):
    """The card's tables: one as CSV (`table` is its slug) or all as one XLSX workbook."""
    tables = card_tables.card_tables(context, works)
    if table is None:
        body = tables_io.to_xlsx(tables, context["area"].name, subtitle, timezone.localtime())
        response = HttpResponse(body, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    found = next((t for t in tables if t.slug == table), None)
    if found is None:
        valid = ", ".join(t.slug for t in tables)
        return problem(
            404, _("Tabla desconocida; las de esta ficha son: %(v)s.") % {"v": valid}, parameter="table"
        )
    response = HttpResponse(tables_io.to_csv(found), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{table}.csv"'
    return response


@require_GET
def municipio_tables(request: HttpRequest, cvegeo: str, table: str | None = None) -> HttpResponse:
    municipio = get_object_or_404(Municipio, cvegeo=cvegeo)
    context = pages.municipio_card(municipio, None)
    subtitle = _("Ficha del municipio, CVEGEO %(c)s") % {"c": cvegeo}
    return card_download(
        request, context, pages.municipio_works(municipio), f"ficha-municipio-{cvegeo}", subtitle, table
    )


@require_GET
def zone_tables(request: HttpRequest, pk: int, table: str | None = None) -> HttpResponse:
    zone = get_object_or_404(visible_zones(request.user), pk=pk)
    context = pages.zone_card(zone, None)
    subtitle = _("Ficha de la zona: %(kind)s, ejercicio %(year)s") % {
        "kind": zone.get_kind_display(),
        "year": zone.fiscal_year,
    }
    return card_download(request, context, pages.zone_works(zone), f"ficha-zona-{zone.pk}", subtitle, table)


@require_GET
def data_catalogue(request: HttpRequest) -> HttpResponse:
    return render(request, "works_map/datos.html", catalogue.catalogue_page())


@require_GET
def data_catalogue_dcat(request: HttpRequest) -> JsonResponse:
    """DCAT-US 1.1 (data.json), for CKAN's harvesters and any other catalogue."""
    return JsonResponse(
        catalogue.dcat_catalogue(site_url(request)), json_dumps_params={"ensure_ascii": False}
    )


@require_GET
def place_search(request: HttpRequest) -> JsonResponse:
    """Municipios and localidades by name, or a postal code's municipios, for "Obras cerca de mí"
    (fewer than 2 letters, or an unknown postal code: none)."""
    return JsonResponse({"results": pages.place_search(request.GET.get("q", "")[:80])})


@require_GET
def zone_card(request: HttpRequest, pk: int) -> HttpResponse:
    zone = get_object_or_404(visible_zones(request.user), pk=pk)
    return render(request, "works_map/zone_card.html", pages.zone_card(zone, request.GET.get("pagina")))


@require_GET
def area_card(request: HttpRequest, code: str) -> HttpResponse:
    area = get_object_or_404(PublicArea, code=code)
    return render(request, "works_map/area_card.html", pages.area_card(area, request.GET.get("pagina")))


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
