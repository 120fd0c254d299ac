"""Read-only figures of the citizen budget pages: one grouped query each, over one year's lines at
its latest loaded quarter (the position the year's totals read), or over the quarters for progress."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Max, Q, Sum

from budget import catalogues
from budget.actions import do_refresh_outlines
from budget.models import BudgetLoad, ExpenseLine, IncomeLine, Kind, MunicipioOutline, Transfer
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


def _sums(rows, *keys: str, order: str | None = None) -> list[dict]:
    grouped = rows.values(*keys).annotate(**{m: Sum(m) for m in MOMENTS}, lines=Count("id"))
    return list(grouped.order_by(order or keys[0]))


def totals(year: int) -> dict:
    found = year_lines(year).aggregate(**{m: Sum(m) for m in MOMENTS})
    return {m: found[m] or ZERO for m in MOMENTS}


def by_function(year: int, function: str = "") -> list[dict]:
    """By finalidad.función, or the subfunciones of one función."""
    rows = year_lines(year)
    if function:
        rows = rows.filter(funcion=function)
        key = "subfuncion"
    else:
        key = "funcion"
    names = catalogues.funcional()
    out = _sums(rows, key, order=f"-{'aprobado'}")
    for r in out:
        r["code"], r["name"] = r[key], names.get(r[key], r[key])
    return out


def by_object(year: int, capitulo: str = "", concepto: str = "") -> tuple[str, list[dict]]:
    """Capítulos; the conceptos of a capítulo; or the partidas genéricas of a concepto (drill-down)."""
    rows = year_lines(year)
    if concepto:
        rows, key = rows.filter(concepto=concepto), "partida"
    elif capitulo:
        rows, key = rows.filter(capitulo=capitulo), "concepto"
    else:
        key = "capitulo"
    names = catalogues.cog()
    out = _sums(rows, key, order=key)
    for r in out:
        r["code"], r["name"] = r[key], names.get(r[key], r[key])
    return key, out


def by_program(year: int) -> list[dict]:
    out = _sums(year_lines(year), "programa", order="-aprobado")
    names = dict(
        year_lines(year).values_list("programa").annotate(n=Max("programa_name")).values_list("programa", "n")
    )
    counts = dict(
        Work.objects.filter(published=True, fiscal_year=year)
        .exclude(budget_program="")
        .values_list("budget_program")
        .annotate(n=Count("id"))
        .values_list("budget_program", "n")
    )
    for r in out:
        r["code"], r["name"], r["works"] = (
            r["programa"],
            names.get(r["programa"], ""),
            counts.get(r["programa"], 0),
        )
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
    out = _sums(year_lines(year), "ramo", "dependencia", order="-aprobado")
    names = dict(
        year_lines(year)
        .values_list("dependencia")
        .annotate(n=Max("dependencia_name"))
        .values_list("dependencia", "n")
    )
    for r in out:
        r["code"], r["name"] = r["dependencia"], names.get(r["dependencia"], r["dependencia"])
    return out


def by_quarter(year: int) -> list[dict]:
    return _sums(ExpenseLine.objects.filter(fiscal_year=year), "quarter", order="quarter")


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


def comparison(base: int) -> list[dict]:
    """Every loaded year's approved and exercised totals, nominal and in `base`'s pesos (INPC)."""
    rows = (
        ExpenseLine.objects.current()
        .values("fiscal_year")
        .annotate(aprobado=Sum("aprobado"), ejercido=Sum("ejercido"), pagado=Sum("pagado"))
        .order_by("fiscal_year")
    )
    out = []
    for r in rows:
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
    rows = ExpenseLine.objects.current().values("fiscal_year", "finalidad").annotate(a=Sum("aprobado"))
    names = catalogues.funcional()
    out = []
    for r in rows.order_by("finalidad", "fiscal_year"):
        factor, _known = catalogues.deflator(r["fiscal_year"], base)
        out.append(
            {
                "year": r["fiscal_year"],
                "code": r["finalidad"],
                "name": names.get(r["finalidad"], ""),
                "aprobado": r["a"],
                "aprobado_real": (r["a"] * factor).quantize(Decimal("1")),
            }
        )
    return out


def federal_share(year: int) -> Decimal | None:
    """Share of the year's approved spending paid from earmarked federal money (fuente 25)."""
    found = year_lines(year).aggregate(all=Sum("aprobado"), fed=Sum("aprobado", filter=Q(fuente="25")))
    if not found["all"]:
        return None
    return (100 * (found["fed"] or ZERO) / found["all"]).quantize(Decimal("0.1"))


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
