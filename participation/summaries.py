"""Read-only figures of participation for the public pages: one query each where possible."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, FloatField, Prefetch, Q, QuerySet
from django.db.models.aggregates import Aggregate
from django.db.models.functions import Extract

from participation.models import CitizenReport, CitizenReportQuerySet, ReportPhoto, VigilanceReport
from works_map.models import Agency, Committee, Work, WorkAgency

State = CitizenReport.State
WORK_PAGE_REPORTS = 10


class Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5): the median of a numeric expression."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _days_to_answer():
    waited = ExpressionWrapper(F("answered_at") - F("received_at"), output_field=DurationField())
    return Extract(waited, "epoch") / 86400.0


@dataclass(frozen=True)
class Tally:
    received: int
    answered: int
    median_days: float | None


def tally(reports: QuerySet[CitizenReport]) -> Tally:
    """Received, answered and the median days from receipt to answer (one query)."""
    row = reports.aggregate(
        received=Count("pk"),
        answered=Count("pk", filter=Q(state=State.ANSWERED)),
        median=Median(_days_to_answer(), filter=Q(state=State.ANSWERED)),
    )
    median = row["median"]
    return Tally(row["received"], row["answered"], round(median, 1) if median is not None else None)


def published_reports(work: Work) -> QuerySet[CitizenReport]:
    visible_photos = ReportPhoto.objects.filter(hidden=False).only(
        "pk", "token", "report_id", "width", "height"
    )
    return (
        CitizenReport.objects.published()
        .filter(work=work)
        .select_related("answered_by_agency")
        .only(
            "pk", "code", "kind", "text", "state", "answer", "received_at", "answered_at", "published_at",
            "answered_by_agency__acronym", "answered_by_agency__name", "work_id",
        )
        .prefetch_related(Prefetch("photos", queryset=visible_photos, to_attr="public_photos"))
    )  # fmt: skip


def figures(reports: QuerySet[CitizenReport]) -> tuple[Tally, list[dict[str, Any]]]:
    """The tally of `reports` and their published ones counted by kind, in one query."""
    published = {kind: Count("pk", filter=Q(published=True, kind=kind)) for kind in CitizenReport.Kind.values}
    row = reports.aggregate(
        received=Count("pk"),
        answered=Count("pk", filter=Q(state=State.ANSWERED)),
        median=Median(_days_to_answer(), filter=Q(state=State.ANSWERED)),
        **{f"kind_{kind}": count for kind, count in published.items()},
    )
    median = row["median"]
    tallied = Tally(row["received"], row["answered"], round(median, 1) if median is not None else None)
    labels = dict(CitizenReport.Kind.choices)
    by_kind = [
        {"kind": kind, "label": labels[kind], "n": row[f"kind_{kind}"]}
        for kind in CitizenReport.Kind.values
        if row[f"kind_{kind}"]
    ]
    by_kind.sort(key=lambda k: -k["n"])
    return tallied, by_kind


def counts_by_kind(work: Work) -> list[dict[str, Any]]:
    return figures(CitizenReport.objects.filter(work=work))[1]


def committees_of(work: Work) -> list[Committee]:
    """The committees that watch the work, with their cédulas on this work (no members' data)."""
    cedulas = VigilanceReport.objects.filter(work=work).only(
        "pk", "committee_id", "kind", "filed_on", "findings", "irregularities"
    )
    return list(
        work.committees.only("pk", "kind", "name", "constituted_on", "members_count").prefetch_related(
            Prefetch("vigilance_reports", queryset=cedulas, to_attr="cedulas")
        )
    )


def work_participation(work: Work, *, limit: int = WORK_PAGE_REPORTS) -> dict[str, Any]:
    tallied, by_kind = figures(CitizenReport.objects.filter(work=work))
    return {
        "work": work,
        "latest": list(published_reports(work)[:limit]) if by_kind else [],
        "by_kind": by_kind,
        "tally": tallied,
        "committees": committees_of(work),
    }


def area_tally(works: QuerySet[Work]) -> Tally:
    return tally(CitizenReport.objects.filter(work__in=works.values("pk")))


def agency_reports(agency: Agency) -> CitizenReportQuerySet:
    """Reports on the works the agency executes, or routed to it."""
    executed = WorkAgency.objects.filter(agency=agency, role=WorkAgency.Role.EJECUTORA).values("work_id")
    return CitizenReport.objects.filter(Q(work_id__in=executed) | Q(routed_to=agency))
