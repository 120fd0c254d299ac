"""FAIS compliance per municipio and per work, for one fiscal year and one fund (FISMDF or FISE).

The ZAP-urbana minimum (shared/DOMAIN.md §2.3, [M]: verify per year): a municipio with urban ZAP
declared for the year must invest in them at least

    PIZU_i = (Σ_j PZU_ij / PPM_i)² × 100   (capped at 100)

of its fund, where PZU_ij is the population of its urban ZAP j and PPM_i its population in poverty.
Method of this implementation:
- the urban ZAP are the published ZAP_URBANA zones declared for THAT fiscal year, by the municipio
  of their CVEGEO (its first 5 characters);
- PZU: the population recorded on the zone (the declaration), else the Censo 2020 population of the
  AGEB with the zone's CVEGEO (priority_zones.Ageb, when loaded); a zone with neither makes the
  municipio "not evaluable" (the zone is named) rather than guessed;
- PPM: the newest MunicipalPoverty measurement not later than the fiscal year;
- the money: the fund's own approved share of each published work of the year (WorkFunding of a
  source whose `fund` is the fund), inside an urban ZAP by the work's representative point;
- whether a rule asks for PIZU, a fixed share or nothing comes from the rule table (FaisRule, per
  fund and year; works_map/data/fais_rules.csv); an unverified rule is reported as such.

Per work, a flag with its reason: a category outside the FAIS catalogue (incidence "no aplica") does
not meet; a work inside a ZAP (urban or rural) declared for the year meets the territorial rule;
any other work is not evaluable here (its eligibility depends on the locality's rezago social or
on accrediting extreme poverty with the CUIS, neither of which is loaded).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Subquery, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from priority_zones.models import Ageb, MunicipalPoverty, Municipio, Zone
from works_map.models import Category, FaisFund, FaisRule, WorkFunding, ZapUrbanaMinimum

MEETS, FAILS, NOT_EVALUABLE, NOT_APPLICABLE = "CUMPLE", "NO_CUMPLE", "NO_EVALUABLE", "NO_APLICA"
STATUS_LABELS = {
    MEETS: gettext_lazy("Cumple"),
    FAILS: gettext_lazy("No cumple"),
    NOT_EVALUABLE: gettext_lazy("No evaluable"),
    NOT_APPLICABLE: gettext_lazy("No aplica"),
}
CENT = Decimal("0.01")


def pizu(pzu: int, ppm: int) -> Decimal:
    """(PZU / PPM)² × 100, capped at 100, to the hundredth."""
    value = (Decimal(pzu) / Decimal(ppm)) ** 2 * 100
    return min(value, Decimal(100)).quantize(CENT)


def _urban_zap(year: int):
    return Zone.objects.published().for_year(year).filter(kind=Zone.Kind.ZAP_URBANA)


def urban_zap_population(year: int) -> dict[str, dict[str, Any]]:
    """Per municipio CVEGEO: the urban ZAP of `year`, their known population and the unknown ones.
    One query."""
    ageb_population = Ageb.objects.filter(cvegeo=OuterRef("cvegeo")).values("population_2020")[:1]
    found: dict[str, dict[str, Any]] = {}
    rows = (
        _urban_zap(year)
        .annotate(ageb_population=Subquery(ageb_population))
        .order_by("cvegeo")
        .values_list("cvegeo", "population", "ageb_population")
    )
    for cvegeo, own, ageb in rows:
        entry = found.setdefault(cvegeo[:5], {"zones": 0, "population": 0, "unknown": []})
        entry["zones"] += 1
        people = own if own is not None else ageb
        if people is None:
            entry["unknown"].append(cvegeo)
        else:
            entry["population"] += people
    return found


def poverty_by_municipio(year: int) -> dict[str, MunicipalPoverty]:
    """The newest measurement not later than `year`, per municipio CVEGEO. One query."""
    rows = (
        MunicipalPoverty.objects.filter(year__lte=year)
        .select_related("municipio")
        .order_by("municipio_id", "-year")
        .distinct("municipio_id")
    )
    return {row.municipio.cvegeo: row for row in rows}


def _fund_money(year: int, fund: str):
    return WorkFunding.objects.filter(source__fund=fund, work__fiscal_year=year, work__published=True)


def money_by_municipio(year: int, fund: str) -> dict[str, dict[str, Decimal]]:
    """Per municipio CVEGEO: the fund's approved money of `year`, and the part inside urban ZAP.
    One grouped query."""
    in_urbana = Exists(_urban_zap(year).filter(geom__intersects=OuterRef("work__point")))
    totals: dict[str, dict[str, Decimal]] = {}
    for row in (
        _fund_money(year, fund)
        .annotate(in_urbana=in_urbana)
        .values("work__municipio__cvegeo", "in_urbana")
        .annotate(amount=Sum("amount_approved"))
        .order_by()
    ):
        entry = totals.setdefault(row["work__municipio__cvegeo"], {"total": Decimal(0), "urbana": Decimal(0)})
        entry["total"] += row["amount"] or 0
        if row["in_urbana"]:
            entry["urbana"] += row["amount"] or 0
    return totals


def _evaluate(
    rule: FaisRule | None,
    zap: dict[str, Any] | None,
    poverty: MunicipalPoverty | None,
    money: dict[str, Decimal],
) -> dict[str, Any]:
    """The ZAP-urbana check of one municipio: status, reason and the minimum (when known)."""
    result: dict[str, Any] = {"minimum_pct": None, "pzu": None, "ppm": None}
    if zap is not None:
        result["pzu"] = zap["population"] if not zap["unknown"] else None
    if poverty is not None:
        result["ppm"] = poverty.population_in_poverty
    total, urbana = money["total"], money["urbana"]
    result["share_pct"] = (urbana * 100 / total).quantize(CENT) if total else None
    if rule is None:
        return {
            **result,
            "status": NOT_EVALUABLE,
            "reason": _("No hay regla FAIS cargada para ese fondo y ejercicio."),
        }
    if rule.zap_urbana_minimum == ZapUrbanaMinimum.NONE:
        return {
            **result,
            "status": NOT_APPLICABLE,
            "reason": _("La regla del fondo no fija un mínimo en ZAP urbanas."),
        }
    if rule.zap_urbana_minimum == ZapUrbanaMinimum.FIXED:
        minimum = rule.min_zap_pct
    elif zap is None:
        return {
            **result,
            "status": NOT_APPLICABLE,
            "reason": _("Sin ZAP urbanas declaradas para el ejercicio."),
        }
    elif zap["unknown"]:
        reason = _(
            "Sin población conocida de %(n)s ZAP urbana(s): %(keys)s (ni registrada ni AGEB cargada)."
        ) % {
            "n": len(zap["unknown"]),
            "keys": ", ".join(zap["unknown"][:5]),
        }
        return {**result, "status": NOT_EVALUABLE, "reason": reason}
    elif poverty is None or not poverty.population_in_poverty:
        return {
            **result,
            "status": NOT_EVALUABLE,
            "reason": _("Falta la población en pobreza del municipio (pobreza municipal)."),
        }
    else:
        minimum = pizu(zap["population"], poverty.population_in_poverty)
    result["minimum_pct"] = minimum
    if minimum is None:
        return {**result, "status": NOT_EVALUABLE, "reason": _("La regla no fija el porcentaje mínimo.")}
    if not total:
        return {**result, "status": NOT_EVALUABLE, "reason": _("Sin recursos del fondo en el ejercicio.")}
    ok = result["share_pct"] >= minimum
    reason = _("%(share)s %% en ZAP urbanas frente a un mínimo de %(min)s %%.") % {
        "share": result["share_pct"],
        "min": minimum,
    }
    return {**result, "status": MEETS if ok else FAILS, "reason": reason}


def municipio_compliance(year: int, fund: str = FaisFund.FISMDF, municipio: Municipio | None = None) -> dict:
    """The ZAP-urbana minimum of every municipio (or one) for `year` and `fund`. Queries: rule,
    municipios, urban ZAP population, poverty, money (5)."""
    rule = FaisRule.objects.applicable(year, fund)
    municipios = Municipio.objects.order_by("cvegeo").values_list("cvegeo", "name")
    if municipio is not None:
        municipios = municipios.filter(pk=municipio.pk)
    zap = urban_zap_population(year)
    poverty = poverty_by_municipio(year)
    money = money_by_municipio(year, fund)
    rows = []
    for cvegeo, name in municipios:
        spent = money.get(cvegeo, {"total": Decimal(0), "urbana": Decimal(0)})
        check = _evaluate(rule, zap.get(cvegeo), poverty.get(cvegeo), spent)
        measured = poverty.get(cvegeo)
        rows.append(
            {
                "cvegeo": cvegeo,
                "name": name,
                "fund_aprobado": str(spent["total"].quantize(CENT)),
                "in_zap_urbana": str(spent["urbana"].quantize(CENT)),
                "urban_zap": (zap.get(cvegeo) or {}).get("zones", 0),
                "poverty_year": measured.year if measured else None,
                **{k: (str(v) if isinstance(v, Decimal) else v) for k, v in check.items()},
                "status_label": str(STATUS_LABELS[check["status"]]),
            }
        )
    return {"year": year, "fund": fund, "rule": rule_json(rule), "municipios": rows}


def rule_json(rule: FaisRule | None) -> dict[str, Any] | None:
    if rule is None:
        return None
    pct = ("min_direct_pct", "max_complementary_pct", "max_special_pct", "max_roads_pct", "min_zap_pct")
    return {
        "fund": rule.fund,
        "year_from": rule.year_from,
        "year_to": rule.year_to,
        "zap_urbana_minimum": rule.zap_urbana_minimum,
        "source": rule.source,
        "verified": rule.verified,
        **{p: None if getattr(rule, p) is None else str(getattr(rule, p)) for p in pct},
    }


def work_flags(year: int, fund: str = FaisFund.FISMDF, municipio: Municipio | None = None) -> list[dict]:
    """One row per published work of `year` with money of `fund`, with its flag and reason. One query."""
    zones = Zone.objects.published().for_year(year)

    def zap_of(kind: str):
        return Subquery(
            zones.filter(kind=kind, geom__intersects=OuterRef("work__point")).values("cvegeo")[:1]
        )

    funding = _fund_money(year, fund)
    if municipio is not None:
        funding = funding.filter(work__municipio=municipio)
    rows = (
        funding.annotate(urbana=zap_of(Zone.Kind.ZAP_URBANA), rural=zap_of(Zone.Kind.ZAP_RURAL))
        .order_by("work__municipio__cvegeo", "work__folio")
        .values(
            "work_id",
            "work__folio",
            "work__name",
            "work__municipio__cvegeo",
            "work__municipio__name",
            "work__category__code",
            "work__category__name",
            "work__category__fais_incidence",
            "amount_approved",
            "urbana",
            "rural",
        )
    )
    flagged = []
    for r in rows:
        if r["work__category__fais_incidence"] == Category.FaisIncidence.NO_APLICA:
            status, reason = (
                FAILS,
                _("La categoría «%(c)s» no está en el catálogo FAIS.") % {"c": r["work__category__name"]},
            )
        elif r["urbana"]:
            status, reason = (
                MEETS,
                _("En la ZAP urbana %(k)s declarada para %(y)s.") % {"k": r["urbana"], "y": year},
            )
        elif r["rural"]:
            status, reason = (
                MEETS,
                _("En la ZAP rural %(k)s declarada para %(y)s.") % {"k": r["rural"], "y": year},
            )
        else:
            status, reason = (
                NOT_EVALUABLE,
                _(
                    "Fuera de las ZAP de %(y)s: depende del rezago social de la localidad o de acreditar "
                    "pobreza extrema con el CUIS, datos que aquí no se evalúan."
                )
                % {"y": year},
            )
        flagged.append(
            {
                "work_id": r["work_id"],
                "folio": r["work__folio"],
                "name": r["work__name"],
                "municipio": r["work__municipio__cvegeo"],
                "municipio_name": r["work__municipio__name"],
                "category": r["work__category__code"],
                "fund_aprobado": str(r["amount_approved"].quantize(CENT)),
                "status": status,
                "status_label": str(STATUS_LABELS[status]),
                "reason": reason,
            }
        )
    return flagged
