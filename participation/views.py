"""Public pages of participation: report on a work, follow a report, read reports, photos, agencies."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gis_core.access import Action, may
from gis_core.geometry import parse_point
from participation import access, actions, summaries
from participation.forms import HONEYPOT, ReportForm
from participation.models import CitizenReport, ReportEvent, ReportPhoto
from works_map.models import Agency, Work


def _form_page(request: HttpRequest, work: Work, form: ReportForm, status: int) -> HttpResponse:
    context = {
        "work": work,
        "form": form,
        "honeypot": HONEYPOT,
        "max_photos": settings.PARTICIPATION_MAX_PHOTOS,
    }
    return render(request, "participation/report_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def report_form(request: HttpRequest, pk: int) -> HttpResponse:
    work = access.reportable_work(pk)
    if request.method == "GET":
        return _form_page(request, work, ReportForm(initial=request.GET.dict()), 200)
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_page(request, work, form, 400)
    try:
        report = actions.do_submit_report(
            work,
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
            photos=form.clean_photos_list,
            email=form.cleaned_data["email"],
            location=form.location(),
            address=request.META.get("REMOTE_ADDR", ""),
        )
    except actions.RateLimited as exc:
        form.add_error(None, str(exc))
        response = _form_page(request, work, form, 429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    except ValidationError as exc:
        form.add_error(None, exc)
        return _form_page(request, work, form, 400)
    return redirect(reverse("participation:track", args=[report.code]) + "?nuevo=1", permanent=False)


@require_GET
def report_from_map(request: HttpRequest) -> HttpResponse:
    """A point clicked on the map: the published works nearest to it, to choose the one reported."""
    try:
        point = parse_point(request.GET.get("lon"), request.GET.get("lat"))
    except ValidationError as exc:
        return render(
            request, "participation/choose_work.html", {"error": " ".join(exc.messages)}, status=400
        )
    works = list(Work.objects.published().nearest(point, radius_m=2000, limit=8).select_related("municipio"))
    return render(request, "participation/choose_work.html", {"works": works, "point": point})


@require_GET
def track(request: HttpRequest, code: str) -> HttpResponse:
    report = (
        CitizenReport.objects.select_related("work", "answered_by_agency")
        .filter(code=code.strip().upper())
        .first()
    )
    if report is None:
        raise Http404(_("No hay ningún reporte con ese código."))
    public_steps = [e for e in report.events.all() if e.step != ReportEvent.Step.EDITED]
    context = {"report": report, "events": public_steps, "new": request.GET.get("nuevo") == "1"}
    return render(request, "participation/track.html", context)


@require_GET
def track_lookup(request: HttpRequest) -> HttpResponse:
    code = (request.GET.get("codigo") or "").strip().upper()
    if not code:
        return render(request, "participation/track_lookup.html")
    if not code.isalnum() or len(code) > 16:
        return render(
            request, "participation/track_lookup.html", {"error": _("Código inválido.")}, status=400
        )
    return redirect("participation:track", code=code)


@require_GET
def photo(request: HttpRequest, token: str) -> HttpResponse:
    """A photo: to everyone once its report is published (and the photo not withdrawn), before that
    to its moderators only. There is no public media URL for these files."""
    row = ReportPhoto.objects.select_related("report").filter(token=token).first()
    if row is None:
        raise Http404(_("No existe esa foto."))
    public = row.report.published and not row.hidden
    if not public and not (
        access.is_moderator(request.user) and may(request.user, Action.CHANGE, row.report)
    ):
        raise Http404(_("No existe esa foto."))
    response = HttpResponse(bytes(row.image), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=86400" if public else "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def work_reports(request: HttpRequest, pk: int) -> HttpResponse:
    work = access.reportable_work(pk)
    page = Paginator(summaries.published_reports(work), 25).get_page(request.GET.get("pagina"))
    context = {"work": work, "page": page, "by_kind": summaries.counts_by_kind(work)}
    return render(request, "participation/work_reports.html", context)


@require_GET
def agency_page(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(Agency, pk=pk)
    reports = summaries.agency_reports(agency)
    context = {
        "agency": agency,
        "tally": summaries.tally(reports),
        "latest": list(reports.published().select_related("work").order_by("-received_at")[:20]),
    }
    return render(request, "participation/agency.html", context)
