"""The gates for works and progress reports, and the scopes stored for staff users.

Works follow gis_core.access.standard_decision: a work is a draft until published, and stands in
its declared municipio with its geometry inside the user's municipios, or belongs to the user's
agency when that agency takes part in it. Besides, planners and supervisors record progress on
works in their scope. Progress reports: approved ones are public with their work; supervisors
approve reports in their scope, never their own; administrators anything.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gis_core.access import (
    ADMINISTRATOR,
    PLANNER,
    SUPERVISOR,
    Action,
    Scope,
    has_role,
    may,
    require,
    roles,
    scope_of,
    standard_decision,
)
from priority_zones.access import geometry_in_scope
from works_map.models import ProgressReport, UserScope, Work, WorkAgency, WorkQuerySet


def load_scope(user) -> Scope:
    """The user's stored scope (registered with gis_core.access as its scope loader)."""
    stored = UserScope.objects.select_related("agency").filter(user=user).first()
    if stored is None:
        return Scope()
    agency = stored.agency
    return Scope(
        municipio_ids=frozenset(stored.municipios.values_list("pk", flat=True)),
        agency_id=stored.agency_id,
        agency_municipio_id=agency.municipio_id if agency is not None else None,
        assigned=True,
    )


def work_in_scope(user, work: Work) -> bool:
    scope = scope_of(user)
    if scope.everywhere:
        return True
    # By municipio: the declared municipio and the geometry both inside (a work cannot be moved out).
    if work.municipio_id in scope.municipio_ids and (work.geom is None or geometry_in_scope(user, work.geom)):
        return True
    if scope.agency_id is not None and work.pk is not None:
        return WorkAgency.objects.filter(work=work, agency_id=scope.agency_id).exists()
    return False


def may_work(user, action: Action, work: Work) -> bool:
    """The work gate (registered with gis_core.access by this app's config)."""
    if action is Action.RECORD_PROGRESS and ADMINISTRATOR not in roles(user):
        return bool(roles(user) & {PLANNER, SUPERVISOR}) and work_in_scope(user, work)
    return standard_decision(
        user, action, draft=not work.published, in_scope=lambda: work_in_scope(user, work)
    )


def may_report(user, action: Action, report: ProgressReport) -> bool:
    """The progress-report gate (registered with gis_core.access by this app's config)."""
    mine = roles(user)
    if action is Action.VIEW:
        return bool(mine) or (
            report.state == ProgressReport.State.APPROVED and may(user, Action.VIEW, report.work)
        )
    if action is Action.APPROVE and ADMINISTRATOR not in mine:
        return SUPERVISOR in mine and report.author_id != user.pk and work_in_scope(user, report.work)
    return standard_decision(user, action, draft=False, in_scope=lambda: work_in_scope(user, report.work))


# --- gated querysets and fetches -------------------------------------------------------------------


def visible_works(user) -> QuerySet[Work]:
    works = Work.objects.select_related("category", "category__parent", "municipio", "localidad")
    return works if has_role(user) or getattr(user, "is_staff", False) else works.published()


def get_work_for(user, pk: int, action: Action | str = Action.VIEW) -> Work:
    """The work if the user may see it (404 otherwise) and may do `action` on it (403 otherwise)."""
    work = visible_works(user).filter(pk=pk).first()
    if work is None:
        raise Http404(_("No existe esa obra."))
    require(user, action, work)
    return work


def get_report_for(user, pk: int, action: Action | str = Action.VIEW) -> ProgressReport:
    report = ProgressReport.objects.select_related("work").filter(pk=pk).first()
    if report is None or not may(user, Action.VIEW, report):
        raise Http404(_("No existe ese reporte de avance."))
    require(user, action, report)
    return report


def works_in_scope(user) -> WorkQuerySet:
    """Works the user may change (by declared municipio or agency; the geometry is checked per object)."""
    scope = scope_of(user)
    works = Work.objects.select_related("municipio")
    if scope.everywhere:
        return works
    mine = works.filter(municipio_id__in=scope.municipio_ids)
    if scope.agency_id is not None:
        mine = mine | works.filter(agency_roles__agency_id=scope.agency_id)
    return mine.distinct()


def reviewable_reports(user) -> QuerySet[ProgressReport]:
    """Pending reports the user could approve (for the supervisor's queue)."""
    pending = ProgressReport.objects.filter(state=ProgressReport.State.PENDING).select_related(
        "work", "work__municipio", "author"
    )
    mine = roles(user)
    if ADMINISTRATOR in mine:
        return pending
    if SUPERVISOR not in mine:
        return pending.none()
    scope = scope_of(user)
    in_scope = pending.filter(work__municipio_id__in=scope.municipio_ids)
    if scope.agency_id is not None:
        in_scope = in_scope | pending.filter(work__agency_roles__agency_id=scope.agency_id)
    return in_scope.exclude(author=user).distinct()
