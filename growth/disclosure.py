"""Statistical disclosure control for every public figure about children: the household rules
(priority_zones.disclosure, shared/DOMAIN.md §5.2) applied to growth units.

1. Units: children (latest measurement, latest screening) grouped in 1 km / 5 km squares of at
   least 10 children (growth/sql/growth_units.sql). Any area is the union of the units whose centre
   lies inside it, so the difference of two areas (nested, overlapping, drawn or official) is
   itself a union of whole units of >= 10 children: no child can be singled out by differencing.
2. An area with fewer than 10 children publishes nothing.
3. A count below 3, or whose complement (measured children without the condition) is below 3, is
   suppressed; published counts are rounded to base 5.
4. Rates and their 95 % Wilson intervals only where the denominator is >= 10 and the count is
   publishable, as whole percentages.
5. Nested cells: obesity is part of overweight. When overweight minus obesity is below 3 (but not
   0), obesity is suppressed too (complementary suppression), otherwise the small remainder would
   follow by subtraction.
"""

from __future__ import annotations

import math

from django.contrib.gis.geos import GEOSGeometry
from django.db.models import IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, JSONObject

from growth.models import GrowthUnit
from priority_zones.disclosure import MIN_COUNT, MIN_RATE_BASE, round_base
from priority_zones.models import Zone

RULES_URL = "README.md#child-growth-who-standards-screening-and-privacy"
Z95 = 1.959963984540054
# indicator: (count column, denominator column)
INDICATORS = {
    "stunted": ("stunted", "known_lhfa"),
    "wasted": ("wasted", "known_wflh"),
    "underweight": ("underweight", "known_wfa"),
    "overweight": ("overweight", "known_wflh"),
    "obese": ("obese", "known_wflh"),
    "referred": ("referred", "screened"),
}
SUMMED = (
    "children",
    "known_lhfa",
    "stunted",
    "known_wflh",
    "wasted",
    "overweight",
    "obese",
    "known_wfa",
    "underweight",
    "screened",
    "referred",
)


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (as proportions)."""
    if n <= 0:
        raise ValueError("n must be positive")
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def protect(raw: dict | None) -> dict:
    raw = raw or {}
    n = int(raw.get("children") or 0)
    empty: dict[str, int | None] = {"count": None, "rate": None, "ci_low": None, "ci_high": None}
    if n < MIN_RATE_BASE:
        return {
            "children": None,
            "indicators": {k: dict(empty) for k in INDICATORS},
            "suppressed": True,
            "suppressed_cells": ["children", *INDICATORS],
        }
    out: dict = {"children": round_base(n), "indicators": {}, "suppressed": False}
    withheld = []
    for name, (count_col, base_col) in INDICATORS.items():
        k, known = int(raw.get(count_col) or 0), int(raw.get(base_col) or 0)
        publishable = k >= MIN_COUNT and known - k >= MIN_COUNT
        if name == "obese":
            remainder = int(raw.get("overweight") or 0) - k
            publishable = publishable and not 0 < remainder < MIN_COUNT
        cell = dict(empty)
        if publishable:
            cell["count"] = round_base(k)
            if known >= MIN_RATE_BASE:
                low, high = wilson(k, known)
                cell.update(rate=round(100 * k / known), ci_low=round(100 * low), ci_high=round(100 * high))
        if not publishable or known < MIN_RATE_BASE:
            withheld.append(name)
        out["indicators"][name] = cell
    out["suppressed"] = bool(withheld)
    out["suppressed_cells"] = withheld
    return out


def _sums():
    return {name: Coalesce(Sum(name), Value(0), output_field=IntegerField()) for name in SUMMED}


def area_summary(area: Zone | GEOSGeometry) -> dict:
    """Public growth figures for a zone, a municipio's outline or any polygon: one query."""
    geom = area.geom if isinstance(area, Zone) else area
    if geom.srid != 4326:
        geom = geom.transform(4326, clone=True)
    return protect(GrowthUnit.objects.filter(centre__intersects=geom).aggregate(**_sums()))


def units_json():
    """Correlated subquery: the exact unit sums inside the outer row's `geom`, as one JSON object."""
    return Subquery(
        GrowthUnit.objects.filter(centre__intersects=OuterRef("geom"))
        .annotate(grp=Value(1))
        .values("grp")
        .annotate(j=JSONObject(**{name: Sum(name) for name in SUMMED}))
        .values("j")[:1]
    )


def areas_summary(queryset) -> dict[int, dict]:
    """Public growth figures for every row of a queryset with a `geom` (zones, municipios): one query."""
    rows = queryset.order_by().annotate(growth=units_json()).values_list("pk", "growth")
    return {pk: protect(raw) for pk, raw in rows}
