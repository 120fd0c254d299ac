"""Thin views: household data through the access gate, public figures through disclosure control."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from gis_core.geometry import parse_id, parse_polygon
from gis_core.http import problem
from priority_zones import access, disclosure, household_payloads
from priority_zones.models import Household, Zone

LIST_LIMIT = 100


@csrf_exempt  # read-only: a POST only carries a polygon too long for a query string
@require_http_methods(["GET", "POST"])
def need_summary(request: HttpRequest) -> HttpResponse:
    """Public need figures for a published zone (?zone=id) or a drawn polygon (GeoJSON body/?geom=)."""
    if request.GET.get("zone"):
        area = Zone.objects.published().filter(pk=parse_id(request.GET["zone"])).first()
        if area is None:
            return problem(404, _("Zona inexistente o no publicada."), title=_("No encontrado"))
        return JsonResponse(disclosure.household_need_summary(area))
    raw = request.body if request.method == "POST" else request.GET.get("geom", "")
    if not raw:
        return problem(400, _("Envíe «zone» o una geometría GeoJSON válida en «geom»."))
    try:
        geom = parse_polygon(raw, "geom")
    except ValidationError as exc:
        return problem(400, " ".join(exc.messages))
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
