"""Store a message for the worker to send (outbox.dispatch), inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from outbox import privacy, senders
from outbox.models import Message

MAX_SUBJECT = 200


def enqueue(
    channel: str,
    to: str,
    *,
    subject: str = "",
    body: str = "",
    payload: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    purpose: str = "",
) -> Message | None:
    """The stored Message, or None when a message with the same dedupe_key exists already (a
    webhook delivered twice, a notice already queued): the second call stores nothing."""
    senders.sender_for(channel)  # an unknown channel is a programming error, refused at once
    to = to.strip()
    if not to:
        raise ValueError("a message needs a recipient")
    if dedupe_key is not None and Message.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    message = Message(
        channel=channel,
        recipient=to,
        recipient_hash=privacy.pseudonym(to),
        subject=" ".join(subject.split())[:MAX_SUBJECT],
        body=body,
        payload=payload or {},
        purpose=purpose[:60],
        dedupe_key=dedupe_key,
    )
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin loses without breaking the caller
            message.save()
    except IntegrityError:
        if dedupe_key is not None and Message.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    if settings.OUTBOX_SEND_IMMEDIATELY:
        from outbox import dispatch

        transaction.on_commit(lambda: dispatch.send_now(message.pk))
    return message
