"""The moderation queue: keyset pages (newest first), so page 1 and page 2,000 cost the same."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from participation.access import moderatable_reports
from participation.models import CitizenReport

PAGE_SIZE = 50


@dataclass(frozen=True)
class QueuePage:
    rows: list[CitizenReport]
    total: int
    next_before: int | None


def page(user, *, state: str = "", before: int | None = None, size: int = PAGE_SIZE) -> QueuePage:
    """Open reports (or those in `state`) the user may moderate, `size` at a time, newest first.

    `before` is the id of the last row of the previous page; ids grow with time of receipt."""
    reports = moderatable_reports(user)
    if state:
        if state not in CitizenReport.State.values:
            raise ValidationError(_("Estado desconocido: %(s)s.") % {"s": state[:30]})
        reports = reports.filter(state=state)
    else:
        reports = reports.filter(state__in=CitizenReport.OPEN_STATES)
    total = reports.count()
    if before is not None:
        reports = reports.filter(Q(pk__lt=before))
    rows = list(
        reports.select_related("work", "work__municipio")
        .only(
            "pk", "code", "kind", "state", "text", "published", "received_at",
            "work__id", "work__name", "work__folio", "work__municipio__name",
        )
        .order_by("-pk")[: size + 1]
    )  # fmt: skip
    more = len(rows) > size
    rows = rows[:size]
    # Labels translated once per page, previews cut here: per-row gettext and truncatechars calls
    # were most of the page's rendering time.
    kinds, states = dict(CitizenReport.Kind.choices), dict(CitizenReport.State.choices)
    for row in rows:
        row.kind_label, row.state_label = str(kinds[row.kind]), str(states[row.state])  # type: ignore[attr-defined]
        row.preview = _cut(row.text, 100)  # type: ignore[attr-defined]
        row.work_preview = _cut(row.work.name, 60)  # type: ignore[attr-defined]
    return QueuePage(rows, total, rows[-1].pk if more and rows else None)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
