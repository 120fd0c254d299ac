"""Read-only investment reports over works: one aggregate query per breakdown.

Amounts are summed in the database (Decimal) and returned as strings of pesos, so JSON keeps
every centavo. A work belongs to an area when its representative point lies in it.
"""

from __future__ import annotations

from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Sum,
)
from django.utils.translation import gettext as _

from gis_core.geometry import area_m2
from gis_core.versions import layer_version, reads_at
from priority_zones.models import Municipio, Zone
from priority_zones.population import population_in
from works_map.analysis import filtered_investment_table, shaped_row
from works_map.fais import municipio_compliance, rule_json
from works_map.models import (
    Category,
    FaisFund,
    FaisRule,
    Work,
    WorkAgency,
    WorkFunding,
    WorkQuerySet,
    ZapUrbanaMinimum,
)

ZERO = Decimal("0")


def _money(value: Any) -> str:
    return str((value or ZERO).quantize(Decimal("0.01")))


def _row(n: int, approved: Decimal | None, exercised: Decimal | None, **key: Any) -> dict[str, Any]:
    return {**key, "works": n, "aprobado": _money(approved), "ejercido": _money(exercised)}


def works_breakdown(works: WorkQuerySet) -> dict[str, Any]:
    """Totals and breakdowns (status, category, year, executing agency, funding source).

    Queries: 1 grouped by (status, category, year) and rolled up here; 1 by executing agency;
    1 by funding source (the source's own share of each work, not the work's total).
    """
    groups = (
        works.order_by()
        .values("status", "category__code", "category__name", "fiscal_year")
        .annotate(
            n=Count("pk"),
            approved=Sum("amount_approved"),
            exercised=Sum("amount_exercised"),
            progress=Sum("physical_progress"),
        )
    )
    total: dict[str, Any] = {"n": 0, "approved": ZERO, "exercised": ZERO, "progress": ZERO}
    by: dict[str, dict[Any, dict[str, Any]]] = {"status": {}, "category": {}, "year": {}}
    for g in groups:
        keys = {
            "status": (g["status"],),
            "category": (g["category__code"], g["category__name"]),
            "year": (g["fiscal_year"],),
        }
        for acc in [
            total,
            *(by[d].setdefault(k, {"n": 0, "approved": ZERO, "exercised": ZERO}) for d, k in keys.items()),
        ]:
            acc["n"] += g["n"]
            acc["approved"] += g["approved"] or ZERO
            acc["exercised"] += g["exercised"] or ZERO
        total["progress"] += g["progress"] or ZERO

    # Driven from the works (a work holds each role once per agency: workagency_unique_role, so no
    # DISTINCT): at 1M works one fiscal year's breakdown took 0.8 s from the agency roles' side
    # (a scan of every role, then each work looked up for its amounts), 0.4 s from the works'.
    agencies = (
        works.order_by()
        .filter(agency_roles__role=WorkAgency.Role.EJECUTORA)
        .values(code=F("agency_roles__agency__code"), acronym=F("agency_roles__agency__acronym"))
        .annotate(n=Count("pk"), approved=Sum("amount_approved"), exercised=Sum("amount_exercised"))
        .order_by("acronym")
    )
    sources = (
        WorkFunding.objects.filter(work__in=works.order_by().values("pk"))
        .values("source__code", "source__name", "source__is_fais")
        .annotate(
            n=Count("work", distinct=True), approved=Sum("amount_approved"), exercised=Sum("amount_exercised")
        )
        .order_by("source__code")
    )
    avg = (total["progress"] / total["n"]).quantize(Decimal("0.01")) if total["n"] else None
    return {
        "works": total["n"],
        "aprobado": _money(total["approved"]),
        "ejercido": _money(total["exercised"]),
        "avg_physical_progress": str(avg) if avg is not None else None,
        "by_status": [
            _row(v["n"], v["approved"], v["exercised"], status=k[0]) for k, v in sorted(by["status"].items())
        ],
        "by_category": [
            _row(v["n"], v["approved"], v["exercised"], code=k[0], name=k[1])
            for k, v in sorted(by["category"].items())
        ],
        "by_year": [
            _row(v["n"], v["approved"], v["exercised"], year=k[0]) for k, v in sorted(by["year"].items())
        ],
        "by_agency": [
            _row(
                a["n"],
                a["approved"],
                a["exercised"],
                code=a["code"],
                acronym=a["acronym"],
                role="EJECUTORA",
            )
            for a in agencies
        ],
        "by_funding_source": [
            _row(
                s["n"],
                s["approved"],
                s["exercised"],
                code=s["source__code"],
                name=s["source__name"],
                is_fais=s["source__is_fais"],
            )
            for s in sources
        ],
    }


