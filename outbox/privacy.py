"""Pseudonyms of addresses (e-mails, phone numbers) for logs and sent messages.

A keyed hash (HMAC-SHA-256 with SECRET_KEY): the same address always gives the same pseudonym, so
logs and metrics can be followed, but a phone number cannot be found again by hashing the few
billion possible numbers without the key.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def normalise(address: str) -> str:
    return "".join(address.split()).lower()


def keyed_hash(kind: str, value: str) -> str:
    """The HMAC-SHA-256 (hex) of `kind|value` keyed with SECRET_KEY: what the rate limits, the chat's
    phone lookups and the follows store instead of an address, an e-mail or a number. `kind` keeps
    equal values of different kinds apart; callers normalise `value` first."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{kind}|{value}".encode(), hashlib.sha256).hexdigest()


def pseudonym(address: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, normalise(address).encode(), hashlib.sha256).hexdigest()[:32]
