"""Send what is due: the worker calls run_due() on every loop (planning.worker).

Each message is claimed with SELECT … FOR UPDATE SKIP LOCKED in its own transaction and sent while
the row is locked, so several workers on several hosts never send the same message twice; a worker
killed mid-send rolls back, and the message is sent by the next one (at least once).
A failed attempt is retried after OUTBOX_RETRY_SECONDS × 2^(attempts-1) (at most an hour), or when
the channel asked (senders.RetryLater); after OUTBOX_MAX_ATTEMPTS it is FAILED.
Once a message is SENT or FAILED its recipient is erased (the pseudonym stays).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from outbox import senders
from outbox.models import Message

log = logging.getLogger(__name__)
MAX_DELAY_SECONDS = 3600


def _delay(attempts: int) -> float:
    return min(settings.OUTBOX_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_DELAY_SECONDS)


def _describe(error: BaseException, recipient: str) -> str:
    text = (
        f"{type(error).__name__}: {error}".replace(recipient, "[destinatario]") if recipient else str(error)
    )
    return text[:300]


def _attempt(message: Message) -> None:
    """Send one locked message and record the outcome (the caller holds the transaction)."""
    now = timezone.now()
    message.attempts += 1
    try:
        senders.sender_for(message.channel)(message)
    except senders.RetryLater as wait:
        outcome, message.last_error = "retry", _describe(wait, message.recipient)
        message.next_attempt_at = now + timedelta(seconds=max(wait.seconds, _delay(message.attempts)))
    except Exception as error:  # recorded on the message; the worker goes on with the others
        outcome, message.last_error = "retry", _describe(error, message.recipient)
        message.next_attempt_at = now + timedelta(seconds=_delay(message.attempts))
    else:
        outcome, message.last_error = "sent", ""
        message.status, message.sent_at = Message.Status.SENT, now
    if outcome == "retry" and message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        outcome, message.status = "failed", Message.Status.FAILED
    if message.status != Message.Status.PENDING:
        message.recipient = ""
    message.save(
        update_fields=["attempts", "status", "sent_at", "next_attempt_at", "last_error", "recipient"]
    )
    log.info(
        "outbox %s %s to %s: %s (attempt %d)%s",
        message.channel,
        message.pk,
        message.recipient_hash,
        outcome,
        message.attempts,
        f" {message.last_error}" if message.last_error else "",
    )


def _claim_one() -> bool:
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(status=Message.Status.PENDING, next_attempt_at__lte=timezone.now())
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if message is None:
            return False
        _attempt(message)
        return True


def run_due(limit: int = 100) -> int:
    """Send up to `limit` due messages; how many were attempted."""
    done = 0
    while done < limit and _claim_one():
        done += 1
    return done


def send_now(pk: int) -> None:
    """OUTBOX_SEND_IMMEDIATELY (development, tests): send this message at once if it is due."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, status=Message.Status.PENDING)
            .first()
        )
        if message is not None:
            _attempt(message)


def purge(days: int | None = None) -> int:
    """Delete sent and failed messages older than OUTBOX_RETENTION_DAYS."""
    cutoff = timezone.now() - timedelta(days=settings.OUTBOX_RETENTION_DAYS if days is None else days)
    deleted, _ = Message.objects.filter(
        status__in=[Message.Status.SENT, Message.Status.FAILED], created_at__lt=cutoff
    ).delete()
    return deleted


def counts() -> dict[str, int]:
    """Pending and failed messages, for /health."""
    pending = Message.objects.filter(status=Message.Status.PENDING).count()
    failed = Message.objects.filter(status=Message.Status.FAILED).count()
    return {"pending": pending, "failed": failed}
