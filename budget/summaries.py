"""Read-only figures of the citizen budget pages: one grouped query each, over one year's lines at
its latest loaded quarter (the position the year's totals read), or over the quarters for progress."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Max, Q, Sum

from budget import catalogues
from budget.actions import do_refresh_outlines
from budget.models import (
    BudgetLoad,
    ExpenseLine,
    ExpenseSummary,
    IncomeLine,
    Kind,
    MunicipioOutline,
    Transfer,
)
from priority_zones.models import Municipio
from works_map.models import Work

MOMENTS = ("aprobado", "modificado", "comprometido", "devengado", "ejercido", "pagado")
ZERO = Decimal(0)


def years(kind: str = Kind.EXPENSE) -> list[int]:
    return list(
        BudgetLoad.objects.filter(kind=kind).order_by("-fiscal_year").values_list("fiscal_year", flat=True)
    )


def loads() -> list[BudgetLoad]:
    return list(BudgetLoad.objects.order_by("-fiscal_year", "kind"))


def year_lines(year: int):
    latest = BudgetLoad.objects.filter(kind=Kind.EXPENSE, fiscal_year=year).values("latest_quarter")[:1]
    return ExpenseLine.objects.filter(fiscal_year=year, quarter=latest)


def _sums(rows, *keys: str, order: str | None = None, **extra) -> list[dict]:
    grouped = rows.values(*keys).annotate(**{m: Sum(m) for m in MOMENTS}, lines=Count("id"), **extra)
    return list(grouped.order_by(order or keys[0]))


def _summary(year: int, dimension: str, prefix: str = "", order: str = "code") -> list[dict]:
    """The year's summary rows of one classification at its latest quarter (one query)."""
    latest = BudgetLoad.objects.filter(kind=Kind.EXPENSE, fiscal_year=year).values("latest_quarter")[:1]
    rows = ExpenseSummary.objects.filter(fiscal_year=year, quarter=latest, dimension=dimension)
    if prefix:
        rows = rows.filter(code__startswith=prefix)
    return list(rows.order_by(order).values("code", "label", "parent", "lines", *MOMENTS))


def _named(rows: list[dict], names: dict[str, str]) -> list[dict]:
    for r in rows:
        r["name"] = r["label"] or names.get(r["code"], r["code"])
    return rows


def totals(year: int) -> dict:
    found = _summary(year, "total")
    return {m: (found[0][m] if found else ZERO) for m in MOMENTS}


def by_function(year: int, function: str = "") -> list[dict]:
    """By finalidad.función, or the subfunciones of one función."""
    if function:
        return _named(_summary(year, "subfuncion", function + ".", "-aprobado"), catalogues.funcional())
    return _named(_summary(year, "funcion", order="-aprobado"), catalogues.funcional())


def by_object(year: int, capitulo: str = "", concepto: str = "") -> tuple[str, list[dict]]:
    """Capítulos; the conceptos of a capítulo; or the partidas genéricas of a concepto (drill-down)."""
    if concepto:
        level, prefix = "partida", concepto[:2]
    elif capitulo:
        level, prefix = "concepto", capitulo[:1]
    else:
        level, prefix = "capitulo", ""
    return level, _named(_summary(year, level, prefix), catalogues.cog())


def by_program(year: int) -> list[dict]:
    out = _named(_summary(year, "programa", order="-aprobado"), {})
    counts = dict(
        Work.objects.filter(published=True, fiscal_year=year)
        .exclude(budget_program="")
        .values_list("budget_program")
        .annotate(n=Count("id"))
        .values_list("budget_program", "n")
    )
    for r in out:
        r["works"] = counts.get(r["code"], 0)
    return out


def program(year: int, code: str) -> dict | None:
    rows = year_lines(year).filter(programa=code)
    found = rows.aggregate(**{m: Sum(m) for m in MOMENTS}, name=Max("programa_name"), n=Count("id"))
    if not found["n"]:
        return None
    names = catalogues.cog()
    partidas = _sums(rows, "partida", order="partida")
    for r in partidas:
        r["code"], r["name"] = r["partida"], names.get(r["partida"], r["partida"])
    sources = _sums(rows, "fuente", order="fuente")
    for r in sources:
        r["code"], r["name"] = r["fuente"], catalogues.fuentes().get(r["fuente"], r["fuente"])
    works = list(
        Work.objects.filter(published=True, budget_program=code, fiscal_year=year)
        .select_related("municipio")
        .order_by("-amount_approved")
        .values(
            "pk",
            "folio",
            "name",
            "municipio__name",
            "amount_approved",
            "amount_exercised",
            "point",
            "budget_source",
        )[:500]
    )
    return {
        "code": code,
        "name": found["name"],
        "totals": {m: found[m] or ZERO for m in MOMENTS},
        "partidas": partidas,
        "sources": sources,
        "works": works,
    }


def by_agency(year: int) -> list[dict]:
    out = _named(_summary(year, "dependencia", order="-aprobado"), {})
    for r in out:
        r["ramo"] = r["parent"]
    return out


def by_quarter(year: int) -> list[dict]:
    rows = ExpenseSummary.objects.filter(fiscal_year=year, dimension="total").order_by("quarter")
    return list(rows.values("quarter", "lines", *MOMENTS))


