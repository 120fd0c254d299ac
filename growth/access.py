"""The one gate for child records (stricter than households: priority_zones.access).

Who: superusers, and users holding `growth.view_child_data` (the "salud_infantil" role) *and* a
stored scope, only inside the scope's municipios. Holding the household permission, a planning role
or staff status gives nothing here. Every read and write through this module writes a
GrowthAccessLog row (who, when, which children, why) in the same transaction; a read without a
purpose of at least 10 characters is refused before any query of children runs.
Public figures never come from here: they come from growth.disclosure (units of >= 10 children).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gis_core.access import assigned_scope
from growth.models import Child, GrowthAccessLog
from priority_zones.access import PurposeRequired, check_purpose

PERMISSION = "growth.view_child_data"
ROLE = "salud_infantil"

__all__ = ["PERMISSION", "ROLE", "PurposeRequired", "check_purpose", "may_view_children"]


def may_view_children(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.has_perm(PERMISSION) and assigned_scope(user).assigned


def scoped_children(user) -> QuerySet[Child]:
    """Children the user may see, unevaluated. PermissionDenied for anyone else."""
    if not may_view_children(user):
        raise PermissionDenied(_("No tiene permiso para ver datos de crecimiento infantil."))
    qs = Child.objects.all()
    if not user.is_superuser:
        qs = qs.filter(municipio_id__in=assigned_scope(user).municipio_ids)
    return qs


def municipio_in_scope(user, municipio_id: int) -> bool:
    if not may_view_children(user):
        return False
    return user.is_superuser or municipio_id in assigned_scope(user).municipio_ids


def log(user, action: str, purpose: str, ids: Sequence[int], query: str = "") -> GrowthAccessLog:
    return GrowthAccessLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        purpose=purpose[:300],
        child_ids=sorted(set(ids)),
        query=query[:500],
    )


def read_child(user, pk: int, *, purpose: str | None) -> Child:
    """One child with measurements, screenings and referrals (Child.DoesNotExist if out of scope)."""
    base = scoped_children(user)
    purpose = check_purpose(purpose)
    child = (
        base.select_related("municipio", "centre")
        .prefetch_related("measurements", "screenings", "referrals__centre")
        .get(pk=pk)
    )
    log(user, GrowthAccessLog.Action.DETAIL, purpose, [child.pk], f"niño {pk}")
    return child


def read_children(user, queryset: QuerySet[Child], *, purpose: str | None, query: str, limit: int = 200):
    """Evaluate a scoped list of children (at most `limit`) and log the ids read."""
    base = scoped_children(user)
    purpose = check_purpose(purpose)
    rows = list(queryset.filter(pk__in=base.values("pk")).order_by("pk")[:limit])
    log(user, GrowthAccessLog.Action.LIST, purpose, [c.pk for c in rows], query)
    return rows


def child_for_write(user, pk: int) -> Child:
    """A child the user may record data for (in scope), or Child.DoesNotExist."""
    return scoped_children(user).get(pk=pk)
