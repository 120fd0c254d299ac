"""The moderators' pages: the queue, one report with its history, ARCO erasures, committees."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.gis.db.models import GeometryField
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Value
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gis_core.access import Action
from gis_core.functions import GeogDistance
from gis_core.geometry import parse_id
from participation import access, actions, queue
from participation.forms import (
    AnswerForm,
    ArcoForm,
    CommitteeForm,
    EditTextForm,
    RejectForm,
    RouteForm,
    VigilanceForm,
)
from participation.models import CitizenReport, CommitteeActa, ReportPhoto
from works_map.access import get_work_for
from works_map.models import Agency, Committee

STEP_FORMS = {"editar": EditTextForm, "rechazar": RejectForm, "turnar": RouteForm, "responder": AnswerForm}


def _moderator(request: HttpRequest) -> None:
    if not access.is_moderator(request.user):
        raise PermissionDenied(_("Su cuenta no tiene el papel de moderación."))


def _agencies():
    return Agency.objects.order_by("acronym")


@login_required
@require_GET
def queue_page(request: HttpRequest) -> HttpResponse:
    _moderator(request)
    state = request.GET.get("estado") or ""
    before = parse_id(request.GET.get("antes"))
    try:
        page = queue.page(request.user, state=state, before=before)
    except ValidationError as exc:
        return render(request, "participation/queue.html", {"error": " ".join(exc.messages)}, status=400)
    context = {
        "page": page,
        "state": state,
        "states": CitizenReport.State.choices,
        "published_label": _("publicado"),
    }
    return render(request, "participation/queue.html", context)


def _detail(request: HttpRequest, report: CitizenReport, forms: dict | None = None, status: int = 200):
    agencies = _agencies()
    forms = forms or {}
    photos = ReportPhoto.objects.filter(report=report).defer("image")
    if report.work.geom is not None:
        # Metres on the spheroid from the camera's position to the work's geometry.
        photos = photos.annotate(
            distance=GeogDistance("gps", Value(report.work.geom, output_field=GeometryField(srid=4326)))
        )
    context = {
        "report": report,
        "photos": photos,
        "events": report.events.select_related("actor"),
        "edit_form": forms.get("editar") or EditTextForm(initial={"text": report.text}, prefix="editar"),
        "reject_form": forms.get("rechazar") or RejectForm(prefix="rechazar"),
        "route_form": forms.get("turnar") or RouteForm(agencies=agencies, prefix="turnar"),
        "answer_form": forms.get("responder") or AnswerForm(agencies=agencies, prefix="responder"),
    }
    return render(request, "participation/moderate.html", context, status=status)


@login_required
@require_GET
def report_page(request: HttpRequest, pk: int) -> HttpResponse:
    _moderator(request)
    report = access.get_report_for(request.user, pk, Action.CHANGE)
    if report.state == CitizenReport.State.RECEIVED:
        report = actions.do_start_review(report, acting_user=request.user)
    return _detail(request, report)


@login_required
@require_POST
def report_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One moderation step (aprobar, editar, rechazar, turnar, responder, ocultar-foto)."""
    _moderator(request)
    report = access.get_report_for(request.user, pk, Action.CHANGE)
    user = request.user
    try:
        if step == "aprobar":
            actions.do_approve_report(report, acting_user=user)
            messages.success(request, _("Reporte aprobado y publicado."))
        elif step == "ocultar-foto":
            photo = get_object_or_404(ReportPhoto, report=report, pk=parse_id(request.POST.get("foto")) or 0)
            actions.do_hide_photo(photo, acting_user=user)
            messages.success(request, _("Foto retirada."))
        elif step in STEP_FORMS:
            form_class = STEP_FORMS[step]
            extra = {"agencies": _agencies()} if step in ("turnar", "responder") else {}
            form = form_class(request.POST, prefix=step, **extra)
            if not form.is_valid():
                return _detail(request, report, {step: form}, status=400)
            data = form.cleaned_data
            if step == "editar":
                actions.do_edit_report_text(report, text=data["text"], acting_user=user)
            elif step == "rechazar":
                actions.do_reject_report(report, reason=data["reason"], acting_user=user)
            elif step == "turnar":
                actions.do_route_report(report, agency=data["agency"], acting_user=user)
            else:
                url = request.build_absolute_uri(reverse("participation:track", args=[report.code]))
                actions.do_answer_report(
                    report, answer=data["answer"], agency=data["agency"], tracking_url=url, acting_user=user
                )
            messages.success(request, _("Cambio registrado."))
        else:
            return render(
                request, "participation/moderate_error.html", {"error": _("Paso desconocido.")}, status=404
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        report.refresh_from_db()
        return _detail(request, report, status=400)
    return redirect("participation-staff:report", pk=report.pk)


@login_required
@require_http_methods(["GET", "POST"])
def arco(request: HttpRequest) -> HttpResponse:
    _moderator(request)
    form = ArcoForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                done = actions.do_erase_citizen_data(
                    email=form.cleaned_data["email"],
                    code=form.cleaned_data["code"],
                    reference=form.cleaned_data["reference"],
                    acting_user=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Se borraron %(r)s reportes y %(p)s fotos (solicitud %(ref)s).")
                    % {"r": done.reports_erased, "p": done.photos_erased, "ref": done.request_reference},
                )
                return redirect("participation-staff:arco")
        return render(request, "participation/arco.html", {"form": form}, status=400)
    return render(request, "participation/arco.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def committee_create(request: HttpRequest, pk: int) -> HttpResponse:
    work = get_work_for(request.user, pk)
    if not access.may_manage_committees(request.user, work):
        raise PermissionDenied(_("No puede registrar comités de esta obra."))
    form = CommitteeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        acta = form.cleaned_data["acta"]
        try:
            committee = actions.do_create_committee(
                work,
                name=form.cleaned_data["name"],
                constituted_on=form.cleaned_data["constituted_on"],
                members_count=form.cleaned_data["members_count"],
                acta_name=acta.name,
                acta=acta.read(),
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Comité registrado."))
            return redirect("participation-staff:vigilance", pk=committee.pk, work=work.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "participation/committee_form.html", {"work": work, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def vigilance_create(request: HttpRequest, pk: int, work: int) -> HttpResponse:
    the_work = get_work_for(request.user, work)
    committee = get_object_or_404(Committee, pk=pk, works=the_work)
    if not access.may_manage_committees(request.user, the_work):
        raise PermissionDenied(_("No puede registrar cédulas de esta obra."))
    form = VigilanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_record_vigilance(committee, the_work, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Cédula de vigilancia registrada."))
            return redirect("participation-staff:vigilance", pk=committee.pk, work=the_work.pk)
    status = 400 if request.method == "POST" else 200
    context = {
        "work": the_work,
        "committee": committee,
        "form": form,
        "cedulas": committee.vigilance_reports.filter(work=the_work),
    }
    return render(request, "participation/vigilance_form.html", context, status=status)


@login_required
@require_GET
def acta_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The acta carries members' names and signatures: staff who manage one of its works only."""
    acta = get_object_or_404(CommitteeActa.objects.select_related("committee"), committee_id=pk)
    if not any(access.may_manage_committees(request.user, w) for w in acta.committee.works.all()):
        raise PermissionDenied(_("No puede ver esta acta."))
    response = HttpResponse(bytes(acta.content), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="acta-comite-{acta.committee_id}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
