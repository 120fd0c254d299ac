"""Consultation and follow pages: thin views over pages (reads), actions and follows (writes)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from consultations import actions, follows, pages
from consultations.access import managed_consultations
from consultations.forms import AnswerForm, ConsultationForm, ErasureForm, ResultsForm
from consultations.models import Consultation
from consultations.privacy import address_hash
from gis_core.access import Action, may, require
from gis_core.geometry import parse_integer
from priority_zones.models import Municipio, Zone
from works_map.models import PublicArea, Work

MAX_ID = 2**63 - 1  # bigint keys


def _messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [m for ms in error.message_dict.values() for m in ms]
    return list(error.messages)


def _float(value: str | None, name: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except ValueError:
        raise ValidationError({name: _("«%(n)s» debe ser un número.") % {"n": name}}) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValidationError({name: _("«%(n)s» debe ser un número.") % {"n": name}})
    return number


@require_GET
def consultation_list(request: HttpRequest) -> HttpResponse:
    return render(request, "consultations/list.html", pages.listing())


@require_GET
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_object_or_404(Consultation.objects.select_related("zone", "work", "municipio"), pk=pk)
    return render(request, "consultations/detail.html", pages.detail(consultation))


@require_GET
def consultation_document(request: HttpRequest, pk: int) -> FileResponse:
    """The consulted document, as an attachment (the media directory itself is not served)."""
    consultation = get_object_or_404(Consultation.objects.exclude(document=""), pk=pk)
    try:
        handle = consultation.document.open("rb")
    except FileNotFoundError:
        raise Http404(_("El documento no está disponible.")) from None
    return FileResponse(handle, as_attachment=True, filename=consultation.document_name or "documento")


@require_POST
def opinion_submit(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_object_or_404(Consultation.objects.select_related("zone", "work", "municipio"), pk=pk)
    status, errors = 400, []
    try:
        data = actions.OpinionInput(
            text=request.POST.get("text", ""),
            email=request.POST.get("email", ""),
            lon=_float(request.POST.get("lon"), "lon"),
            lat=_float(request.POST.get("lat"), "lat"),
            honeypot=request.POST.get("website", ""),
        )
        actions.do_submit_opinion(consultation, data, address_hash=address_hash(request))
    except ValidationError as error:
        errors = _messages_of(error)
    except actions.Refused as refusal:
        status, errors = refusal.status, [str(refusal)]
    else:
        messages.success(request, _("Gracias: recibimos su opinión. Se publicará con su respuesta."))
        return redirect(f"{consultation.get_absolute_url()}#opinar")
    context = {**pages.detail(consultation), "errors": errors, "posted": request.POST}
    return render(request, "consultations/detail.html", context, status=status)


def _follow_target(source) -> dict:
    """The object to follow from ?obra=<id>, ?municipio=<cvegeo> or ?area=<code> (exactly one)."""
    given = [name for name in ("obra", "municipio", "area") if source.get(name)]
    if len(given) != 1:
        raise ValidationError({"obra": _("Indique una obra, un municipio o un área que seguir.")})
    name, value = given[0], source.get(given[0])
    if name == "obra":
        work_id = parse_integer(value, "obra", 1, MAX_ID)
        work = Work.objects.published().filter(pk=work_id).select_related("municipio").first()
        if work is None:
            raise ValidationError({"obra": _("No existe una obra publicada con ese número.")})
        return {"work": work}
    if name == "municipio":
        municipio = Municipio.objects.filter(cvegeo=value[:5]).first() if len(value) == 5 else None
        if municipio is None:
            raise ValidationError({"municipio": _("No existe un municipio con esa clave.")})
        return {"municipio": municipio}
    area = PublicArea.objects.filter(code=value).first() if len(value) == 8 else None
    if area is None:
        raise ValidationError({"area": _("No existe un área con ese código.")})
    return {"area": area}


@require_http_methods(["GET", "POST"])
def follow_form(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    try:
        target = _follow_target(source)
    except ValidationError as error:
        return render(request, "consultations/follow.html", {"errors": _messages_of(error)}, status=400)
    context = {"target": target, "object": next(iter(target.values())), "posted": request.POST}
    if request.method == "GET":
        return render(request, "consultations/follow.html", context)
    try:
        follows.do_request_follow(
            email=request.POST.get("email", ""),
            consent=request.POST.get("consent") == "on",
            address_hash=address_hash(request),
            honeypot=request.POST.get("website", ""),
            **target,
        )
    except ValidationError as error:
        return render(
            request, "consultations/follow.html", {**context, "errors": _messages_of(error)}, status=400
        )
    except actions.Refused as refusal:
        return render(
            request, "consultations/follow.html", {**context, "errors": [str(refusal)]}, status=refusal.status
        )
    return render(request, "consultations/follow_sent.html", context)


@require_http_methods(["GET", "POST"])
def follow_confirm(request: HttpRequest, token: str) -> HttpResponse:
    # GET shows a button; the POST confirms: a mail scanner that opens links confirms nothing.
    follow = follows.by_token(token)
    if follow is None:
        return render(request, "consultations/token_unknown.html", status=404)
    if request.method == "POST":
        follows.do_confirm_follow(follow)
    return render(
        request, "consultations/follow_confirm.html", {"follow": follow, "what": follows.describe(follow)}
    )


@csrf_exempt  # RFC 8058: the mail client's one-click POST has no CSRF token; the token authorises
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    follow = follows.by_token(token)
    if request.method == "POST":
        if follow is not None:
            follows.do_unsubscribe(follow)
        return render(request, "consultations/unsubscribed.html")
    if follow is None:
        return render(request, "consultations/token_unknown.html", status=404)
    return render(
        request, "consultations/unsubscribe.html", {"follow": follow, "what": follows.describe(follow)}
    )


@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "consultations/aviso.html")


# --- staff --------------------------------------------------------------------------------------


@login_required
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    actions.require_staff(request.user)
    return render(
        request, "consultations/staff_list.html", {"consultations": managed_consultations(request.user)[:200]}
    )


def _subject_objects(form: ConsultationForm, user) -> dict:
    data = form.cleaned_data
    found: dict = {}
    if data["subject"] == Consultation.Subject.ZONE:
        zone = Zone.objects.filter(pk=data["zone"]).first() if data["zone"] else None
        if zone is None or not may(user, Action.VIEW, zone):
            raise ValidationError({"zone": _("No existe esa zona.")})
        found["zone"] = zone
    elif data["subject"] == Consultation.Subject.WORK:
        work = Work.objects.filter(pk=data["work"]).first() if data["work"] else None
        if work is None or not may(user, Action.VIEW, work):
            raise ValidationError({"work": _("No existe esa obra.")})
        found["work"] = work
    else:
        found["document"] = data["document"]
    return found


@login_required
@require_http_methods(["GET", "POST"])
def staff_create(request: HttpRequest) -> HttpResponse:
    actions.require_staff(request.user)
    form = ConsultationForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consultation = actions.do_open_consultation(
                acting_user=request.user,
                title=data["title"],
                question=data["question"],
                description=data["description"],
                subject=data["subject"],
                opens_on=data["opens_on"],
                days=data["days"],
                municipio=data["municipio"],
                **_subject_objects(form, request.user),
            )
        except ValidationError as error:
            errors = _messages_of(error)
        except PermissionDenied as refusal:
            errors = [str(refusal)]
        else:
            messages.success(
                request, _("Consulta abierta; cierra el %(d)s.") % {"d": f"{consultation.closes_on:%d/%m/%Y}"}
            )
            return redirect("consultations:staff-detail", consultation.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "consultations/staff_create.html", {"form": form, "errors": errors}, status=status)


def _managed(request: HttpRequest, pk: int) -> Consultation:
    actions.require_staff(request.user)
    consultation = get_object_or_404(Consultation.objects.select_related("zone", "work", "municipio"), pk=pk)
    require(request.user, Action.CHANGE, consultation)
    return consultation


@login_required
@require_GET
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _managed(request, pk)
    context = {**pages.staff_detail(consultation), "answer_form": AnswerForm(), "results_form": ResultsForm()}
    return render(request, "consultations/staff_detail.html", context)


def _ids(values: list[str], name: str) -> list[int]:
    return [parse_integer(v, name, 1, MAX_ID) for v in values]


@login_required
@require_POST
def staff_answer(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _managed(request, pk)
    try:
        chosen = _ids(request.POST.getlist("opinion"), "opinion")
        withheld = set(_ids(request.POST.getlist("withhold"), "withhold"))
        opinions = list(consultation.opinions.filter(pk__in=chosen, answer__isnull=True))
        if len(opinions) != len(set(chosen)):
            raise ValidationError({"opinion": _("Alguna opinión elegida no existe o ya tiene respuesta.")})
        reason = request.POST.get("reason", "").strip()
        if withheld and not reason:
            raise ValidationError({"reason": _("Escriba el motivo para no publicar el texto.")})
        actions.do_answer_opinions(
            consultation,
            opinions,
            text=request.POST.get("text", ""),
            withhold={o.pk: reason for o in opinions if o.pk in withheld},
            acting_user=request.user,
        )
    except ValidationError as error:
        context = {
            **pages.staff_detail(consultation),
            "answer_form": AnswerForm(request.POST),
            "results_form": ResultsForm(),
            "errors": _messages_of(error),
        }
        return render(request, "consultations/staff_detail.html", context, status=400)
    messages.success(request, _("Respuesta publicada."))
    return redirect("consultations:staff-detail", consultation.pk)


@login_required
@require_POST
def staff_results(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _managed(request, pk)
    try:
        queued = actions.do_publish_results(
            consultation, text=request.POST.get("results", ""), acting_user=request.user
        )
    except (ValidationError, actions.Refused) as error:
        status = getattr(error, "status", 400)
        errors = _messages_of(error) if isinstance(error, ValidationError) else [str(error)]
        context = {
            **pages.staff_detail(consultation),
            "answer_form": AnswerForm(),
            "results_form": ResultsForm(request.POST),
            "errors": errors,
        }
        return render(request, "consultations/staff_detail.html", context, status=status)
    messages.success(request, _("Resultados publicados; %(n)s correos en cola.") % {"n": queued})
    return redirect("consultations:staff-detail", consultation.pk)


@login_required
@require_http_methods(["GET", "POST"])
def staff_erasure(request: HttpRequest) -> HttpResponse:
    actions.require_staff(request.user)
    form = ErasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        record = follows.do_erase_personal_data(form.cleaned_data["email"], acting_user=request.user)
        return render(request, "consultations/staff_erasure.html", {"form": ErasureForm(), "record": record})
    return render(
        request,
        "consultations/staff_erasure.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )
