"""Checking one measurement before anything is stored, and computing its z-scores.

Every refusal is a MeasurementError naming the field and, for units mixed up, the likely fix:
a weight of 8500 "kg" is 8.5 kg given in grams; a length of 0.85 "cm" is 85 cm given in metres.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np
from django.utils.translation import gettext as _

from growth import who

# Plausible ranges for a child under five (before the WHO z-score flags look at the combination).
WEIGHT_KG = (0.5, 40.0)
HEIGHT_CM = (35.0, 130.0)
POSITIONS = {"L": "L", "H": "H", "acostado": "L", "de_pie": "H", "recumbent": "L", "standing": "H"}
INDICATOR_LABELS = {
    "wfa": "peso para la edad",
    "lhfa": "longitud/talla para la edad",
    "wflh": "peso para la longitud/talla",
    "bmi": "IMC para la edad",
}


class MeasurementError(ValueError):
    def __init__(self, message: str, parameter: str):
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class Checked:
    measured_on: dt.date
    age_days: int
    weight_kg: Decimal
    height_cm: Decimal
    position: str
    z: dict[str, float | None]
    flags: list[str]
    classes: dict[str, bool | None]


def parse_date(value, parameter: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise MeasurementError(
            _("«%(p)s» debe ser una fecha AAAA-MM-DD.") % {"p": parameter}, parameter
        ) from None


def parse_number(value, parameter: str) -> Decimal:
    text = str(value if value is not None else "").strip().replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise MeasurementError(_("«%(p)s» debe ser un número.") % {"p": parameter}, parameter) from None
    if not number.is_finite() or number <= 0:
        raise MeasurementError(_("«%(p)s» debe ser un número positivo.") % {"p": parameter}, parameter)
    return number


def check_weight(weight: Decimal) -> Decimal:
    low, high = WEIGHT_KG
    if 500 <= weight <= 40000:
        raise MeasurementError(
            _("El peso %(w)s parece estar en gramos: escriba kilogramos (%(kg)s kg).")
            % {"w": weight, "kg": (weight / 1000).quantize(Decimal("0.01"))},
            "peso_kg",
        )
    if not low <= weight <= high:
        raise MeasurementError(
            _("El peso debe estar entre %(a)s y %(b)s kg para menores de 5 años.") % {"a": low, "b": high},
            "peso_kg",
        )
    return weight.quantize(Decimal("0.01"))


def check_height(height: Decimal) -> Decimal:
    low, high = HEIGHT_CM
    if Decimal("0.35") <= height <= Decimal("1.30"):
        raise MeasurementError(
            _("La talla %(h)s parece estar en metros: escriba centímetros (%(cm)s cm).")
            % {"h": height, "cm": (height * 100).quantize(Decimal("0.1"))},
            "talla_cm",
        )
    if Decimal(350) <= height <= Decimal(1300):
        raise MeasurementError(
            _("La talla %(h)s parece estar en milímetros: escriba centímetros (%(cm)s cm).")
            % {"h": height, "cm": (height / 10).quantize(Decimal("0.1"))},
            "talla_cm",
        )
    if not low <= height <= high:
        raise MeasurementError(
            _("La longitud o talla debe estar entre %(a)s y %(b)s cm para menores de 5 años.")
            % {"a": low, "b": high},
            "talla_cm",
        )
    return height.quantize(Decimal("0.1"))


def check_position(value) -> str:
    position = POSITIONS.get(str(value or "").strip())
    if position is None:
        raise MeasurementError(
            _("Indique cómo se midió: «L» acostado (longitud) o «H» de pie (talla)."), "posicion"
        )
    return position


@dataclass(frozen=True)
class Valid:
    """A measurement whose values passed every check, before its z-scores are computed."""

    sex: str
    measured_on: dt.date
    age_days: int
    weight_kg: Decimal
    height_cm: Decimal
    position: str
    accept_flagged: bool


STORED_CLASSES = ("stunted", "wasted", "underweight", "overweight", "obese")


def validate(
    *,
    sex: str,
    birth_date: dt.date,
    measured_on,
    weight,
    height,
    position,
    accept_flagged: bool = False,
    today: dt.date | None = None,
) -> Valid:
    """Check one measurement's values (dates, units, ranges); MeasurementError naming the field."""
    today = today or dt.date.today()
    measured_on = parse_date(measured_on, "fecha_medicion")
    if measured_on > today:
        raise MeasurementError(_("La fecha de medición no puede ser futura."), "fecha_medicion")
    if measured_on < birth_date:
        raise MeasurementError(
            _("La fecha de medición (%(m)s) es anterior al nacimiento (%(b)s).")
            % {"m": measured_on, "b": birth_date},
            "fecha_medicion",
        )
    age_days = (measured_on - birth_date).days
    if age_days > who.MAX_AGE_DAYS:
        raise MeasurementError(
            _(
                "A la fecha de medición tenía más de 5 años: "
                "los patrones de la OMS 2006 cubren de 0 a 5 años."
            ),
            "fecha_medicion",
        )
    w = check_weight(parse_number(weight, "peso_kg"))
    h = check_height(parse_number(height, "talla_cm"))
    return Valid(sex, measured_on, age_days, w, h, check_position(position), accept_flagged)


