"""The growth section of a report card: disclosure-controlled child growth figures next to the
investment in related works and the households' food-insecurity carencia, for one polygon."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.gis.geos import GEOSGeometry
from django.db.models import Case, DecimalField, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from growth import disclosure
from priority_zones.disclosure import CARENCIAS, household_need_summary
from works_map.models import Category, Work

# Works related to child nutrition and health, by category: food support (comedores and other
# programmes addressing the food carencia), drinking water, and health infrastructure.
RELATED = {
    "alimentacion": (
        _("Comedores y apoyo alimentario"),
        Q(category__carencia=Category.Carencia.ALIMENTACION),
    ),
    "agua": (_("Agua potable"), Q(category__code__startswith="AGUA_POTABLE")),
    "salud": (_("Infraestructura de salud"), Q(category__carencia=Category.Carencia.SALUD)),
}
INDICATOR_LABELS = {
    "stunted": _("Baja talla (desnutrición crónica)"),
    "wasted": _("Emaciación (desnutrición aguda)"),
    "underweight": _("Bajo peso"),
    "overweight": _("Sobrepeso (incluye obesidad)"),
    "obese": _("Obesidad"),
    "referred": _("Tamizajes con referencia a un centro"),
}


def related_investment(geom: GEOSGeometry) -> list[dict]:
    """Published works inside `geom` by related group: one query."""
    money: DecimalField = DecimalField(max_digits=18, decimal_places=2)
    amount = Coalesce("amount_modified", "amount_approved")
    sums = {
        key: Coalesce(
            Sum(Case(When(cond, then=amount), default=Value(0), output_field=money)),
            Value(Decimal(0)),
            output_field=money,
        )
        for key, (_label, cond) in RELATED.items()
    }
    totals = Work.objects.published().filter(point__intersects=geom).aggregate(**sums)
    return [{"key": k, "label": label, "amount": totals[k]} for k, (label, _cond) in RELATED.items()]


def growth_section(geom: GEOSGeometry, need: dict | None = None) -> dict:
    """`need`: the card's household-need rows (works_map.pages.need_rows), if already computed."""
    figures = disclosure.area_summary(geom)
    if need is not None and len(need.get("carencias", ())) == len(CARENCIAS):
        food = need["carencias"][CARENCIAS.index("alimentacion")]
    else:
        food = household_need_summary(geom)["carencias"]["alimentacion"]
    return {
        "growth": figures,
        "rows": [{"key": k, "label": INDICATOR_LABELS[k], **v} for k, v in figures["indicators"].items()],
        "investment": related_investment(geom),
        "food_insecurity": food,
    }