def works_in_area(geom: GEOSGeometry, works: WorkQuerySet | None = None) -> WorkQuerySet:
    return (works if works is not None else Work.objects.published()).within(geom)


# --- investment by zone / municipio ------------------------------------------------------------


@contextmanager
def planner_without_jit():
    """JIT compilation costs PostgreSQL 0.4–1.7 s on these one-off aggregates and saves nothing."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        yield


INVESTMENT_BY_ZONE_SQL = (Path(__file__).parent / "sql" / "investment_by_zone.sql").read_text()


def investment_by_zone(kind: str | None = None, year: int | None = None) -> list[dict[str, Any]]:
    """Published works in every published zone (by representative point), and the row of works in none.

    `year` selects zones declared for that fiscal year and works of that year. A work inside two
    overlapping zones counts in both rows. The rows come from running totals per zone, per year
    and per covering filter (works_map/sql/investment_totals.sql, kept exact by triggers), not
    from the works. Queries: SET LOCAL jit; the statement in works_map/sql/investment_by_zone.sql.
    """
    with planner_without_jit():
        return zone_table_rows(INVESTMENT_BY_ZONE_SQL, kind, year)


def zone_table_rows(sql: str, kind: str | None, year: int | None) -> list[dict[str, Any]]:
    """The rows of a statement with the columns of investment_by_zone.sql, shaped as the API returns them."""
    with connection.cursor() as cursor:
        cursor.execute(sql, {"kind": kind, "year": year})
        return [
            shaped_row(
                {
                    "id": pk,
                    "kind": zone_kind,
                    "fiscal_year": fiscal_year,
                    "cvegeo": cvegeo,
                    "name": name,
                    "outside": outside,
                    "n": n,
                    "approved": approved,
                    "exercised": exercised,
                    "population": population,
                },
                "zone",
            )
            for pk, zone_kind, fiscal_year, cvegeo, name, outside, n, approved, exercised, population in (
                cursor.fetchall()
            )
        ]


def investment_by_municipio(works: WorkQuerySet, year: int | None = None) -> list[dict[str, Any]]:
    """One row per municipio by the work's registered municipio (every work has one), with its Censo
    2020 population and the amounts per inhabitant. One query for the totals, one for the municipios."""
    if year is not None:
        works = works.for_year(year)
    totals = {
        row["municipio"]: row
        for row in works.order_by()
        .values("municipio")
        .annotate(n=Count("pk"), aprobado=Sum("amount_approved"), ejercido=Sum("amount_exercised"))
    }
    rows = []
    municipios = Municipio.objects.order_by("cvegeo").values_list("pk", "cvegeo", "name", "population_2020")
    for pk, cvegeo, name, population in municipios:
        t = totals.get(pk, {"n": 0, "aprobado": None, "ejercido": None})
        rows.append(
            shaped_row(
                {
                    "id": pk,
                    "cvegeo": cvegeo,
                    "name": name,
                    "n": t["n"],
                    "approved": t["aprobado"],
                    "exercised": t["ejercido"],
                    "population": population,
                },
                "municipio",
            )
        )
    return rows


def investment_table(
    by: str, kind: str | None, year: int | None, works: WorkQuerySet | None = None
) -> list[dict[str, Any]]:
    """The all-areas table, cached until works or zones change (their layer versions are in the key).

    `works` narrowed by work filters (works_map.filters) bypasses the running totals and the cache:
    one aggregate over the filtered works (works_map.analysis.filtered_investment_table).
    Queries: 1–2 for the layer versions (usually cached), then on a miss 1 (municipio) or
    2 (zone: JIT off, the statement).
    """
    if works is not None:
        return filtered_investment_table(works, by=by, kind=kind, year=year)
    versions = {"works": layer_version("works"), "zones": layer_version("zones")}
    key = f"investment:v2:{by}:{kind}:{year}:{versions['works']}:{versions['zones']}"
    rows = cache.get(key)
    if rows is None:
        with reads_at(versions):
            rows = (
                investment_by_zone(kind=kind, year=year)
                if by == "zone"
                else investment_by_municipio(Work.objects.published(), year=year)
            )
        cache.set(key, rows)
    return rows


# --- FAIS: did the money reach the ZAP declared for that year? ---------------------------------


def _pct(part: Decimal, whole: Decimal) -> str | None:
    return str((part * 100 / whole).quantize(Decimal("0.01"))) if whole else None


def fais_summary(
    year: int, municipio: Municipio | None = None, fund: str = FaisFund.FISMDF
) -> dict[str, Any]:
    """Money of one FAIS fund (FISMDF or FISE) in one fiscal year split by ZAP (as declared for THAT
    year) and by incidence, against the fund's rule for that year.

    Amounts are the fund's sources' own approved shares (WorkFunding), not the works' totals. The
    ZAP-urbana minimum (PIZU) is per municipio: evaluated with `municipio` (works_map.fais), and
    reported as not evaluable state-wide. Queries: 1 rule, 1 count of declared zones, 1 grouped
    aggregate; with a municipio and a PIZU rule, the 5 of works_map.fais.municipio_compliance.
    """
    rule = FaisRule.objects.applicable(year, fund)
    zones = Zone.objects.published().for_year(year)
    declared = {
        row["kind"]: row["n"]
        for row in zones.filter(kind__in=Zone.OFFICIAL_KINDS)
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by()
    }
    funding = WorkFunding.objects.filter(source__fund=fund, work__fiscal_year=year, work__published=True)
    if municipio is not None:
        funding = funding.filter(work__municipio=municipio)
    road = Q(pk__in=[])
    for prefix in rule.road_category_prefixes if rule else []:
        road |= Q(work__category__code__startswith=prefix)
    groups = (
        funding.annotate(
            in_urbana=Exists(
                zones.filter(kind=Zone.Kind.ZAP_URBANA, geom__intersects=OuterRef("work__point"))
            ),
            in_rural=Exists(zones.filter(kind=Zone.Kind.ZAP_RURAL, geom__intersects=OuterRef("work__point"))),
            is_road=ExpressionWrapper(road, output_field=BooleanField()),
        )
        .values("in_urbana", "in_rural", "is_road", "work__category__fais_incidence")
        .annotate(
            amount=Sum("amount_approved"), exercised=Sum("amount_exercised"), n=Count("work", distinct=True)
        )
        .order_by()
    )
    total = urbana = rural = any_zap = roads = exercised = ZERO
    works = 0
    by_incidence: dict[str, Decimal] = {k: ZERO for k in Category.FaisIncidence.values}
    for g in groups:
        amount = g["amount"] or ZERO
        total += amount
        works += g["n"]  # groups partition works: zone membership and category are per work
        exercised += g["exercised"] or ZERO
        urbana += amount if g["in_urbana"] else ZERO
        rural += amount if g["in_rural"] else ZERO
        any_zap += amount if (g["in_urbana"] or g["in_rural"]) else ZERO
        roads += amount if g["is_road"] else ZERO
        by_incidence[g["work__category__fais_incidence"]] += amount

    shares = {
        "directa": _pct(by_incidence["DIRECTA"], total),
        "complementaria_y_especiales": _pct(by_incidence["COMPLEMENTARIA"] + by_incidence["ESPECIAL"], total),
        "especiales": _pct(by_incidence["ESPECIAL"], total),
        "caminos_y_pavimentos": _pct(roads, total),
        "zap": _pct(any_zap, total),
    }
    checks = []
    if rule is not None and total:
        limits = [
            ("min_direct_pct", "directa", rule.min_direct_pct, "min"),
            ("max_complementary_pct", "complementaria_y_especiales", rule.max_complementary_pct, "max"),
            ("max_special_pct", "especiales", rule.max_special_pct, "max"),
            ("max_roads_pct", "caminos_y_pavimentos", rule.max_roads_pct, "max"),
        ]
        zap_limit, zap_reason = _zap_urbana_minimum(rule, year, fund, municipio)
        limits.append(("min_zap_urbana_pct", "zap_urbana", zap_limit, "min"))
        shares["zap_urbana"] = _pct(urbana, total)
        for name, share, limit, sense in limits:
            value = shares[share]
            if limit is None or value is None:
                reason = (
                    zap_reason
                    if name == "min_zap_urbana_pct"
                    else _("Porcentaje no verificado para el ejercicio.")
                )
                checks.append({"rule": name, "limit": None, "value": value, "ok": None, "reason": reason})
                continue
            ok = Decimal(value) >= limit if sense == "min" else Decimal(value) <= limit
            checks.append({"rule": name, "limit": str(limit), "value": value, "ok": ok})
    evaluated = [c["ok"] for c in checks if c["ok"] is not None]
    return {
        "year": year,
        "fund": fund,
        "municipio": municipio.cvegeo if municipio else None,
        "zones_declared": {
            "ZAP_URBANA": declared.get(Zone.Kind.ZAP_URBANA, 0),
            "ZAP_RURAL": declared.get(Zone.Kind.ZAP_RURAL, 0),
        },
        "rule": None
        if rule is None
        else {**(rule_json(rule) or {}), "verified_for_this_year": rule.verified},
        "works": works,
        "fais_aprobado": _money(total),
        "fais_ejercido": _money(exercised),
        "in_zap_urbana": {"aprobado": _money(urbana), "pct": _pct(urbana, total)},
        "in_zap_rural": {"aprobado": _money(rural), "pct": _pct(rural, total)},
        "in_any_zap": {"aprobado": _money(any_zap), "pct": shares["zap"]},
        "outside_zap": {"aprobado": _money(total - any_zap), "pct": _pct(total - any_zap, total)},
        "by_incidence": {k: {"aprobado": _money(v), "pct": _pct(v, total)} for k, v in by_incidence.items()},
        "shares": shares,
        "checks": checks,
        "compliant": (all(evaluated) if evaluated else None),
    }


def _zap_urbana_minimum(
    rule: FaisRule, year: int, fund: str, municipio: Municipio | None
) -> tuple[Decimal | None, str | None]:
    """The ZAP-urbana minimum % that applies, or None and why not."""
    if rule.zap_urbana_minimum == ZapUrbanaMinimum.NONE:
        return None, _("La regla del fondo no fija un mínimo en ZAP urbanas.")
    if rule.zap_urbana_minimum == ZapUrbanaMinimum.FIXED:
        return rule.min_zap_pct, None
    if municipio is None:
        return None, _("El mínimo PIZU es de cada municipio: consulte con «municipio».")
    row = municipio_compliance(year, fund, municipio)["municipios"][0]
    if row["minimum_pct"] is None:
        return None, row["reason"]
    return Decimal(row["minimum_pct"]), None


# --- report card of an area (a zone or a drawn polygon) -----------------------------------------


def area_report(geom: GEOSGeometry, works: WorkQuerySet | None = None) -> dict[str, Any]:
    """Works, investment per inhabitant and public household-need figures for one area.

    Queries: 3 (works_breakdown) + 1 (the registered population rasters) or 1–4 (census areal
    weighting, priority_zones.population) + 1 (household needs, disclosure-controlled).
    """
    from priority_zones.disclosure import household_need_summary

    report = works_breakdown(works_in_area(geom, works))
    population = population_in(geom)
    people = population["value"]
    report["population"] = population
    report["per_inhabitant"] = {
        "aprobado": _money(Decimal(report["aprobado"]) / people) if people else None,
        "ejercido": _money(Decimal(report["ejercido"]) / people) if people else None,
    }
    report["area_km2"] = round(area_m2(geom) / 1e6, 3)
    report["household_needs"] = household_need_summary(geom)
    return report
