"""The consultation gate. Everyone sees a consultation (they are public from the moment staff open
them: an upcoming one shows its dates). Staff who may change its subject (the draft zone or planned
work, through that object's own gate) manage it; a consultation on a document is managed inside its
municipio's scope, or by administrators when it names none."""

from __future__ import annotations

from django.db.models import QuerySet

from consultations.models import Consultation
from gis_core.access import Action, may, may_write, scope_of


def may_consultation(user, action: Action, consultation: Consultation) -> bool:
    if action is Action.VIEW:
        return True
    if not may_write(user):
        return False
    if consultation.zone_id is not None:
        return may(user, Action.CHANGE, consultation.zone)
    if consultation.work_id is not None:
        return may(user, Action.CHANGE, consultation.work)
    scope = scope_of(user)
    return scope.everywhere or (
        consultation.municipio_id is not None and consultation.municipio_id in scope.municipio_ids
    )


def managed_consultations(user) -> QuerySet[Consultation]:
    """The consultations the user manages (listed on the staff page; each is gated again on use)."""
    rows = Consultation.objects.select_related("zone", "work", "municipio").order_by("-opens_on", "-pk")
    return rows if may_write(user) else rows.none()
