"""The planner's workspace: thin views; gates in each domain app's access module, writes in actions."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from gis_core import access, history
from gis_core.access import Action
from gis_core.geometry import validate_geometry
from gis_core.models import Version
from planning import actions, import_budget, imports, jobs, shapes, wizard
from planning.forms import (
    BulkPublishForm,
    FaisStatusForm,
    GeometryField,
    ImportForm,
    MappingOptionsForm,
    ProgressForm,
    ReviewForm,
    WorkAgencyFormSet,
    WorkForm,
    WorkFundingFormSet,
    ZapDeclarationForm,
    ZoneForm,
)
from planning.models import ImportJob
from priority_zones import access as zone_access
from priority_zones import zap_declarations
from priority_zones.actions import do_apply_zap_declaration, do_create_zone, do_delete_zone, do_update_zone
from priority_zones.models import Zone
from works_map import access as work_access
from works_map import fais
from works_map.actions import do_delete_work, do_review_progress, do_set_published
from works_map.filters import WORK_PARAMS, filter_works, refuse_unknown
from works_map.formsets import agency_rows, funding_rows
from works_map.models import Work, WorkAgency


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
        "may_declare_zap": access.is_administrator(request.user),
        "my_works": my_works.order_by("-updated_at")[:50],
        "work_filters": [(p, request.GET.get(p.name, "")) for p in WORK_PARAMS.values()],
        "filtered": any(request.GET.get(name) for name in WORK_PARAMS),
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
        agency_list = _agency_rows(request, form, agencies, work)
        if agency_list is not None:
            rows["agencies"] = agency_list
        try:
            saved, report = actions.do_save_work(
                work, fields=form.work_fields(), rows=rows, progress=form.progress(), acting_user=request.user
            )
        except ValidationError as error:
            _put_on_form(form, error)
        else:
            messages.success(request, _("Obra guardada."))
            if report is not None:
                messages.info(request, _report_message(report))
            return redirect("planning:work-edit", pk=saved.pk)
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "work": work,
        "funding": funding,
        "agencies": agencies,
        "errors": _error_summary(form, funding, agencies),
    }
    return render(request, "planning/work_form.html", context, status=status)


def _report_message(report) -> str:
    if report.state == report.State.APPROVED:
        return _("Avance registrado y aprobado.")
    return _("Avance registrado; espera la aprobación de un supervisor.")


def _agency_rows(request: HttpRequest, form: WorkForm, agencies, work: Work | None) -> list | None:
    """The agency rows to save: the executing agency (its own field) plus the other roles (the
    formset). A POST with neither leaves the stored rows as they are."""
    sent_executing = "executing_agency" in request.POST
    if agencies.is_bound:
        others = agency_rows(agencies)
    elif sent_executing and work is not None:
        kept = work.agency_roles.exclude(role=WorkAgency.Role.EJECUTORA).select_related("agency")
        others = [(row.agency, row.role) for row in kept]
    elif sent_executing:
        others = []
    else:
        return None
    executing = form.cleaned_data.get("executing_agency")
    return ([(executing, WorkAgency.Role.EJECUTORA)] if executing else []) + others


def _put_on_form(form, error: ValidationError) -> None:
    """An action's refusal on the form: next to the field it names when the form has that field."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _error_summary(form, *formsets) -> list[dict]:
    """Every error of the page, for the summary at its top: the field's label and where it is."""
    summary = [{"label": "", "message": str(m), "anchor": ""} for m in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name == NON_FIELD_ERRORS:
            continue
        field = form[name]
        summary += [{"label": field.label, "message": str(m), "anchor": field.id_for_label} for m in errors]
    for formset in formsets:
        if not formset.is_bound:
            continue
        summary += [{"label": "", "message": str(m), "anchor": ""} for m in formset.non_form_errors()]
        for number, row in enumerate(formset.forms, start=1):
            for name, errors in row.errors.items():
                label = _("%(field)s (fila %(n)s)") % {
                    "field": row[name].label if name in row.fields else "",
                    "n": number,
                }
                anchor = row[name].id_for_label if name in row.fields else ""
                summary += [{"label": label, "message": str(m), "anchor": anchor} for m in errors]
    return summary


def _work_formsets(request: HttpRequest, work: Work | None):
    """The work's funding rows and its agencies other than the executing one (which has its own field).
    A POST without a formset's management form (a client that only sends the work's own fields) leaves
    that formset unbound, and the stored rows untouched."""
    instance = work if work is not None else Work()

    def bind(prefix: str):
        return request.POST if f"{prefix}-TOTAL_FORMS" in request.POST else None

    others = (
        WorkAgency.objects.filter(work=work).exclude(role=WorkAgency.Role.EJECUTORA)
        if work is not None
        else WorkAgency.objects.none()
    )
    return (
        WorkFundingFormSet(bind("funding"), instance=instance, prefix="funding"),
        WorkAgencyFormSet(bind("agencies"), instance=instance, prefix="agencies", queryset=others),
    )


@login_required
@require_POST
def place(request: HttpRequest) -> JsonResponse:
    """Where a drawn geometry falls: its municipio and localidad, as the work form will store them."""
    _staff(request)
    field = GeometryField()
    try:
        geom = validate_geometry(field.clean(request.body.decode("utf-8", "replace")))
    except ValidationError as error:
        return JsonResponse({"detail": " ".join(error.messages), "parameter": "geometry"}, status=400)
    municipio, localidad = shapes.place_of(geom)

    def unit(u):
        return None if u is None else {"id": u.pk, "cvegeo": u.cvegeo, "name": u.name}

    return JsonResponse({"municipio": unit(municipio), "localidad": unit(localidad)})


@login_required
@require_POST
def works_publish(request: HttpRequest) -> HttpResponse:
    """Publish or unpublish the works marked in the workspace list. The first POST shows what will
    change (how many, and which of them lie outside the user's scope); the confirmed one writes through
    do_set_published, which asks the work gate about each work."""
    if not access.may_write(request.user):
        raise PermissionDenied(_("Su papel no permite publicar obras."))
    form = BulkPublishForm(request.POST)
    if not form.is_valid():
        return render(request, "planning/error.html", {"message": _form_errors(form)}, status=400)
    published = form.cleaned_data["published"] == "1"
    works = list(work_access.visible_works(request.user).filter(pk__in=form.cleaned_data["ids"]))
    if not form.cleaned_data["confirm"]:
        to_change = [w for w in works if w.published != published]
        allowed = [w for w in to_change if access.may(request.user, Action.CHANGE, w)]
        context = {
            "allowed": allowed,
            "refused": [w for w in to_change if w not in allowed],
            "already": len(works) - len(to_change),
            "published": published,
            "ids": [w.pk for w in works],
        }
        return render(request, "planning/bulk_publish.html", context)
    outcome = do_set_published(works, published=published, acting_user=request.user)
    n = len(outcome.changed)
    if published:
        text = ngettext("%(n)d obra publicada.", "%(n)d obras publicadas.", n) % {"n": n}
    else:
        text = ngettext("%(n)d obra despublicada.", "%(n)d obras despublicadas.", n) % {"n": n}
    messages.success(request, text)
    for _work, reason in outcome.refused:
        messages.warning(request, reason)
    return redirect(reverse("planning:workspace") + "#works-title")


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
        saved = _save_zone(request, form, zone)
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
    context = {"form": form, "zone": zone, "errors": _error_summary(form)}
    return render(request, "planning/zone_form.html", context, status=status)


def _save_zone(request: HttpRequest, form: ZoneForm, zone: Zone | None) -> Zone | None:
    """Save the zone through its action, which decides whether the user may put it where it now stands
    (PermissionDenied: a 403). Returns None after putting the action's refusal on the form."""
    try:
        if zone is None:
            return do_create_zone(acting_user=request.user, **form.zone_fields())
        return do_update_zone(zone, acting_user=request.user, **form.zone_fields())
    except ValidationError as error:
        _put_on_form(form, error)
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
    initial = {"target": request.GET["destino"]} if "destino" in request.GET else None
    form = ImportForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.create_job(form.cleaned_data["file"], form.options(), request.user)
        except imports.ImportRefused as error:
            form.add_error("file", str(error))
        else:
            target = job.options["target"]
            if target == "works" or import_budget.is_budget(target):  # its columns (and values) first
                return redirect("planning:import-mapping", pk=job.pk)
            jobs.preview(job)
            return redirect("planning:import-job", pk=job.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "planning/import_start.html", {"form": form}, status=status)


@login_required
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    """The wizard's second step: columns -> fields, coded values -> catalogue entries, options."""
    job = _job_for(request, pk)
    if job.status != ImportJob.Status.PREVIEW:
        return render(
            request, "planning/error.html", {"message": _("Esta importación ya se envió.")}, status=400
        )
    status = 200
    if request.method == "POST":
        try:
            action = wizard.apply(job, request.POST, request.user)
        except (ValidationError, imports.ImportRefused) as error:
            messages.error(request, _form_errors(error) if isinstance(error, ValidationError) else str(error))
            status = 400
        else:
            if action == "preview":
                jobs.preview(job)
                return redirect("planning:import-job", pk=job.pk)
    try:
        context = wizard.mapping_step(job)
    except imports.ImportRefused as error:
        return render(request, "planning/error.html", {"message": str(error)}, status=400)
    form = MappingOptionsForm(initial=job.options, target=job.options["target"])
    return render(
        request, "planning/import_mapping.html", {"job": job, "form": form, **context}, status=status
    )


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
    if import_budget.is_budget(job.options["target"]):
        try:
            import_budget.confirm(job, replace=request.POST.get("reemplazar") == "1")
        except imports.ImportRefused as error:
            context = {"job": job, "Status": ImportJob.Status, "refusal": str(error)}
            return render(request, "planning/import_job.html", context, status=400)
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
            "progress": jobs.progress_of(job),
            "total": job.total,
            "summary": job.summary,
            "error": job.error,
        }
    )


