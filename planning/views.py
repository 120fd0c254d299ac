"""The planner's workspace: thin views; gates in each domain app's access module, writes in actions."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gis_core import access, history
from gis_core.access import Action
from gis_core.models import Version
from planning import actions, imports, jobs, shapes
from planning.forms import (
    FaisStatusForm,
    ImportForm,
    ProgressForm,
    ReviewForm,
    WorkAgencyFormSet,
    WorkForm,
    WorkFundingFormSet,
    ZoneForm,
)
from planning.models import ImportJob
from priority_zones import access as zone_access
from priority_zones.actions import do_create_zone, do_delete_zone, do_update_zone
from priority_zones.models import Zone
from works_map import access as work_access
from works_map import fais
from works_map.actions import do_create_work, do_delete_work, do_review_progress, do_update_work
from works_map.filters import WORK_PARAMS, filter_works, refuse_unknown
from works_map.formsets import agency_rows, funding_rows
from works_map.models import Work


def _staff(request: HttpRequest) -> None:
    if not access.has_role(request.user):
        raise PermissionDenied(_("Su cuenta no tiene un papel en el espacio de planeación."))


def _form_errors(form_or_error) -> str:
    if isinstance(form_or_error, ValidationError):
        return " ".join(form_or_error.messages)
    return " ".join(str(e) for errors in form_or_error.errors.values() for e in errors)


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    _staff(request)
    try:
        # The list of works takes the work filters (works_map.filters), as the API and the map do.
        refuse_unknown(request.GET)
        my_works = filter_works(work_access.works_in_scope(request.user), request.GET)
    except ValidationError as error:
        message = " ".join(f"{p}: {m}" for p, ms in error.message_dict.items() for m in ms)
        return render(request, "planning/error.html", {"message": message}, status=400)
    zones = list(
        zone_access.visible_zones(request.user).filter(kind__in=[Zone.Kind.DRAWN, Zone.Kind.ZONA_IMPULSO])[
            :100
        ]
    )
    context = {
        "pending": work_access.reviewable_reports(request.user)[:50],
        "zones": zones,
        "editable_zones": [_zone_on_map(z) for z in zones if access.may(request.user, Action.CHANGE, z)],
        "zone_form": ZoneForm(),
        "may_write": access.may_write(request.user),
        "my_works": my_works.order_by("-updated_at")[:50],
        "work_filters": [(p, request.GET.get(p.name, "")) for p in WORK_PARAMS.values()],
    }
    return render(request, "planning/workspace.html", context)


def _zone_on_map(zone: Zone) -> dict:
    """A zone the planner may edit, as the workspace map's script reads it."""
    return {
        "id": zone.pk,
        "name": zone.name,
        "kind": zone.kind,
        "fiscal_year": zone.fiscal_year,
        "status": zone.status,
        "municipio": zone.municipio_id,
        "geometry": json.loads(zone.geom.geojson),
        "url": reverse("planning:zone-edit", args=[zone.pk]),
    }


def _gated_object_and_form(request: HttpRequest, form_class, get_for, pk: int | None, refusal: str):
    """The object being edited (404/403 as `get_for` decides; None when creating, if the user's role
    writes at all) and its form, bound to the POST if there is one."""
    obj = get_for(request.user, pk, Action.CHANGE) if pk else None
    if obj is None and not access.may_write(request.user):
        raise PermissionDenied(refusal)
    initial = {"geom": obj.geom.geojson} if obj else None
    return obj, form_class(request.POST or None, instance=obj, initial=initial)


@login_required
def work_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    work, form = _gated_object_and_form(
        request, WorkForm, work_access.get_work_for, pk, _("Su papel no permite crear obras.")
    )
    funding, agencies = _work_formsets(request, work)
    bound = [f for f in (funding, agencies) if f.is_bound]
    if request.method == "POST" and all([form.is_valid(), *(f.is_valid() for f in bound)]):
        rows = {}  # a formset the POST left out leaves the stored rows as they are
        if funding.is_bound:
            rows["funding"] = funding_rows(funding)
        if agencies.is_bound:
            rows["agencies"] = agency_rows(agencies)
        saved = _save_through_actions(request, form, work, do_create_work, do_update_work, **rows)
        if saved is not None:
            messages.success(request, _("Obra guardada."))
            return redirect("planning:work-edit", pk=saved.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "work": work, "funding": funding, "agencies": agencies}
    return render(request, "planning/work_form.html", context, status=status)


