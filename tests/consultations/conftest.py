"""Named things for the consultation and follow tests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone


@pytest.fixture
def draft_zone_leon(leon):
    """A zone León's planners are drawing: the subject a consultation asks about before publishing."""
    from tests.places import make_zone

    return make_zone(leon, name="Zona impulso propuesta Las Joyas", published=False)


@pytest.fixture
def open_consultation(planner_leon, draft_zone_leon):
    """A consultation on the draft zone, opened today by León's planner (20 business days)."""
    from consultations.actions import do_open_consultation

    return do_open_consultation(
        acting_user=planner_leon,
        title="¿Dónde trazar la zona Las Joyas?",
        question="¿Qué calles le faltan o le sobran a la zona propuesta?",
        subject="ZONE",
        zone=draft_zone_leon,
        opens_on=timezone.localdate(),
    )


def close_window(consultation, *, days_ago: int = 1) -> None:
    """Move a consultation's window into the past: it closed `days_ago` days ago (test set-up only)."""
    from consultations.models import Consultation

    today = timezone.localdate()
    Consultation.objects.filter(pk=consultation.pk).update(
        opens_on=today - dt.timedelta(days=30 + days_ago), closes_on=today - dt.timedelta(days=days_ago)
    )
    consultation.refresh_from_db()