def income(year: int) -> dict:
    rows = IncomeLine.objects.filter(fiscal_year=year)
    fields = ("estimado", "modificado", "devengado", "recaudado")
    tipos = list(
        rows.values("rubro", "tipo").annotate(**{f: Sum(f) for f in fields}).order_by("rubro", "tipo")
    )
    names, origin = catalogues.cri(), catalogues.cri_origin()
    groups: dict[str, Decimal] = {"propio": ZERO, "federal": ZERO, "financiamiento": ZERO}
    for r in tipos:
        r["name"] = names.get(r["tipo"], r["tipo"])
        r["origin"] = origin.get(r["rubro"], "propio")
        groups[r["origin"]] += r["estimado"] or ZERO
    rubros: dict[str, dict] = {}
    for r in tipos:
        entry = rubros.setdefault(
            r["rubro"],
            {
                "code": r["rubro"],
                "name": names.get(r["rubro"], r["rubro"]),
                "origin": r["origin"],
                **{f: ZERO for f in fields},
            },
        )
        for f in fields:
            entry[f] += r[f] or ZERO
    return {"tipos": tipos, "rubros": list(rubros.values()), "groups": groups}


def municipios(year: int) -> list[dict]:
    """Per municipio: each fund, their sum, per inhabitant, and the published works of the year."""
    transfers = Transfer.objects.filter(fiscal_year=year)
    funds = {
        (r["municipio_id"], r["fund"]): r["s"]
        for r in transfers.values("municipio_id", "fund").annotate(s=Sum("amount"))
    }
    works = {
        r["municipio_id"]: r
        for r in Work.objects.filter(published=True, fiscal_year=year)
        .values("municipio_id")
        .annotate(n=Count("id"), a=Sum("amount_approved"))
    }
    out = []
    shapes = outlines()
    for m in Municipio.objects.order_by("cvegeo").values("pk", "cvegeo", "name", "population_2020"):
        m["svg"] = shapes.get(m["pk"], "")
        fis = funds.get((m["pk"], "FAIS-FISMDF"), ZERO)
        fort = funds.get((m["pk"], "FORTAMUN"), ZERO)
        part = funds.get((m["pk"], "PARTICIPACIONES"), ZERO)
        total = fis + fort + part
        pop = m["population_2020"] or 0
        w = works.get(m["pk"], {})
        out.append(
            {
                "cvegeo": m["cvegeo"],
                "name": m["name"],
                "population": pop,
                "svg": m["svg"],
                "fismdf": fis,
                "fortamun": fort,
                "participaciones": part,
                "total": total,
                "per_inhabitant": (total / pop).quantize(Decimal("0.01")) if pop else None,
                "works": w.get("n", 0),
                "works_amount": w.get("a") or ZERO,
            }
        )
    return out


def _current(dimension: str):
    """Every loaded year's summary rows of `dimension` at that year's latest quarter."""
    pairs = BudgetLoad.objects.filter(kind=Kind.EXPENSE).values_list("fiscal_year", "latest_quarter")
    condition = Q(pk__in=[])
    for year, quarter in pairs:
        condition |= Q(fiscal_year=year, quarter=quarter)
    return ExpenseSummary.objects.filter(condition, dimension=dimension)


def comparison(base: int) -> list[dict]:
    """Every loaded year's approved and exercised totals, nominal and in `base`'s pesos (INPC)."""
    out = []
    for r in (
        _current("total").order_by("fiscal_year").values("fiscal_year", "aprobado", "ejercido", "pagado")
    ):
        factor, known = catalogues.deflator(r["fiscal_year"], base)
        out.append(
            {
                **r,
                "factor": factor,
                "known": known,
                "aprobado_real": (r["aprobado"] * factor).quantize(Decimal("1")),
                "ejercido_real": (r["ejercido"] * factor).quantize(Decimal("1")),
            }
        )
    return out


def by_finalidad_years(base: int) -> list[dict]:
    names = catalogues.funcional()
    out = []
    for r in _current("finalidad").order_by("code", "fiscal_year").values("fiscal_year", "code", "aprobado"):
        factor, _known = catalogues.deflator(r["fiscal_year"], base)
        out.append(
            {
                "year": r["fiscal_year"],
                "code": r["code"],
                "name": names.get(r["code"], ""),
                "aprobado": r["aprobado"],
                "aprobado_real": (r["aprobado"] * factor).quantize(Decimal("1")),
            }
        )
    return out


def federal_share(year: int) -> Decimal | None:
    """Share of the year's approved spending paid from earmarked federal money (fuente 25)."""
    total = totals(year)["aprobado"]
    if not total:
        return None
    federal = next((r["aprobado"] for r in _summary(year, "fuente", "25")), ZERO)
    return (100 * federal / total).quantize(Decimal("0.1"))


def outlines() -> dict[int, str]:
    """Municipio id -> simplified SVG path; written once when the municipios change (one query after)."""
    found = dict(MunicipioOutline.objects.values_list("municipio_id", "svg"))
    if len(found) != Municipio.objects.count():
        do_refresh_outlines()
        found = dict(MunicipioOutline.objects.values_list("municipio_id", "svg"))
    return found


def outline_rows() -> list[dict]:
    shapes = outlines()
    return [{"svg": svg} for svg in shapes.values()]