def _work_formsets(request: HttpRequest, work: Work | None):
    """The work's funding and agency rows. A POST without a formset's management form (a client that
    only sends the work's own fields) leaves that formset unbound, and the stored rows untouched."""
    instance = work if work is not None else Work()

    def bind(prefix: str):
        return request.POST if f"{prefix}-TOTAL_FORMS" in request.POST else None

    return (
        WorkFundingFormSet(bind("funding"), instance=instance, prefix="funding"),
        WorkAgencyFormSet(bind("agencies"), instance=instance, prefix="agencies"),
    )


@login_required
@require_POST
def work_delete(request: HttpRequest, pk: int) -> HttpResponse:
    work = work_access.get_work_for(request.user, pk, Action.DELETE)
    do_delete_work(work, acting_user=request.user)
    messages.success(request, _("Obra eliminada."))
    return redirect("planning:workspace")


@login_required
def zone_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    zone, form = _gated_object_and_form(
        request, ZoneForm, zone_access.get_zone_for, pk, _("Su papel no permite crear zonas.")
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_through_actions(request, form, zone, do_create_zone, do_update_zone)
        if saved is not None:
            zone = saved
            if _wants_json(request):
                url = reverse("planning:zone-edit", args=[zone.pk])
                return JsonResponse(
                    {"id": zone.pk, "url": url, "status": zone.status}, status=201 if pk is None else 200
                )
            messages.success(request, _("Zona guardada."))
            return redirect("planning:zone-edit", pk=zone.pk)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and _wants_json(request):
        errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
        return JsonResponse({"errors": errors, "detail": _form_errors(form)}, status=400)
    return render(request, "planning/zone_form.html", {"form": form, "zone": zone}, status=status)


def _save_through_actions(request: HttpRequest, form, existing, create, update, **related):
    """Save the edited object through its action (with `related`, e.g. a work's funding rows, passed on
    as they are). The action decides whether the user may put the object where it now stands
    (PermissionDenied: a 403).

    Returns the saved object, or None after putting the action's validation refusal on the form.
    """
    fields = {**form.cleaned_data}
    try:
        if existing is None:
            return create(acting_user=request.user, **fields, **related)
        return update(existing, acting_user=request.user, **fields, **related)
    except ValidationError as error:
        form.add_error(None, error)
        return None


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def zone_delete(request: HttpRequest, pk: int) -> HttpResponse:
    zone = zone_access.get_zone_for(request.user, pk, Action.DELETE)
    do_delete_zone(zone, acting_user=request.user)
    messages.success(request, _("Zona eliminada."))
    return redirect("planning:workspace")


@login_required
def progress_form(request: HttpRequest, pk: int) -> HttpResponse:
    work = work_access.get_work_for(request.user, pk, Action.RECORD_PROGRESS)
    form = ProgressForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_record_progress_with_photos(
                work, photos=form.photos, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Avance registrado; espera la aprobación de un supervisor."))
            return redirect("planning:progress", pk=work.pk)
    reports = work.progress_reports.select_related("author", "reviewer").prefetch_related("photos")
    context = {"form": form, "work": work, "reports": reports}
    return render(request, "planning/progress.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def progress_review(request: HttpRequest, pk: int) -> HttpResponse:
    report = work_access.get_report_for(request.user, pk, Action.APPROVE)
    form = ReviewForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        approve = form.cleaned_data["decision"] == "approve"
        do_review_progress(
            report, approve=approve, reason=form.cleaned_data["reason"], acting_user=request.user
        )
    except ValidationError as error:
        return render(request, "planning/error.html", {"message": _form_errors(error)}, status=400)
    messages.success(request, _("Reporte aprobado.") if approve else _("Reporte rechazado."))
    return redirect("planning:workspace")


def _object_for(request: HttpRequest, kind: str, pk: int, action: Action) -> Work | Zone:
    if kind == "work":
        return work_access.get_work_for(request.user, pk, action)
    if kind == "zone":
        return zone_access.get_zone_for(request.user, pk, action)
    raise Http404(_("No hay historial de ese tipo de objeto."))


@login_required
def versions(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    _staff(request)
    obj = _object_for(request, kind, pk, Action.VIEW)
    rows = list(history.versions_of(type(obj), pk))
    entries = [
        {"version": v, "diff": history.diff(rows[i + 1] if i + 1 < len(rows) else None, v)}
        for i, v in enumerate(rows)
    ]
    may_revert = access.may(request.user, Action.CHANGE, obj)
    geometries = [
        {"version": e["version"].number, "old": d["old"], "new": d["new"]}
        for e in entries
        for d in e["diff"]
        if d["geometry"]
    ]
    context = {
        "object": obj,
        "kind": kind,
        "entries": entries,
        "may_revert": may_revert,
        "geometries": geometries,
    }
    return render(request, "planning/versions.html", context)


@login_required
@require_POST
def revert(request: HttpRequest, kind: str, pk: int, number: int) -> HttpResponse:
    obj = _object_for(request, kind, pk, Action.CHANGE)
    version = get_object_or_404(Version, model=history.label_of(obj), object_id=pk, number=number)
    try:
        actions.do_revert(obj, version, acting_user=request.user)
    except ValidationError as error:
        return render(request, "planning/error.html", {"message": _form_errors(error)}, status=400)
    messages.success(request, _("Revertido a la versión %(n)s.") % {"n": number})
    return redirect("planning:versions", kind=kind, pk=pk)


@login_required
@require_POST
def buffer(request: HttpRequest) -> JsonResponse:
    """The polygon `metres` around a drawn line, computed in EPSG:6372 (metres, INEGI's Lambert)."""
    _staff(request)
    try:
        body = json.loads(request.body or b"{}")
        polygon = shapes.buffer_line(body.get("geometry"), body.get("metres"))
    except ValueError as error:
        return JsonResponse({"detail": str(error)}, status=400)
    return JsonResponse({"type": "Feature", "properties": {}, "geometry": json.loads(polygon.geojson)})


# --- imports ---------------------------------------------------------------------------------------


def _job_for(request: HttpRequest, pk: int) -> ImportJob:
    access.require(request.user, Action.IMPORT)
    job = get_object_or_404(ImportJob, pk=pk)
    if job.created_by_id != request.user.pk and not access.is_administrator(request.user):
        raise PermissionDenied(_("Esta importación es de otra persona."))
    return job


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Action.IMPORT)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.create_job(form.cleaned_data["file"], form.options(), request.user)
        except imports.ImportRefused as error:
            form.add_error("file", str(error))
        else:
            jobs.preview(job)
            return redirect("planning:import-job", pk=job.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "planning/import_start.html", {"form": form}, status=status)


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    return render(request, "planning/import_job.html", {"job": job, "Status": ImportJob.Status})


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    if job.status != ImportJob.Status.PREVIEW:
        return render(
            request, "planning/error.html", {"message": _("Esta importación ya se envió.")}, status=400
        )
    jobs.enqueue(job)
    return redirect("planning:import-job", pk=job.pk)


@login_required
def import_rejected(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    response = HttpResponse(job.rejected_csv, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rechazadas-{job.pk}.csv"'
    return response


@login_required
def import_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = _job_for(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "progress": job.progress,
            "total": job.total,
            "summary": job.summary,
            "error": job.error,
        }
    )


@login_required
def fais_status(request: HttpRequest) -> HttpResponse:
    """FAIS status by municipio (the ZAP-urbana minimum) and by work, for a year and a fund."""
    _staff(request)
    form = FaisStatusForm(request.GET or None)
    if not form.is_valid():
        return render(request, "planning/fais.html", {"form": form}, status=400 if request.GET else 200)
    year, fund = form.cleaned_data["year"], form.cleaned_data["fund"]
    report = fais.municipio_compliance(year, fund)
    context = {"form": form, "report": report, "works": fais.work_flags(year, fund), "year": year}
    return render(request, "planning/fais.html", context)
