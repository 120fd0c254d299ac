"""The one place that decides who may view or change which work, zone, progress report and import.

Roles are Django groups (created by planning's data migration): analyst, planner, supervisor,
administrator. Superusers count as administrators. Anonymous citizens see published works and zones.

- view: published objects: everyone; drafts and unpublished works: any role.
- create / change: planners and supervisors inside their scope; administrators anywhere.
- delete: supervisors inside their scope; planners only drafts inside their scope; administrators.
- record progress: planners and supervisors inside the work's scope; administrators.
- approve progress: supervisors inside the work's scope, never their own report; administrators.
- import: planners, supervisors, administrators (each row is then checked against the scope).

A scope is the user's priority_zones.UserScope: its municipios, plus its agency (the works that
agency takes part in, and for a municipal agency its municipio). No scope means nothing writable.
Household data keeps its own gate (priority_zones.access); `may_view_households` is re-exported.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from priority_zones.access import may_view_households  # noqa: F401  (re-exported: one module to ask)
from priority_zones.models import Municipio, Zone
from works_map.models import ProgressReport, Work, WorkAgency

ANALYST = "analyst"
PLANNER = "planner"
SUPERVISOR = "supervisor"
ADMINISTRATOR = "administrator"
ROLES = (ANALYST, PLANNER, SUPERVISOR, ADMINISTRATOR)


class Action(StrEnum):
    VIEW = "view"
    CREATE = "create"
    CHANGE = "change"
    DELETE = "delete"
    RECORD_PROGRESS = "record_progress"
    APPROVE = "approve"
    IMPORT = "import"


@dataclass(frozen=True)
class Scope:
    everywhere: bool = False
    municipio_ids: frozenset[int] = frozenset()
    agency_id: int | None = None

    @property
    def empty(self) -> bool:
        return not self.everywhere and not self.municipio_ids and self.agency_id is None


def roles(user) -> frozenset[str]:
    """The user's roles, read once per request object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_territorio_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        if user.is_superuser:
            cached |= {ADMINISTRATOR}
        user._territorio_roles = cached
    return cached


def has_role(user) -> bool:
    return bool(roles(user))


def may_write(user) -> bool:
    """Whether the user's role writes anything at all (each object is then checked for scope)."""
    return bool(roles(user) & {PLANNER, SUPERVISOR, ADMINISTRATOR})


def is_administrator(user) -> bool:
    return ADMINISTRATOR in roles(user)


def scope_of(user) -> Scope:
    if is_administrator(user):
        return Scope(everywhere=True)
    if not roles(user) & {PLANNER, SUPERVISOR}:
        return Scope()
    cached = getattr(user, "_territorio_scope", None)
    if cached is not None:
        return cached
    from priority_zones.models import UserScope

    user_scope = UserScope.objects.select_related("agency").filter(user=user).first()
    if user_scope is None:
        scope = Scope()
    else:
        ids = set(user_scope.municipios.values_list("pk", flat=True))
        if user_scope.agency is not None and user_scope.agency.municipio_id:
            ids.add(user_scope.agency.municipio_id)
        scope = Scope(municipio_ids=frozenset(ids), agency_id=user_scope.agency_id)
    user._territorio_scope = scope
    return scope


# --- scope tests -------------------------------------------------------------------------------


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


def geometry_in_scope(user, geom: GEOSGeometry | None) -> bool:
    """A drawn shape belongs where its representative point lies."""
    scope = scope_of(user)
    if scope.everywhere:
        return True
    if geom is None or not scope.municipio_ids:
        return False
    return Municipio.objects.filter(
        pk__in=scope.municipio_ids, geom__intersects=geom.point_on_surface
    ).exists()


def zone_in_scope(user, zone: Zone) -> bool:
    scope = scope_of(user)
    if scope.everywhere:
        return True
    if zone.municipio_id is not None and zone.municipio_id not in scope.municipio_ids:
        return False
    return geometry_in_scope(user, zone.geom)


def _is_draft(obj: Any) -> bool:
    if isinstance(obj, Work):
        return not obj.published
    if isinstance(obj, Zone):
        return obj.status != Zone.Status.PUBLISHED
    return False


def _in_scope(user, obj: Any) -> bool:
    if isinstance(obj, Work):
        return work_in_scope(user, obj)
    if isinstance(obj, Zone):
        return zone_in_scope(user, obj)
    if isinstance(obj, ProgressReport):
        return work_in_scope(user, obj.work)
    return False


# --- the decision ------------------------------------------------------------------------------


def may(user, action: Action | str, obj: Any = None) -> bool:
    """May `user` do `action` on `obj` (a Work, Zone or ProgressReport; None for imports)?"""
    action = Action(action)
    mine = roles(user)
    if action is Action.VIEW:
        if isinstance(obj, ProgressReport):
            return bool(mine) or (
                obj.state == ProgressReport.State.APPROVED and may(user, Action.VIEW, obj.work)
            )
        return not _is_draft(obj) or bool(mine)
    if action is Action.IMPORT:
        return may_write(user)
    if ADMINISTRATOR in mine:
        return True
    if action is Action.APPROVE:
        return (
            SUPERVISOR in mine
            and isinstance(obj, ProgressReport)
            and obj.author_id != user.pk
            and _in_scope(user, obj)
        )
    if not mine & {PLANNER, SUPERVISOR}:
        return False
    if action is Action.DELETE and SUPERVISOR not in mine and not _is_draft(obj):
        return False
    if action is Action.RECORD_PROGRESS and not isinstance(obj, Work):
        return False
    return _in_scope(user, obj)


def require(user, action: Action | str, obj: Any = None) -> None:
    if not may(user, action, obj):
        raise PermissionDenied(_("No tiene permiso para esta operación sobre este objeto."))


# --- gated querysets and fetches -------------------------------------------------------------------


def visible_works(user) -> QuerySet[Work]:
    works = Work.objects.select_related("category", "category__parent", "municipio", "localidad")
    return works if has_role(user) or getattr(user, "is_staff", False) else works.published()


def visible_zones(user) -> QuerySet[Zone]:
    zones = Zone.objects.select_related("source", "municipio")
    return zones if has_role(user) or getattr(user, "is_staff", False) else zones.published()


def get_work_for(user, pk: int, action: Action | str = Action.VIEW) -> Work:
    """The work if the user may see it (404 otherwise) and may do `action` on it (403 otherwise)."""
    work = visible_works(user).filter(pk=pk).first()
    if work is None:
        raise Http404(_("No existe esa obra."))
    require(user, action, work)
    return work


def get_zone_for(user, pk: int, action: Action | str = Action.VIEW) -> Zone:
    zone = visible_zones(user).filter(pk=pk).first()
    if zone is None:
        raise Http404(_("No existe esa zona."))
    require(user, action, zone)
    return zone


def get_report_for(user, pk: int, action: Action | str = Action.VIEW) -> ProgressReport:
    report = ProgressReport.objects.select_related("work").filter(pk=pk).first()
    if report is None or not may(user, Action.VIEW, report):
        raise Http404(_("No existe ese reporte de avance."))
    require(user, action, report)
    return report


def works_in_scope(user) -> QuerySet[Work]:
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
