"""Channel senders: a function per channel that delivers one Message or raises.

    @senders.register("whatsapp")
    def send(message): ...

A sender raises RetryLater(seconds) when the other side asks to wait (HTTP 429, 5xx, SMTP 4xx); any
other exception is a failed attempt, retried with back-off until OUTBOX_MAX_ATTEMPTS (outbox.dispatch).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

if TYPE_CHECKING:
    from outbox.models import Message

Sender = Callable[["Message"], None]
_SENDERS: dict[str, Sender] = {}


class RetryLater(Exception):  # noqa: N818 - it is a request, not an error
    def __init__(self, seconds: float, reason: str = "") -> None:
        super().__init__(reason or f"reintentar en {seconds:.0f} s")
        self.seconds = max(float(seconds), 1.0)


def register(channel: str) -> Callable[[Sender], Sender]:
    def decorate(function: Sender) -> Sender:
        _SENDERS[channel] = function
        return function

    return decorate


def sender_for(channel: str) -> Sender:
    try:
        return _SENDERS[channel]
    except KeyError:
        raise LookupError(f"no sender registered for channel {channel!r}") from None


def channels() -> list[str]:
    return sorted(_SENDERS)


@register("email")
def send_email(message: Message) -> None:
    """Through Django's e-mail backend (console in development, SMTP from EMAIL_* in production).
    payload: {"html": "...", "headers": {"List-Unsubscribe": "<https://...>"}, "reply_to": "..."}"""
    payload = message.payload or {}
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers=payload.get("headers") or None,
        reply_to=[payload["reply_to"]] if payload.get("reply_to") else None,
    )
    if payload.get("html"):
        email.attach_alternative(payload["html"], "text/html")
    try:
        email.send(fail_silently=False)
    except OSError as error:  # connection refused, timeout, SMTP 4xx (smtplib errors are OSErrors)
        code = getattr(error, "smtp_code", 0) or 0
        if code == 0 or 400 <= code < 500:
            raise RetryLater(
                60, f"SMTP no disponible ({type(error).__name__} {code or ''})".strip()
            ) from error
        raise
