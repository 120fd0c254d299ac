"""The chat's periodic work (`manage.py chat_maintenance`, run by the worker's host every few minutes):
notices to subscribers when a followed work's status or progress changed or works near a followed
place changed, and deletion of what must not outlive its purpose (numbers inactive for
CHAT_INACTIVE_DAYS, expired cursors, old delivered-message ids).

Changes are found by comparing each subscription's last notified state with the works table, not by
hooking the writers: works change through works_map.actions (forms, admin, progress review) and
through the register import's bulk writes alike, and all of them leave the row's status, progress
and updated_at as the truth.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chat import actions, engine, whatsapp
from chat.models import Conversation, DeliveredMessage, Subscriber, Subscription
from works_map.models import Work, WorkStatus

log = logging.getLogger(__name__)
DELIVERED_KEEP = dt.timedelta(days=7)  # Meta retries a delivery for up to 7 days
BATCH = 500


@dataclass
class Report:
    notices: int = 0
    subscribers_deleted: int = 0
    cursors_deleted: int = 0
    ids_deleted: int = 0


def _work_notice(work: Work, subscription: Subscription) -> str:
    lines = [_("Hay novedades en la obra que sigues:"), f"{work.name} ({work.folio})"]
    if subscription.last_status != work.status:
        old = dict(WorkStatus.choices).get(subscription.last_status, subscription.last_status)
        lines.append(_("Estatus: %(a)s → %(b)s") % {"a": old, "b": work.get_status_display()})
    if subscription.last_physical != work.physical_progress:
        lines.append(
            _("Avance físico: %(a)s %% → %(b)s %%")
            % {"a": f"{subscription.last_physical or 0:.0f}", "b": f"{work.physical_progress:.0f}"}
        )
    lines.append(f"{settings.SITE_URL}/obras/{work.pk}/")
    lines.append(_("Escribe «baja» para dejar de recibir avisos."))
    return "\n".join(lines)


def notify_changes(now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    sent = 0
    changed = (
        Subscription.objects.filter(kind=Subscription.Kind.WORK)
        .filter(
            ~Q(last_status=F("work__status"))
            | ~Q(last_physical=F("work__physical_progress"))
            | ~Q(last_financial=F("work__financial_progress"))
        )
        .filter(work__published=True)
        .select_related("work", "subscriber")
    )
    for subscription in changed[:BATCH]:
        work = subscription.work
        assert work is not None  # noqa: S101 - WORK subscriptions have one (constraint)
        with transaction.atomic():
            text = _work_notice(work, subscription)
            state = f"{work.status}:{work.physical_progress}:{work.financial_progress}"
            key = f"whatsapp:notice:{subscription.pk}:{state}"
            whatsapp.enqueue_notice(
                text,
                subscription.subscriber.phone,
                last_inbound_at=subscription.subscriber.last_inbound_at,
                template=[work.name[:200], work.get_status_display(), f"{work.physical_progress:.0f}"],
                dedupe_key=key,
            )
            Subscription.objects.filter(pk=subscription.pk).update(
                last_status=work.status,
                last_physical=work.physical_progress,
                last_financial=work.financial_progress,
                checked_at=now,
            )
        sent += 1
    for subscription in Subscription.objects.filter(kind=Subscription.Kind.AREA).select_related("subscriber")[
        :BATCH
    ]:
        nearby = list(
            Work.objects.published()
            .filter(updated_at__gt=subscription.checked_at, updated_at__lte=now)
            .only("pk", "name", "status", "amount_approved", "amount_modified", "physical_progress")
            .nearest(subscription.point, subscription.radius_m, engine.PAGE)
        )
        with transaction.atomic():
            if nearby:
                lines = [_("Obras nuevas o con cambios cerca del lugar que sigues:")]
                lines += [f"{n}. {engine.work_line(w, settings.SITE_URL)}" for n, w in enumerate(nearby, 1)]
                lines.append(_("Escribe «baja» para dejar de recibir avisos."))
                whatsapp.enqueue_notice(
                    "\n".join(lines),
                    subscription.subscriber.phone,
                    last_inbound_at=subscription.subscriber.last_inbound_at,
                    template=[
                        nearby[0].name[:200],
                        nearby[0].get_status_display(),
                        f"{nearby[0].physical_progress:.0f}",
                    ],
                    dedupe_key=f"whatsapp:area:{subscription.pk}:{now.isoformat()}",
                )
                sent += 1
            Subscription.objects.filter(pk=subscription.pk).update(checked_at=now)
    return sent


def purge(now: dt.datetime | None = None) -> Report:
    now = now or timezone.now()
    report = Report()
    inactive = Subscriber.objects.filter(
        last_activity_at__lt=now - dt.timedelta(days=settings.CHAT_INACTIVE_DAYS)
    )
    for subscriber in inactive.only("pk", "phone"):
        with transaction.atomic():
            actions.drop_pending(subscriber.phone)
            subscriber.delete()
        report.subscribers_deleted += 1
    report.cursors_deleted, _ = Conversation.objects.filter(expires_at__lte=now).delete()
    report.ids_deleted, _ = DeliveredMessage.objects.filter(received_at__lt=now - DELIVERED_KEEP).delete()
    return report


def run(now: dt.datetime | None = None) -> Report:
    report = purge(now)
    report.notices = notify_changes(now)
    return report
