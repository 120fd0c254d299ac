"""Hashes for the rate limits (no raw address is stored or logged) and the privacy notice version."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.http import HttpRequest

# The version of the aviso de privacidad simplificado a follower accepted (consultations/aviso.html).
NOTICE_VERSION = "2026-12"


def _digest(kind: str, value: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{kind}|{value}".encode(), hashlib.sha256).hexdigest()


def address_hash(request: HttpRequest) -> str:
    return _digest("addr", request.META.get("REMOTE_ADDR", ""))


def email_hash(email: str) -> str:
    return _digest("email", email.strip().casefold())
