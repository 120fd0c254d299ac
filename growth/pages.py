"""What the growth pages show: picked and shaped here so that the views stay short."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from growth import charts, screening
from growth.models import Child, GuidanceText, Referral

RESULT_LABELS = {
    screening.ON_TRACK: _("Va bien"),
    screening.FOLLOW_UP: _("Dar seguimiento"),
    screening.REFER: _("Acudir a un centro"),
}


def guidance_for(result: str, band: str) -> GuidanceText | None:
    return (
        GuidanceText.objects.filter(result=result).filter(Q(band=band) | Q(band="")).order_by("-band").first()
    )


def due_children(today: dt.date | None = None):
    """Children under five with no measurement in the last GROWTH_REMEASURE_DAYS days (or none)."""
    today = today or dt.date.today()
    cutoff = today - dt.timedelta(days=settings.GROWTH_REMEASURE_DAYS)
    return (
        Child.objects.annotate(last=Max("measurements__measured_on"))
        .filter(birth_date__gt=today - dt.timedelta(days=1826))
        .filter(Q(last__isnull=True) | Q(last__lt=cutoff))
    )


def child_page(child: Child) -> dict:
    measurements = sorted(child.measurements.all(), key=lambda m: m.measured_on)
    male = child.sex == Child.Sex.HOMBRE
    return {
        "child": child,
        "measurements": measurements,
        "screenings": list(child.screenings.all()),
        "referrals": list(child.referrals.all()),
        "wfa_chart": charts.growth_svg(
            "wfa",
            male,
            [(m.age_days, float(m.weight_kg)) for m in measurements],
            _("Peso para la edad, con las curvas de la OMS (z −3, −2, 0, +2, +3)"),
            "kg",
        ),
        "lhfa_chart": charts.growth_svg(
            "lhfa",
            male,
            [(m.age_days, float(m.height_cm)) for m in measurements],
            _("Longitud o talla para la edad, con las curvas de la OMS (z −3, −2, 0, +2, +3)"),
            "cm",
        ),
        "band": _current_band(child),
    }


def _current_band(child: Child) -> dict | None:
    try:
        return screening.band_for(screening.age_months(child.birth_date, dt.date.today()))
    except screening.ScreeningError:
        return None


def referral_log(children):
    return (
        Referral.objects.filter(child__in=children).select_related("child", "centre").order_by("-created_at")
    )
