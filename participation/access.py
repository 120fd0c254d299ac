"""The gate for citizen reports, and the moderators' scope.

A moderator acts on reports about works in its stored scope (gis_core.access.assigned_scope): the
municipio the work stood in when the report came, the municipio of its municipal agency, or works
its agency takes part in. Administrators act everywhere. Everyone reads published reports (and
their approved photos); only those who may moderate a report read its private fields.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gis_core.access import ADMINISTRATOR, MODERATOR, PLANNER, SUPERVISOR, Action, may, require, roles
from gis_core.access import assigned_scope as stored_scope
from participation.models import CitizenReport
from works_map.models import Work, WorkAgency


def is_moderator(user) -> bool:
    return bool(roles(user) & {MODERATOR, ADMINISTRATOR})


def _scope_filter(user) -> Q | None:
    """The reports a moderator may act on, as a filter (None: everywhere; Q(pk__in=[]): nowhere)."""
    mine = roles(user)
    if ADMINISTRATOR in mine:
        return None
    if MODERATOR not in mine:
        return Q(pk__in=[])
    scope = stored_scope(user)
    municipios = set(scope.municipio_ids)
    if scope.agency_municipio_id is not None:
        municipios.add(scope.agency_municipio_id)
    condition = Q(municipio_id_at_receipt__in=sorted(municipios))
    if scope.agency_id is not None:
        agency_works = WorkAgency.objects.filter(agency_id=scope.agency_id).values("work_id")
        condition |= Q(work_id__in=agency_works) | Q(routed_to_id=scope.agency_id)
    return condition


def moderatable_reports(user) -> QuerySet[CitizenReport]:
    condition = _scope_filter(user)
    reports = CitizenReport.objects.all()
    return reports if condition is None else reports.filter(condition)


def may_citizen_report(user, action: Action, report: CitizenReport) -> bool:
    """The citizen-report gate (registered with gis_core.access by this app's config)."""
    if action is Action.VIEW and report.published:
        return True
    if not is_moderator(user):
        return False
    condition = _scope_filter(user)
    return condition is None or CitizenReport.objects.filter(condition, pk=report.pk).exists()


def get_report_for(user, pk: int, action: Action | str = Action.VIEW) -> CitizenReport:
    report = (
        CitizenReport.objects.select_related("work", "work__municipio", "routed_to").filter(pk=pk).first()
    )
    if report is None or not may(user, Action.VIEW, report):
        raise Http404(_("No existe ese reporte ciudadano."))
    require(user, action, report)
    return report


def reportable_work(pk: int) -> Work:
    """Citizens report on published works only."""
    work = Work.objects.published().select_related("municipio").filter(pk=pk).first()
    if work is None:
        raise Http404(_("No existe esa obra."))
    return work


def may_manage_committees(user, work: Work) -> bool:
    """Committees of a work: its moderators, and the planners and supervisors who may change it."""
    mine = roles(user)
    if ADMINISTRATOR in mine:
        return True
    if MODERATOR in mine:
        scope = stored_scope(user)
        if work.municipio_id in scope.municipio_ids or work.municipio_id == scope.agency_municipio_id:
            return True
        if scope.agency_id is not None and work.agency_roles.filter(agency_id=scope.agency_id).exists():
            return True
    return bool(mine & {PLANNER, SUPERVISOR}) and may(user, Action.CHANGE, work)
