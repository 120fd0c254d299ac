"""Citizen text: plain text only. Control characters go, whitespace is tidied, lengths are bounded;
templates escape it when shown (never marked safe), so HTML typed in is shown as typed, not run."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str, *, field: str, minimum: int, maximum: int) -> str:
    text = _CONTROL.sub("", value or "").replace("\r\n", "\n").strip()
    text = re.sub(r"\n{3,}", "\n\n", text)
    if len(text) < minimum:
        raise ValidationError(
            {field: _("Escriba al menos %(n)s caracteres.") % {"n": minimum}}, code="too_short"
        )
    if len(text) > maximum:
        raise ValidationError(
            {
                field: _("El texto admite hasta %(n)s caracteres; tiene %(m)s.")
                % {"n": maximum, "m": len(text)}
            },
            code="too_long",
        )
    return text
