"""Thin views: child records through growth.access, public figures through growth.disclosure."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gis_core.geometry import parse_id, parse_point, parse_polygon
from gis_core.http import problem
from growth import access, actions, disclosure, pages, screening
from growth.measurements import MeasurementError
from growth.models import Centre, Child, GrowthAccessLog, GuidanceText, Referral
from priority_zones.models import Household, Municipio, Person, Zone

# --- public: aggregates and the caregiver's screening --------------------------------------------------


@csrf_exempt  # read-only: a POST only carries a polygon too long for a query string
@require_http_methods(["GET", "POST"])
def indicators(request: HttpRequest) -> HttpResponse:
    """Disclosure-controlled prevalence: ?by=zone|municipio, ?zone=id, ?municipio=cvegeo, or a polygon."""
    by = request.GET.get("by", "")
    if by:
        if by not in ("zone", "municipio"):
            return problem(400, _("«by» debe ser «zone» o «municipio»."), parameter="by")
        qs = Zone.objects.published() if by == "zone" else Municipio.objects.all()
        figures = disclosure.areas_summary(qs)
        names = dict(qs.values_list("pk", "name"))
        key = "id" if by == "zone" else "cvegeo"
        keys = dict(qs.values_list("pk", "pk" if by == "zone" else "cvegeo"))
        rows = [
            {key: keys[pk], "name": names[pk], **figures[pk]}
            for pk in sorted(figures, key=lambda p: names[p])
        ]
        return JsonResponse({"by": by, "rules": disclosure.RULES_URL, "results": rows})
    if request.GET.get("zone"):
        zone = Zone.objects.published().filter(pk=parse_id(request.GET["zone"])).first()
        if zone is None:
            return problem(404, _("Zona inexistente o no publicada."), title=_("No encontrado"))
        return JsonResponse(disclosure.area_summary(zone))
    if request.GET.get("municipio"):
        municipio = Municipio.objects.filter(cvegeo=request.GET["municipio"][:5]).first()
        if municipio is None:
            return problem(404, _("Municipio inexistente."), title=_("No encontrado"), parameter="municipio")
        return JsonResponse(disclosure.area_summary(municipio.geom))
    raw = request.body if request.method == "POST" else request.GET.get("geom", "")
    if not raw:
        return problem(400, _("Envíe «by», «zone», «municipio» o un polígono GeoJSON."), parameter="geom")
    try:
        geom = parse_polygon(raw, "geom")
    except ValidationError as exc:
        return problem(400, " ".join(exc.messages), parameter="geom")
    return JsonResponse(disclosure.area_summary(geom))


def _caregiver_centre(request: HttpRequest) -> Centre | None:
    if request.POST.get("lon") and request.POST.get("lat"):
        try:
            return actions.nearest_centre(parse_point(request.POST["lon"], request.POST["lat"]))
        except ValidationError:
            return None
    municipio = Municipio.objects.filter(cvegeo=request.POST.get("municipio", "")[:5]).first()
    if municipio is None:
        return None
    inside = Centre.objects.filter(municipio=municipio).order_by("name").first()
    return inside or actions.nearest_centre(municipio.geom.point_on_surface)


@require_http_methods(["GET", "POST"])
def caregiver_screening(request: HttpRequest) -> HttpResponse:
    """Phone-first questionnaire for a caregiver. Stores nothing: the answers stay in the request."""
    context: dict = {
        "municipios": Municipio.objects.order_by("name").values("cvegeo", "name"),
        "answers": screening.questionnaire()["answers"],
    }
    raw_birth = request.POST.get("fecha_nacimiento") or request.GET.get("fecha_nacimiento")
    status = 200
    if raw_birth:
        try:
            birth = dt.date.fromisoformat(raw_birth)
            band = screening.band_for(screening.age_months(birth, dt.date.today()))
            context.update(birth=birth, band=band)
            if request.method == "POST":
                outcome = screening.score(band, request.POST)
                context.update(
                    outcome=outcome,
                    result_label=pages.RESULT_LABELS[outcome.result],
                    guidance=pages.guidance_for(outcome.result, band["id"]),
                    centre=_caregiver_centre(request),
                    given=outcome.answers,
                )
        except ValueError as exc:
            status = 400
            context["error"] = (
                str(exc)
                if isinstance(exc, screening.ScreeningError)
                else _("Escriba la fecha de nacimiento como AAAA-MM-DD.")
            )
            context["given"] = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    context["questionnaire"] = screening.questionnaire()
    return render(request, "growth/screening.html", context, status=status)


# --- staff ---------------------------------------------------------------------------------------------


def _gate(request: HttpRequest) -> None:
    if not access.may_view_children(request.user):
        raise PermissionDenied(_("Esta sección es sólo para el personal de salud infantil autorizado."))


def _purpose(request: HttpRequest) -> str | None:
    return (request.GET.get("proposito") or request.POST.get("proposito") or "").strip() or None


@login_required
@require_GET
def staff_home(request: HttpRequest) -> HttpResponse:
    _gate(request)
    purpose = _purpose(request)
    context: dict = {"purpose": purpose or "", "centres": Centre.objects.order_by("name")}
    if purpose:
        try:
            context["due"] = access.read_children(
                request.user, pages.due_children(), purpose=purpose, query="pendientes de medición"
            )
        except access.PurposeRequired as exc:
            context["error"] = str(exc)
    return render(request, "growth/staff_home.html", context)


@login_required
@require_POST
def register_child(request: HttpRequest) -> HttpResponse:
    _gate(request)
    centre_id = parse_id(request.POST.get("centro"))
    centre = Centre.objects.filter(pk=centre_id).first() if centre_id is not None else None
    household = person = None
    folio = request.POST.get("folio", "").strip()
    if folio:
        household = Household.objects.filter(folio=folio[:32]).first()
        if household is None:
            return _staff_error(
                request, _("No hay un hogar del diagnóstico con el folio «%(f)s».") % {"f": folio[:32]}
            )
        number = parse_id(request.POST.get("renglon"))
        if number is not None:
            person = Person.objects.filter(household=household, number=number).first()
            if person is None:
                return _staff_error(
                    request, _("Ese hogar no tiene una persona en el renglón %(n)s.") % {"n": number}
                )
    try:
        birth = dt.date.fromisoformat(request.POST.get("fecha_nacimiento", ""))
    except ValueError:
        return _staff_error(request, _("Escriba la fecha de nacimiento como AAAA-MM-DD."))
    try:
        child = actions.do_register_child(
            actions.ChildInput(
                sex=request.POST.get("sexo", ""),
                birth_date=birth,
                consent=request.POST.get("consentimiento") == "1",
                privacy_notice_version=request.POST.get("aviso_privacidad", ""),
                caregiver_relationship=request.POST.get("parentesco", ""),
                centre=centre,
                household=household,
                person=person,
            ),
            request.user,
        )
    except MeasurementError as exc:
        return _staff_error(request, str(exc))
    return redirect(_child_url(child.pk, _("registro de una niña o niño nuevo")))


def _staff_error(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "growth/staff_error.html", {"message": message}, status=400)


def _child_url(pk: int, purpose: str) -> str:
    return reverse("growth:child", args=[pk]) + "?" + urlencode({"proposito": purpose})


@login_required
@require_GET
def child_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _gate(request)
    try:
        child = access.read_child(request.user, pk, purpose=_purpose(request))
    except access.PurposeRequired as exc:
        return render(request, "growth/purpose.html", {"message": str(exc)}, status=400)
    except Child.DoesNotExist:
        return render(
            request,
            "growth/staff_error.html",
            {"message": _("No existe o está fuera de su ámbito.")},
            status=404,
        )
    context = pages.child_page(child)
    context["purpose"] = _purpose(request)
    return render(request, "growth/child.html", context)


@login_required
@require_POST
def add_measurement(request: HttpRequest, pk: int) -> HttpResponse:
    _gate(request)
    try:
        child = access.child_for_write(request.user, pk)
        actions.do_record_measurement(
            child, request.POST, request.user, accept_flagged=request.POST.get("confirmar_atipico") == "1"
        )
    except Child.DoesNotExist:
        return render(
            request,
            "growth/staff_error.html",
            {"message": _("No existe o está fuera de su ámbito.")},
            status=404,
        )
    except MeasurementError as exc:
        return _staff_error(request, str(exc))
    return redirect(_child_url(pk, _("revisar la medición recién capturada")))


@login_required
@require_POST
def add_screening(request: HttpRequest, pk: int) -> HttpResponse:
    _gate(request)
    try:
        child = access.child_for_write(request.user, pk)
        actions.do_record_screening(child, request.POST, request.user)
    except Child.DoesNotExist:
        return render(
            request,
            "growth/staff_error.html",
            {"message": _("No existe o está fuera de su ámbito.")},
            status=404,
        )
    except screening.ScreeningError as exc:
        return _staff_error(request, str(exc))
    return redirect(_child_url(pk, _("revisar el tamizaje recién capturado")))


@login_required
@require_POST
def erase_child(request: HttpRequest, pk: int) -> HttpResponse:
    """Deletion on the caregiver's request (ARCO cancelación): typed confirmation of the code."""
    _gate(request)
    try:
        child = access.child_for_write(request.user, pk)
    except Child.DoesNotExist:
        return render(
            request,
            "growth/staff_error.html",
            {"message": _("No existe o está fuera de su ámbito.")},
            status=404,
        )
    if request.POST.get("confirmar_clave", "").strip() != child.code:
        return _staff_error(request, _("Para suprimir escriba la clave interna exacta de la niña o el niño."))
    actions.do_erase_child(child, request.user)
    return render(request, "growth/erased.html", {})


