"""Need against investment per zone: household need (through priority_zones.disclosure, so already
disclosure-controlled) beside the money of the works inside each zone."""

from __future__ import annotations

import statistics
from decimal import Decimal

from django.db.models import Case, DecimalField, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, JSONObject

from priority_zones.disclosure import CARENCIAS, protect, zone_need_json
from priority_zones.models import Zone
from works_map.models import Category, Work

# Category.carencia code for each diagnostic field.
CATEGORY_FOR = {
    "rezago_educativo": Category.Carencia.REZAGO_EDUCATIVO,
    "acceso_salud": Category.Carencia.SALUD,
    "seguridad_social": Category.Carencia.SEGURIDAD_SOCIAL,
    "calidad_vivienda": Category.Carencia.CALIDAD_VIVIENDA,
    "servicios_basicos": Category.Carencia.SERVICIOS_BASICOS,
    "alimentacion": Category.Carencia.ALIMENTACION,
}
# A flag needs a rate at least this high, besides being in the top third of zones.
MIN_HIGH_NEED_RATE = 20

AMOUNT = Coalesce("amount_modified", "amount_approved")


def zone_investment_json(year: int):
    """Correlated subquery: the outer zone's investment in `year` per carencia addressed."""
    money: DecimalField = DecimalField(max_digits=18, decimal_places=2)
    sums = {
        field: Coalesce(
            Sum(Case(When(category__carencia=code, then=AMOUNT), default=Value(0), output_field=money)),
            Value(Decimal(0)),
            output_field=money,
        )
        for field, code in CATEGORY_FOR.items()
    }
    return Subquery(
        Work.objects.published()
        .for_year(year)
        .filter(point__intersects=OuterRef("geom"))
        .order_by()
        .annotate(grp=Value(1))
        .values("grp")
        .annotate(j=JSONObject(**sums))
        .values("j")[:1]
    )


def _tercile_cuts(values: list[float]) -> tuple[float, float] | None:
    if len(values) < 3:
        return None
    low, high = statistics.quantiles(values, n=3, method="inclusive")
    return low, high


def need_versus_investment(year: int, include: Zone | None = None) -> list[dict]:
    """Per published zone of `year`: share of households with each carencia (disclosure-controlled)
    next to the investment in works of `year` whose category addresses it.

    `high_need_low_investment` flags a carencia whose rate is in the top third of zones (and at least
    MIN_HIGH_NEED_RATE %) while the investment per household is in the bottom third (or nil when
    fewer than 3 zones can be compared). `include` adds one more zone (a draft a staff member is
    looking at) to the comparison. One query: need and investment as two correlated subqueries.
    """
    zones = Zone.objects.published().for_year(year)
    if include is not None:
        zones = zones | Zone.objects.filter(pk=include.pk)
    rows = list(
        zones.order_by("kind", "name", "pk")
        .annotate(need=zone_need_json(), investment=zone_investment_json(year))
        .values("pk", "kind", "cvegeo", "name", "municipio__name", "need", "investment")
    )
    table = []
    for row in rows:
        figures = protect(row["need"])
        invested = row["investment"] or {}
        entry = {
            "zone_id": row["pk"],
            "kind": row["kind"],
            "cvegeo": row["cvegeo"],
            "name": row["name"],
            "municipio": row["municipio__name"],
            "households": figures["households"],
            "suppressed": figures["suppressed"],
            "carencias": {},
        }
        for c in CARENCIAS:
            amount = Decimal(str(invested.get(c) or 0)).quantize(Decimal("0.01"))
            entry["carencias"][c] = {
                "rate": figures["carencias"][c]["rate"],
                "investment": amount,
                "high_need_low_investment": False,
            }
        table.append(entry)
    for c in CARENCIAS:
        rated = [e for e in table if e["carencias"][c]["rate"] is not None]
        rate_cuts = _tercile_cuts([e["carencias"][c]["rate"] for e in rated])
        per_household = {
            e["zone_id"]: float(e["carencias"][c]["investment"]) / e["households"] for e in rated
        }
        money_cuts = _tercile_cuts(list(per_household.values()))
        for e in rated:
            rate = e["carencias"][c]["rate"]
            high = rate >= MIN_HIGH_NEED_RATE and (rate_cuts is None or rate >= rate_cuts[1])
            spent = per_household[e["zone_id"]]
            low = spent == 0 if money_cuts is None else spent <= money_cuts[0]
            e["carencias"][c]["high_need_low_investment"] = high and low
    return table


def zone_need_versus_investment(zone: Zone) -> dict:
    """The need-versus-investment row of one zone, compared with the published zones of its fiscal
    year (need_versus_investment: one query)."""
    table = need_versus_investment(zone.fiscal_year, include=zone)
    return next(entry for entry in table if entry["zone_id"] == zone.pk)


def need_versus_investment_csv_rows(table: list[dict]):
    header = ["zona_id", "tipo", "cvegeo", "nombre", "municipio", "hogares", "suprimido"]
    for c in CARENCIAS:
        header += [f"{c}_pct", f"{c}_inversion", f"{c}_alerta"]
    yield header
    for e in table:
        line = [e["zone_id"], e["kind"], e["cvegeo"] or "", e["name"], e["municipio"] or ""]
        line += ["" if e["households"] is None else e["households"], int(e["suppressed"])]
        for c in CARENCIAS:
            cell = e["carencias"][c]
            line += [
                "" if cell["rate"] is None else cell["rate"],
                cell["investment"],
                int(cell["high_need_low_investment"]),
            ]
        yield line
