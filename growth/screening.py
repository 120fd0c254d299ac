"""The screening questionnaire is data: growth/data/screening/tamizaje-<version>.json holds the
age bands, items, answer points and thresholds; this module only reads and applies it.

A new version is a new file (GROWTH_SCREENING_VERSION picks the one in use); stored screenings keep
the version they were answered with, so old results stay explainable.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

DATA_DIR = Path(__file__).resolve().parent / "data" / "screening"
ON_TRACK, FOLLOW_UP, REFER = "ON_TRACK", "FOLLOW_UP", "REFER"


class ScreeningError(ValueError):
    def __init__(self, message: str, parameter: str):
        super().__init__(message)
        self.parameter = parameter


@cache
def questionnaire(version: str | None = None) -> dict:
    version = version or settings.GROWTH_SCREENING_VERSION
    path = DATA_DIR / f"tamizaje-{version}.json"
    if not path.is_file():
        raise ScreeningError(_("No existe la versión %(v)s del cuestionario.") % {"v": version}, "version")
    data = json.loads(path.read_text(encoding="utf-8"))
    _check(data)
    return data


def _check(data: dict) -> None:
    """Refuse a malformed file at load time rather than mis-score a child."""
    answers = set(data["answers"])
    previous = -1
    for band in data["bands"]:
        if band["min_months"] != previous + 1 or band["max_months"] < band["min_months"]:
            raise ValueError(f"band {band['id']}: months must follow on from the previous band")
        previous = band["max_months"]
        if not 0 < band["follow_up_at"] <= band["refer_at"]:
            raise ValueError(f"band {band['id']}: need 0 < follow_up_at <= refer_at")
        for item in band["items"]:
            if set(item["points"]) != answers or item.get("alert_on", "no") not in answers:
                raise ValueError(f"item {item['id']}: points must cover exactly {sorted(answers)}")
    if previous != 59:
        raise ValueError("the bands must cover 0 to 59 months")


def age_months(birth: dt.date, on: dt.date) -> int:
    months = (on.year - birth.year) * 12 + on.month - birth.month
    return months - 1 if on.day < birth.day else months


def band_for(months: int, version: str | None = None) -> dict:
    if months < 0:
        raise ScreeningError(_("La fecha de nacimiento es posterior a hoy."), "fecha_nacimiento")
    for band in questionnaire(version)["bands"]:
        if band["min_months"] <= months <= band["max_months"]:
            return band
    raise ScreeningError(_("El tamizaje es para menores de 5 años (0 a 59 meses)."), "fecha_nacimiento")


@dataclass(frozen=True)
class Outcome:
    band: str
    answers: dict[str, str]
    total: int
    by_domain: dict[str, int]
    alerts: list[str]
    result: str


def score(band: dict, given: dict[str, str], version: str | None = None) -> Outcome:
    """Score a complete set of answers; a missing or unknown answer names the item."""
    allowed = questionnaire(version)["answers"]
    answers: dict[str, str] = {}
    by_domain: dict[str, int] = {}
    alerts: list[str] = []
    total = 0
    for item in band["items"]:
        value = (given.get(item["id"]) or "").strip()
        if value not in allowed:
            raise ScreeningError(
                _("Falta la respuesta de la pregunta «%(q)s».") % {"q": item["text"]}, item["id"]
            )
        answers[item["id"]] = value
        points = int(item["points"][value])
        total += points
        by_domain[item["domain"]] = by_domain.get(item["domain"], 0) + points
        if "alert_on" in item and value == item["alert_on"]:
            alerts.append(item["id"])
    if alerts or total >= band["refer_at"]:
        result = REFER
    elif total >= band["follow_up_at"]:
        result = FOLLOW_UP
    else:
        result = ON_TRACK
    return Outcome(band["id"], answers, total, by_domain, alerts, result)
