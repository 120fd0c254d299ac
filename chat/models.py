"""What the chat keeps: subscribers (the only place a phone number is stored, with its consent),
their subscriptions, a short-lived cursor per conversation, delivered message ids (idempotency)
and counts of intents per day. No conversation text is stored."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from works_map.models import Work


class Subscriber(models.Model):
    """A phone number that asked for notices and gave its consent. Deleted at once with "baja" and
    after CHAT_INACTIVE_DAYS without activity (chat.maintenance)."""

    phone = models.CharField(_("teléfono"), max_length=20)
    # HMAC of the number with the site's secret: what logs, cursors and lookups use.
    phone_hash = models.CharField(max_length=64, unique=True)
    consent_at = models.DateTimeField(_("consentimiento"))
    consent_text = models.TextField(_("texto aceptado"))
    # Last message received from the number: the 24-hour customer-service window starts there.
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("suscriptor")
        verbose_name_plural = _("suscriptores")

    def __str__(self) -> str:
        return f"suscriptor {self.phone_hash[:12]}"


class Subscription(models.Model):
    class Kind(models.TextChoices):
        WORK = "WORK", _("Una obra")
        AREA = "AREA", _("Obras cerca de un lugar")

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="subscriptions")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    work = models.ForeignKey(Work, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    point = models.PointField(srid=4326, null=True, blank=True)
    radius_m = models.PositiveIntegerField(default=2000)
    # What the subscriber last heard about (a work's status and progress; an area's watermark).
    last_status = models.CharField(max_length=16, blank=True)
    last_physical = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    last_financial = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    checked_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("suscripción")
        verbose_name_plural = _("suscripciones")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="WORK") & models.Q(work__isnull=False))
                | (models.Q(kind="AREA") & models.Q(point__isnull=False)),
                name="chat_subscription_target",
                violation_error_message=_("Una suscripción sigue una obra o un lugar."),
            ),
            models.UniqueConstraint(
                fields=["subscriber", "work"],
                name="chat_subscription_unique_work",
                violation_error_message=_("Ya sigue esa obra."),
            ),
        ]


class Conversation(models.Model):
    """The short-lived cursor of one conversation ("más" and a pending consent): where the last
    answer was and how far it went. Keyed by a hash (of the phone, or of the web chat's session
    id); expires after CHAT_CURSOR_MINUTES and is then deleted."""

    key = models.CharField(max_length=64, unique=True)
    mode = models.CharField(max_length=12, blank=True)  # near | municipio | localidad | category | folio
    point = models.PointField(srid=4326, null=True, blank=True)
    ref = models.BigIntegerField(null=True, blank=True)  # municipio/localidad id of a place query
    category = models.BigIntegerField(null=True, blank=True)
    offset = models.PositiveIntegerField(default=0)
    pending = models.CharField(max_length=40, blank=True)  # an action awaiting "sí": follow:<id> | area
    expires_at = models.DateTimeField(db_index=True)


class DeliveredMessage(models.Model):
    """WhatsApp message ids already answered: a duplicated delivery is answered once."""

    wamid = models.CharField(max_length=128, primary_key=True)
    received_at = models.DateTimeField(db_index=True)


class IntentCount(models.Model):
    """The only record of conversations: how many messages of each intent, per day and channel."""

    day = models.DateField()
    channel = models.CharField(max_length=10)
    intent = models.CharField(max_length=20)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "channel", "intent"], name="chat_intent_count_unique")
        ]
