"""Thin views: household data through the access gate, public figures through disclosure control."""

from __future__ import annotations

import csv

from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from gis_core.geometry import validate_geometry
from gis_core.http import problem
from priority_zones import access, disclosure, household_payloads, summaries
from priority_zones.models import Household, Zone

LIST_LIMIT = 100


def _year(request: HttpRequest) -> int | None:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return None
    return year if 2000 <= year <= 2100 else None


@require_GET
def need_investment(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    if year is None:
        return problem(400, _("El parámetro «year» debe ser un año entre 2000 y 2100."))
    table = summaries.need_versus_investment(year)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="necesidad-inversion-{year}.csv"'
        csv.writer(response).writerows(summaries.need_versus_investment_csv_rows(table))
        return response
    return JsonResponse({"year": year, "disclosure_rules": disclosure.RULES_URL, "zones": table})


@csrf_exempt  # read-only: a POST only carries a polygon too long for a query string
@require_http_methods(["GET", "POST"])
def need_summary(request: HttpRequest) -> HttpResponse:
    """Public need figures for a published zone (?zone=id) or a drawn polygon (GeoJSON body/?geom=)."""
    if request.GET.get("zone"):
        try:
            area = Zone.objects.published().get(pk=int(request.GET["zone"]))
        except (ValueError, Zone.DoesNotExist):
            return problem(404, _("Zona inexistente o no publicada."), title=_("No encontrado"))
        return JsonResponse(disclosure.household_need_summary(area))
    raw = request.body.decode() if request.method == "POST" else request.GET.get("geom", "")
    try:
        geom = validate_geometry(GEOSGeometry(raw, srid=4326))
    except (GEOSException, ValueError, TypeError):
        return problem(400, _("Envíe «zone» o una geometría GeoJSON válida en «geom»."))
    except ValidationError as exc:
        return problem(400, " ".join(exc.messages))
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return problem(400, _("La geometría debe ser un polígono."))
    return JsonResponse(disclosure.household_need_summary(geom))


def _gate_error(exc: Exception) -> JsonResponse:
    if isinstance(exc, PermissionDenied):
        return problem(403, str(exc), title=_("Acceso denegado"))
    return problem(400, str(exc))


@require_GET
def household_list(request: HttpRequest) -> HttpResponse:
    try:
        qs = Household.objects.all()
        if request.GET.get("municipio"):
            qs = qs.filter(municipio__cvegeo=request.GET["municipio"])
        rows = access.read_households(
            request.user,
            purpose=request.GET.get("proposito"),
            queryset=qs,
            query=request.get_full_path(),
            limit=LIST_LIMIT,
        )
    except (PermissionDenied, access.PurposeRequired) as exc:
        return _gate_error(exc)
    return JsonResponse({"results": [household_payloads.household(h) for h in rows], "limit": LIST_LIMIT})


@require_GET
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        household = access.read_household(request.user, pk, purpose=request.GET.get("proposito"))
    except (PermissionDenied, access.PurposeRequired) as exc:
        return _gate_error(exc)
    except Household.DoesNotExist:
        return problem(404, _("Hogar inexistente o fuera de su ámbito."), title=_("No encontrado"))
    return JsonResponse(household_payloads.household(household, with_persons=True))


# --- public report card of a zone (issue 5) --------------------------------------------------------


@require_GET
def zone_card(request: HttpRequest, pk: int) -> HttpResponse:
    from django.shortcuts import get_object_or_404, render

    from gis_core.access import visible_zones
    from works_map import pages

    zone = get_object_or_404(visible_zones(request.user), pk=pk)
    return render(request, "priority_zones/zone_card.html", pages.zone_card(zone, request.GET.get("pagina")))