@login_required
@require_GET
def referrals(request: HttpRequest) -> HttpResponse:
    _gate(request)
    try:
        purpose = access.check_purpose(_purpose(request))
    except access.PurposeRequired as exc:
        return render(request, "growth/purpose.html", {"message": str(exc)}, status=400)
    rows = list(pages.referral_log(access.scoped_children(request.user))[:500])
    access.log(
        request.user,
        GrowthAccessLog.Action.LIST,
        purpose,
        [r.child_id for r in rows],
        "bitácora de referencias",
    )
    return render(
        request,
        "growth/referrals.html",
        {"rows": rows, "purpose": purpose, "statuses": Referral.Status.choices},
    )


@login_required
@require_POST
def referral_status(request: HttpRequest, pk: int) -> HttpResponse:
    _gate(request)
    referral = get_object_or_404(Referral, pk=pk, child__in=access.scoped_children(request.user))
    try:
        actions.do_set_referral_status(referral, request.POST.get("estado", ""), request.user)
    except MeasurementError as exc:
        return _staff_error(request, str(exc))
    return redirect(reverse("growth:referrals") + "?" + urlencode({"proposito": _purpose(request) or ""}))


@login_required
@require_http_methods(["GET", "POST"])
def import_measurements(request: HttpRequest) -> HttpResponse:
    _gate(request)
    context: dict = {"columns": actions.IMPORT_COLUMNS}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("archivo")
        if upload is None:
            context["error"], status = _("Elija un archivo CSV."), 400
        else:
            report = actions.do_import_measurements(upload.read(), request.user)
            context["report"] = report
            status = 200 if report.ok else 400
    return render(request, "growth/import.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def guidance(request: HttpRequest) -> HttpResponse:
    _gate(request)
    status = 200
    error = ""
    if request.method == "POST":
        text = get_object_or_404(GuidanceText, pk=parse_id(request.POST.get("id")))
        try:
            actions.do_save_guidance(
                text,
                title=request.POST.get("titulo", ""),
                body=request.POST.get("texto", ""),
                acting_user=request.user,
            )
        except MeasurementError as exc:
            error, status = str(exc), 400
        else:
            return redirect("growth:guidance")
    return render(
        request, "growth/guidance.html", {"texts": GuidanceText.objects.all(), "error": error}, status=status
    )


# --- staff API -------------------------------------------------------------------------------------------


@require_POST
def api_measurement(request: HttpRequest, pk: int) -> HttpResponse:
    """POST JSON {fecha_medicion, peso_kg, talla_cm, posicion, confirmar_atipico}: 201 or problem+json."""
    if not access.may_view_children(request.user):
        return problem(
            403, _("No tiene permiso para ver datos de crecimiento infantil."), title=_("Acceso denegado")
        )
    try:
        values = json.loads(request.body or b"{}")
        if not isinstance(values, dict):
            raise ValueError
    except ValueError:
        return problem(400, _("El cuerpo debe ser un objeto JSON."), parameter="body")
    try:
        child = access.child_for_write(request.user, pk)
        m = actions.do_record_measurement(
            child, values, request.user, accept_flagged=values.get("confirmar_atipico") is True
        )
    except Child.DoesNotExist:
        return problem(404, _("No existe o está fuera de su ámbito."), title=_("No encontrado"))
    except MeasurementError as exc:
        return problem(400, str(exc), parameter=exc.parameter)
    body = {
        "id": m.pk,
        "age_days": m.age_days,
        "z": {"wfa": m.z_wfa, "lhfa": m.z_lhfa, "wflh": m.z_wflh, "bmi": m.z_bmi},
        "flags": m.flags,
        "stunted": m.stunted,
        "wasted": m.wasted,
        "underweight": m.underweight,
        "overweight": m.overweight,
        "obese": m.obese,
    }
    return JsonResponse(body, status=201)
