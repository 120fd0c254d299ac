"""What the webhook does with a verified notification: refuse replays, queue each new message once
(idempotent on WhatsApp's message id) in the outbox, in one transaction with its id; "baja" deletes
the number at once; statuses are counted. The job worker then computes the answer and sends it
(chat.whatsapp.send), so the webhook answers 200 without running the conversation."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from chat import actions, engine, whatsapp
from chat.models import DeliveredMessage

log = logging.getLogger(__name__)
FUTURE_SKEW = dt.timedelta(minutes=5)


@dataclass
class Outcome:
    accepted: int = 0
    duplicates: int = 0
    stale: int = 0


def receive(
    messages: list[whatsapp.InboundMessage], statuses: list[whatsapp.StatusUpdate], *, now: dt.datetime
) -> Outcome:
    outcome = Outcome()
    window = dt.timedelta(seconds=settings.WHATSAPP_REPLAY_WINDOW_SECONDS)
    for message in messages:
        who = actions.phone_hash(message.phone)
        if not (now - window <= message.sent_at <= now + FUTURE_SKEW):
            outcome.stale += 1
            log.warning(
                "whatsapp %s de %s: fuera de la ventana (%s); no se responde",
                message.wamid[-12:],
                who[:16],
                message.sent_at.isoformat(),
            )
            continue
        try:
            with transaction.atomic():
                engine.relaxed_commit()
                # The id first: a concurrent twin of this delivery fails here and rolls back whole.
                DeliveredMessage.objects.create(wamid=message.wamid, received_at=now)
                if engine.is_stop(message.incoming):  # "baja" deletes the number now, not when answered
                    actions.forget(who, message.phone)
                whatsapp.enqueue_incoming(message)
        except IntegrityError:
            if not DeliveredMessage.objects.filter(wamid=message.wamid).exists():
                raise
            outcome.duplicates += 1
            continue
        outcome.accepted += 1
        log.info("whatsapp %s de %s: %s en cola", message.wamid[-12:], who[:16], message.incoming.kind)
    if statuses:
        today = now.date()
        for status in statuses:
            actions.count_intent("whatsapp", f"status:{status.status}"[:20], today)
    return outcome
