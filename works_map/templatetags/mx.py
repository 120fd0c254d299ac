"""Figures as people in Mexico read them: "$1,234,567.89" (MXN), "12,345" and "45.5 %".

Django's localisation is not used for these on purpose: the format is the same in both site
languages (a peso amount is written the Mexican way in the English pages too), and it must not
depend on USE_THOUSAND_SEPARATOR or on the active locale's formats.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _grouped(number: Decimal, places: int) -> str:
    quantum = Decimal(1).scaleb(-places)
    return f"{number.quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"


@register.filter
def mxn(value, places: int = 2) -> str:
    """Pesos: mxn -> "$1,234,567.89"; mxn:0 -> "$1,234,568"; a negative amount -> "-$5.00"."""
    number = _decimal(value)
    if number is None:
        return "—"
    text = _grouped(abs(number), int(places))
    return f"-${text}" if number < 0 else f"${text}"


@register.filter
def mxn_short(value) -> str:
    """Pesos for chart labels: 21201453 -> "$21.2 M", 850000 -> "$850 mil"."""
    number = _decimal(value)
    if number is None:
        return "—"
    if abs(number) >= 1_000_000:
        return f"${_grouped(number / 1_000_000, 1)} M"
    if abs(number) >= 1_000:
        return f"${_grouped(number / 1_000, 0)} {_('mil')}"
    return mxn(number, 0)


@register.filter
def mxnum(value, places: int = 0) -> str:
    """A count or measure with thousands separators: 1721215 -> "1,721,215"."""
    number = _decimal(value)
    return "—" if number is None else _grouped(number, int(places))


@register.filter
def pct(value, places: int = 0) -> str:
    """A percentage already in 0–100: 45.5 -> "46 %" (pct:1 -> "45.5 %")."""
    number = _decimal(value)
    return "—" if number is None else f"{_grouped(number, int(places))} %"
