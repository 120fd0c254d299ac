"""One outgoing message (an e-mail, a WhatsApp reply) waiting for the worker, or its record after.

The recipient's address is personal data: it is kept only while the message can still be sent and is
replaced by its pseudonym (outbox.privacy) once the message is sent or has finally failed.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    class Status(models.TextChoices):
        PENDING = "PENDING", _("Pendiente")
        SENT = "SENT", _("Enviado")
        FAILED = "FAILED", _("Fallido")

    channel = models.CharField(_("canal"), max_length=20)
    recipient = models.CharField(_("destinatario"), max_length=254, blank=True)
    recipient_hash = models.CharField(_("seudónimo del destinatario"), max_length=32, db_index=True)
    subject = models.CharField(_("asunto"), max_length=200, blank=True)
    body = models.TextField(_("texto"), blank=True)
    payload = models.JSONField(_("datos del canal"), default=dict, blank=True)
    purpose = models.CharField(_("finalidad"), max_length=60, blank=True)
    dedupe_key = models.CharField(
        _("clave de idempotencia"), max_length=200, null=True, blank=True, unique=True
    )
    status = models.CharField(_("estado"), max_length=7, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("intentos"), default=0)
    next_attempt_at = models.DateTimeField(_("próximo intento"), default=timezone.now)
    last_error = models.CharField(_("último error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)
    sent_at = models.DateTimeField(_("enviado"), null=True, blank=True)

    class Meta:
        verbose_name = _("mensaje saliente")
        verbose_name_plural = _("mensajes salientes")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="outbox_due", condition=models.Q(status="PENDING")),
            models.Index(fields=["status", "created_at"], name="outbox_status_created"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.recipient_hash} ({self.get_status_display()})"
