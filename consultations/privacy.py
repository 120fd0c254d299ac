"""Hashes for the rate limits (no raw address is stored or logged) and the privacy notice version."""

from __future__ import annotations

from django.http import HttpRequest

from outbox.privacy import keyed_hash

# The version of the aviso de privacidad simplificado a follower accepted (consultations/aviso.html).
NOTICE_VERSION = "2026-12"


def address_hash(request: HttpRequest) -> str:
    return keyed_hash("addr", request.META.get("REMOTE_ADDR", ""))


def email_hash(email: str) -> str:
    return keyed_hash("email", email.strip().casefold())
