"""The periodic part of follows, run by the worker loop (planning.worker) or by
`manage.py run_follow_digests` from cron: at most once per FOLLOW_DIGEST_SECONDS across all workers
(the row lock is taken with SKIP LOCKED, so a second worker skips instead of sending twice).
Consultations need no job: their state comes from their dates."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from consultations import follows
from consultations.models import PeriodicRun

DIGESTS = "follow-digests"


def run_due(*, force: bool = False) -> int | None:
    """Queue the follow digests if they are due. Returns e-mails queued, or None when not due."""
    now = timezone.now()
    with transaction.atomic():
        PeriodicRun.objects.get_or_create(name=DIGESTS, defaults={"last_at": now - timedelta(days=3650)})
    with transaction.atomic():
        run = PeriodicRun.objects.select_for_update(skip_locked=True).filter(name=DIGESTS).first()
        if run is None:
            return None
        if not force and now - run.last_at < timedelta(seconds=settings.FOLLOW_DIGEST_SECONDS):
            return None
        queued = follows.run_digests()
        run.last_at = now
        run.save(update_fields=["last_at"])
    return queued
