"""The gates for zones and for household-level data (records, persons, points, diagnostics).

Zones follow gis_core.access.standard_decision: a zone is a draft until published and stands
where its municipio and geometry are.

Households: superusers, and users holding `priority_zones.view_household_data` *and* a stored
scope (gis_core.access.assigned_scope), only inside the scope's municipios. Every read through
this module writes an AccessLog row (who, when, what, why) in the same transaction as the read.
Code elsewhere must not query Household/Person for display; public figures go through
priority_zones.disclosure instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gis_core.access import Action, assigned_scope, has_role, require, scope_of, standard_decision
from priority_zones.models import AccessLog, Household, Municipio, Zone

PERMISSION = "priority_zones.view_household_data"
MIN_PURPOSE_LENGTH = 10


# --- zones -----------------------------------------------------------------------------------------


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


def may_zone(user, action: Action, zone: Zone) -> bool:
    """The zone gate (registered with gis_core.access by this app's config)."""
    draft = zone.status != Zone.Status.PUBLISHED
    return standard_decision(user, action, draft=draft, in_scope=lambda: zone_in_scope(user, zone))


def visible_zones(user) -> QuerySet[Zone]:
    zones = Zone.objects.select_related("source", "municipio")
    return zones if has_role(user) or getattr(user, "is_staff", False) else zones.published()


def get_zone_for(user, pk: int, action: Action | str = Action.VIEW) -> Zone:
    """The zone if the user may see it (404 otherwise) and may do `action` on it (403 otherwise)."""
    zone = visible_zones(user).filter(pk=pk).first()
    if zone is None:
        raise Http404(_("No existe esa zona."))
    require(user, action, zone)
    return zone


# --- households -------------------------------------------------------------------------------------


class PurposeRequired(ValueError):
    pass


def may_view_households(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.has_perm(PERMISSION) and assigned_scope(user).assigned


def household_municipio_ids(user) -> frozenset[int]:
    """The municipios whose households the user may see (call after may_view_households)."""
    return assigned_scope(user).municipio_ids


def scoped_households(user) -> QuerySet[Household]:
    """Households the user may see, unevaluated. Raises PermissionDenied for anyone else."""
    if not may_view_households(user):
        raise PermissionDenied(_("No tiene permiso para ver datos de hogares."))
    qs = Household.objects.all()
    if not user.is_superuser:
        qs = qs.filter(municipio_id__in=household_municipio_ids(user))
    return qs


def check_purpose(purpose: str | None) -> str:
    purpose = (purpose or "").strip()
    if len(purpose) < MIN_PURPOSE_LENGTH:
        raise PurposeRequired(
            _("Indique el propósito de la consulta (parámetro «proposito», al menos %(n)s caracteres).")
            % {"n": MIN_PURPOSE_LENGTH}
        )
    return purpose[:300]


def log_read(user, action: str, purpose: str, ids: Sequence[int], query: str = "") -> AccessLog:
    return AccessLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        purpose=purpose,
        object_ids=list(ids),
        query=query[:500],
    )


def read_households(
    user,
    *,
    purpose: str | None,
    queryset: QuerySet[Household] | None = None,
    query: str = "",
    limit: int = 100,
) -> list[Household]:
    """Evaluate a scoped read (at most `limit` rows) and log the ids that were read."""
    base = scoped_households(user)
    purpose = check_purpose(purpose)
    qs = base if queryset is None else base & queryset
    rows = list(qs.select_related("municipio", "latest_diagnostic").order_by("pk")[:limit])
    log_read(user, AccessLog.Action.LIST, purpose, [h.pk for h in rows], query)
    return rows


def read_household(user, pk: int, *, purpose: str | None) -> Household:
    """One household with its persons, if in scope (Household.DoesNotExist otherwise); logged."""
    base = scoped_households(user)
    purpose = check_purpose(purpose)
    household = base.select_related("municipio", "latest_diagnostic").prefetch_related("persons").get(pk=pk)
    log_read(user, AccessLog.Action.DETAIL, purpose, [household.pk], f"hogar {pk}")
    return household


# --- the Django admin's household pages -------------------------------------------------------------

ADMIN_PURPOSE = "admin"


def admin_purpose(purpose: str | None) -> str:
    """Why an admin page was read: "admin", plus the optional `proposito` the user gave."""
    given = (purpose or "").strip()
    return f"{ADMIN_PURPOSE}: {given}"[:300] if given else ADMIN_PURPOSE


def log_admin_read(
    user, action: str, household_ids: Sequence[int], query: str, purpose: str | None
) -> AccessLog:
    """Log one admin page of household-level rows (a changelist page or one change form).

    Only for users the gate lets in (PermissionDenied otherwise): the admin's querysets are already
    cut to scoped_households(user), so the ids logged are those shown.
    """
    if not may_view_households(user):
        raise PermissionDenied(_("No tiene permiso para ver datos de hogares."))
    return log_read(user, action, admin_purpose(purpose), sorted(set(household_ids)), query)
