"""Statistical disclosure control for every public figure about households.

Nothing public is computed from households directly: figures come from *disclosure units*
(materialized view `priority_zones_disclosureunit`, priority_zones/sql/disclosure_units.sql) and
pass through `protect()`. The rules:

1. Geographic units of >= 10 households. Each household (its latest diagnostic) falls in a 1 km
   square of EPSG:6372. A square with >= 10 households is a unit; households of smaller squares are
   pooled in their 5 km parent square, a unit if it reaches 10; households left over are never
   published. Units are disjoint.
2. Any area (official zone, municipio, a polygon drawn by a visitor) is the union of the units
   whose centre lies inside it. Therefore the household set of any area, and of the difference of
   any two areas (nested, overlapping or neighbouring, drawn or official), is a union of whole
   units: differencing can at worst isolate one unit, which has >= 10 households and is itself
   subject to rules 3-5. A drawn polygon that moves its edge by one dwelling changes nothing
   unless it moves a unit centre across the edge, and then changes the figures by a whole unit.
3. Counts: a count below 3 is suppressed (None), and so is a count whose complement within the
   area is below 3 (k households have the carencia, n - k do not: either small cell would be
   recoverable from the other and the total). Published counts are rounded to base 5
   (deterministic, half up), so even sums and differences of published figures are not exact.
4. Rates only where the denominator (households with that carencia determined) is >= 10 and the
   count is publishable; shown as whole percentages.
5. Partitions (poverty classes add up to the total): small cells (< 3) are suppressed, and when a
   single cell of the partition is suppressed the next smallest one is suppressed too
   (complementary suppression), so no hidden cell equals total minus the others.

The response carries `suppressed` (True when anything was withheld) and the names of the withheld
cells; suppressed values are None, never 0.
"""

from __future__ import annotations

from django.contrib.gis.geos import GEOSGeometry
from django.db.models import IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, JSONObject

from priority_zones.models import DisclosureUnit, Zone

RULES_URL = "README.md#privacidad-y-control-de-divulgación"
MIN_COUNT = 3
MIN_RATE_BASE = 10
ROUND_BASE = 5

CARENCIAS = (
    "rezago_educativo",
    "acceso_salud",
    "seguridad_social",
    "calidad_vivienda",
    "servicios_basicos",
    "alimentacion",
)
CLASSES = (
    "pobreza_extrema",
    "pobreza_moderada",
    "vulnerable_carencias",
    "vulnerable_ingresos",
    "no_pobre",
    "indeterminado",
)
SUMMED = ("households", *CARENCIAS, *(f"known_{c}" for c in CARENCIAS), *CLASSES)


def round_base(value: int, base: int = ROUND_BASE) -> int:
    return ((value + base // 2) // base) * base


def protect(raw: dict | None) -> dict:
    """Apply rules 3-5 to exact sums over whole units; return the public figures."""
    raw = raw or {}
    n = int(raw.get("households") or 0)
    withheld: list[str] = []
    out: dict = {"households": None, "carencias": {}, "classes": {}, "suppressed": False}
    if n < MIN_RATE_BASE:
        out["carencias"] = {c: {"count": None, "rate": None} for c in CARENCIAS}
        out["classes"] = dict.fromkeys(CLASSES)
        out["suppressed"] = True
        out["suppressed_cells"] = ["households", *CARENCIAS, *CLASSES]
        return out
    out["households"] = round_base(n)
    for c in CARENCIAS:
        k, known = int(raw.get(c) or 0), int(raw.get(f"known_{c}") or 0)
        publishable = k >= MIN_COUNT and known - k >= MIN_COUNT
        out["carencias"][c] = {
            "count": round_base(k) if publishable else None,
            "rate": round(100 * k / known) if publishable and known >= MIN_RATE_BASE else None,
        }
        if not publishable or known < MIN_RATE_BASE:
            withheld.append(c)
    cells = {c: int(raw.get(c) or 0) for c in CLASSES}
    hidden = {c for c, v in cells.items() if v < MIN_COUNT}
    if len(hidden) == 1:
        visible = sorted((v, c) for c, v in cells.items() if c not in hidden)
        hidden.add(visible[0][1])
    for c in CLASSES:
        out["classes"][c] = None if c in hidden else round_base(cells[c])
    withheld.extend(sorted(hidden))
    out["suppressed"] = bool(withheld)
    out["suppressed_cells"] = withheld
    return out


def _sums():
    return {name: Coalesce(Sum(name), Value(0), output_field=IntegerField()) for name in SUMMED}


def household_need_summary(area: Zone | GEOSGeometry) -> dict:
    """Public need figures for a zone or any polygon: one query over the disclosure units."""
    geom = area.geom if isinstance(area, Zone) else area
    if geom.srid != 4326:
        geom = geom.transform(4326, clone=True)
    raw = DisclosureUnit.objects.filter(centre__intersects=geom).aggregate(**_sums())
    return protect(raw)


def zone_need_json():
    """A correlated subquery: the exact unit sums of the outer zone, as one JSON object."""
    return Subquery(
        DisclosureUnit.objects.filter(centre__intersects=OuterRef("geom"))
        .annotate(grp=Value(1))
        .values("grp")
        .annotate(j=JSONObject(**{name: Sum(name) for name in SUMMED}))
        .values("j")[:1]
    )


def zones_need_summary(zones) -> dict[int, dict]:
    """Public need figures for many zones in one query: {zone id: protect(...)}."""
    rows = zones.order_by().annotate(need=zone_need_json()).values_list("pk", "need")
    return {pk: protect(need) for pk, need in rows}