# --- ZAP declarations (administrators) -----------------------------------------------------------

ZAP_TOKEN_SALT = "planning.zap-declaration"  # noqa: S105 (a signing namespace, not a secret)
ZAP_TOKEN_MAX_AGE = 3600  # seconds between the review and the confirmation


def _administrator(request: HttpRequest) -> None:
    if not access.is_administrator(request.user):
        raise PermissionDenied(_("Solo un administrador carga las declaratorias de ZAP."))


@login_required
def zap_declaration(request: HttpRequest) -> HttpResponse:
    """Upload a published ZAP list: a review (refused keys, diff with the stored year and with the
    year before) and, only after confirming it, the zones written (do_apply_zap_declaration)."""
    _administrator(request)
    if request.method == "POST" and "token" in request.POST:
        return _zap_confirm(request)
    form = ZapDeclarationForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            declaration = zap_declarations.read_upload(form.cleaned_data, form.source())
        except ValueError as error:
            form.add_error("file", str(error))
        else:
            plan = zap_declarations.plan_declaration(declaration)
            context.update(
                plan=plan,
                token=signing.dumps(zap_declarations.to_token(plan), salt=ZAP_TOKEN_SALT, compress=True),
            )
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    return render(request, "planning/zap_declaration.html", context, status=status)


def _zap_confirm(request: HttpRequest) -> HttpResponse:
    try:
        payload = signing.loads(request.POST["token"], salt=ZAP_TOKEN_SALT, max_age=ZAP_TOKEN_MAX_AGE)
    except signing.BadSignature:
        message = _("La revisión caducó o no es válida; vuelva a subir el archivo.")
        return render(request, "planning/error.html", {"message": message}, status=400)
    plan = zap_declarations.plan_declaration(zap_declarations.from_token(payload))
    if plan.replaces != payload["replaces"]:
        message = _("La declaratoria cambió desde la revisión; vuelva a subir el archivo.")
        return render(request, "planning/error.html", {"message": message}, status=409)
    try:
        result = do_apply_zap_declaration(plan, replace=plan.replaces, acting_user=request.user)
    except ValidationError as error:
        return render(request, "planning/error.html", {"message": _form_errors(error)}, status=400)
    messages.success(
        request,
        _("Declaratoria cargada: %(c)s zonas nuevas, %(u)s actualizadas, %(n)s sin cambios, %(d)s retiradas.")
        % {"c": result.created, "u": result.updated, "n": result.unchanged, "d": result.deleted},
    )
    return redirect("planning:zap-declaration")


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