def implausible(flags: list[str]) -> MeasurementError:
    names = ", ".join(INDICATOR_LABELS[k] for k in flags)
    return MeasurementError(
        _(
            "Valor poco plausible según la OMS (%(names)s): revise el peso, la talla, la posición y la "
            "fecha de nacimiento, vuelva a medir y, si es correcto, confirme el valor atípico."
        )
        % {"names": names},
        "confirmar_atipico",
    )


def score_many(rows: list[Valid]) -> list[Checked | MeasurementError]:
    """Z-scores, flags and classes of many valid measurements in one numpy pass. A row with an
    implausible z-score that was not confirmed comes back as its MeasurementError."""
    if not rows:
        return []
    result = who.zscores(
        np.array([r.sex == "H" for r in rows]),
        np.array([r.age_days for r in rows]),
        np.array([float(r.weight_kg) for r in rows]),
        np.array([float(r.height_cm) for r in rows]),
        np.array([r.position == "L" for r in rows]),
    )
    classes = {k: v for k, v in who.classify(result).items() if k in STORED_CLASSES}
    zs = {k: np.round(getattr(result, k), 2) for k in who.INDICATORS}
    out: list[Checked | MeasurementError] = []
    for i, r in enumerate(rows):
        flags = [k for k in who.INDICATORS if bool(result.flags[k][i])]
        if flags and not r.accept_flagged:
            out.append(implausible(flags))
            continue
        z = {k: (None if np.isnan(zs[k][i]) else float(zs[k][i])) for k in who.INDICATORS}
        cls = {k: (None if np.isnan(v[i]) else bool(v[i])) for k, v in classes.items()}
        out.append(Checked(r.measured_on, r.age_days, r.weight_kg, r.height_cm, r.position, z, flags, cls))
    return out


def check(
    *,
    sex: str,
    birth_date: dt.date,
    measured_on,
    weight,
    height,
    position,
    accept_flagged: bool = False,
    today: dt.date | None = None,
) -> Checked:
    """Validate one measurement and compute its z-scores; MeasurementError for anything wrong.

    Implausible z-scores (WHO flags) are refused unless `accept_flagged` (the person re-measured and
    confirms); accepted, they are stored flagged and never counted in any figure.
    """
    valid = validate(
        sex=sex,
        birth_date=birth_date,
        measured_on=measured_on,
        weight=weight,
        height=height,
        position=position,
        accept_flagged=accept_flagged,
        today=today,
    )
    [scored] = score_many([valid])
    if isinstance(scored, MeasurementError):
        raise scored
    return scored
