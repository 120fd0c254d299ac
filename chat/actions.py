"""Every write of the chat: intent counts, consent, subscriptions, forgetting a number."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F

from chat.models import Conversation, IntentCount, Subscriber, Subscription
from outbox import privacy
from outbox.models import Message
from works_map.models import Work

AREA_RADIUS_M = 2000


def phone_hash(phone: str) -> str:
    """HMAC of the number with the site's secret: stable for lookups, useless without the secret.
    Logs, cursors and metrics only ever see this."""
    return privacy.keyed_hash("wa", "".join(c for c in phone if c.isdigit()))


def count_intent(channel: str, intent: str, day: dt.date) -> None:
    updated = IntentCount.objects.filter(day=day, channel=channel, intent=intent).update(count=F("count") + 1)
    if not updated:
        _, created = IntentCount.objects.get_or_create(
            day=day, channel=channel, intent=intent, defaults={"count": 1}
        )
        if not created:  # another message of the same intent inserted it first
            IntentCount.objects.filter(day=day, channel=channel, intent=intent).update(count=F("count") + 1)


def touch_subscriber(key: str, now: dt.datetime) -> None:
    Subscriber.objects.filter(phone_hash=key).update(last_inbound_at=now, last_activity_at=now)


def has_consent(key: str) -> bool:
    return Subscriber.objects.filter(phone_hash=key).exists()


@transaction.atomic
def record_consent(key: str, phone: str, text: str, now: dt.datetime) -> Subscriber:
    subscriber, _ = Subscriber.objects.get_or_create(
        phone_hash=key,
        defaults={
            "phone": "".join(c for c in phone if c.isdigit())[:20],
            "consent_at": now,
            "consent_text": text,
            "last_inbound_at": now,
            "last_activity_at": now,
        },
    )
    return subscriber


def subscribe_work(key: str, work: Work, now: dt.datetime) -> Subscription:
    subscriber = Subscriber.objects.get(phone_hash=key)
    subscription, _ = Subscription.objects.get_or_create(
        subscriber=subscriber,
        work=work,
        defaults={
            "kind": Subscription.Kind.WORK,
            "last_status": work.status,
            "last_physical": work.physical_progress,
            "last_financial": work.financial_progress,
            "checked_at": now,
        },
    )
    return subscription


def subscribe_area(key: str, point, now: dt.datetime) -> Subscription:
    subscriber = Subscriber.objects.get(phone_hash=key)
    return Subscription.objects.create(
        subscriber=subscriber,
        kind=Subscription.Kind.AREA,
        point=point,
        radius_m=AREA_RADIUS_M,
        checked_at=now,
    )


@transaction.atomic
def forget(key: str, phone: str | None) -> None:
    """ "baja"/"alto": the subscriptions, the number and the cursor go at once; so do notices still
    waiting in the outbox for that number."""
    Subscriber.objects.filter(phone_hash=key).delete()
    Conversation.objects.filter(key=key).delete()
    if phone:
        drop_pending(phone)


def drop_pending(phone: str) -> int:
    """Notices still waiting in the outbox for a number that is being deleted go with it."""
    digits = "".join(c for c in phone if c.isdigit())
    deleted, _ = Message.objects.filter(
        channel="whatsapp", status=Message.Status.PENDING, recipient=digits, purpose="chat:notice"
    ).delete()
    return deleted
