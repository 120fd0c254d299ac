"""What each citizen budget page shows: its figures, its charts and the same figures as tables (the
charts' accessible alternative, and the page's CSV/XLSX/JSON download). One builder per page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budget import catalogues, charts, summaries
from gis_core.tables import Column, Table
from works_map.charts import hbars, vbars

MONEY_COLUMNS = [Column(m.capitalize(), "money") for m in summaries.MOMENTS]


def _moments(r: dict) -> list[Any]:
    return [r[m] or 0 for m in summaries.MOMENTS]


def _bars(rows: list[dict], key: str, title: str, desc: str, label=None, limit: int = 15):
    top = rows[:limit]
    return hbars(
        [
            ((label or (lambda r: f"{r['code']} {r['name']}"))(r), r[key] or 0, charts.money_short(r[key]))
            for r in top
        ],
        title,
        desc,
    )


@dataclass(frozen=True)
class Page:
    slug: str
    title: Any  # lazy
    template: str
    build: Callable[[int, dict[str, str]], tuple[dict, list[Table]]]


def summary(year: int, params: dict[str, str]) -> tuple[dict, list[Table]]:
    totals = summaries.totals(year)
    share = summaries.federal_share(year)
    functions = summaries.by_function(year)
    context = {
        "totals": totals,
        "federal_share": share,
        "functions": functions,
        "chart": _bars(
            functions,
            "aprobado",
            _("Presupuesto aprobado por función"),
            _("Las funciones con más dinero aprobado."),
        ),
    }
    table = Table(
        "resumen",
        _("Resumen del año"),
        [Column(_("Momento")), Column(_("Monto"), "money")],
        [[m, totals[m]] for m in summaries.MOMENTS],
    )
    return context, [table]


def income(year: int, params: dict[str, str]) -> tuple[dict, list[Table]]:
    data = summaries.income(year)
    groups = data["groups"]
    labels = {
        "propio": _("Ingresos propios del estado"),
        "federal": _("Dinero de la Federación"),
        "financiamiento": _("Deuda (financiamientos)"),
    }
    group_rows = [(labels[k], v, charts.money_short(v)) for k, v in groups.items()]
    total = sum(groups.values(), Decimal(0))
    context = {
        **data,
        "total": total,
        "group_rows": [
            {"label": labels[k], "amount": v, "share": (100 * v / total) if total else None}
            for k, v in groups.items()
        ],
        "group_chart": hbars(
            group_rows,
            _("Ingresos estimados por origen"),
            _("Cuánto dinero viene de la Federación, cuánto recauda el estado y cuánto es deuda."),
        ),
        "chart": hbars(
            [
                (f"{r['code']} {r['name']}", r["estimado"], charts.money_short(r["estimado"]))
                for r in data["rubros"]
            ],
            _("Ingresos estimados por rubro (CRI)"),
            _("Los rubros del Clasificador por Rubros de Ingresos."),
        ),
    }
    table = Table(
        "ingresos",
        _("Ingresos por rubro y tipo"),
        [
            Column(_("Rubro")),
            Column(_("Tipo")),
            Column(_("Nombre")),
            Column(_("Origen")),
            Column(_("Estimado"), "money"),
            Column(_("Modificado"), "money"),
            Column(_("Devengado"), "money"),
            Column(_("Recaudado"), "money"),
        ],
        [
            [
                r["rubro"],
                r["tipo"],
                r["name"],
                r["origin"],
                r["estimado"],
                r["modificado"],
                r["devengado"],
                r["recaudado"],
            ]
            for r in data["tipos"]
        ],
    )
    return context, [table]


def spending(year: int, params: dict[str, str]) -> tuple[dict, list[Table]]:
    function = params.get("funcion", "")
    capitulo, concepto = params.get("capitulo", ""), params.get("concepto", "")
    functions = summaries.by_function(year, function)
    level, objects = summaries.by_object(year, capitulo, concepto)
    programs = summaries.by_program(year)
    names = catalogues.funcional()
    cog = catalogues.cog()
    context = {
        "function": function,
        "function_name": names.get(function, ""),
        "capitulo": capitulo,
        "capitulo_name": cog.get(capitulo, ""),
        "concepto": concepto,
        "concepto_name": cog.get(concepto, ""),
        "functions": functions,
        "objects": objects,
        "level": level,
        "programs": programs[:30],
        "program_count": len(programs),
        "function_chart": _bars(
            functions, "aprobado", _("Aprobado por función"), _("Para qué se usa el dinero.")
        ),
        "object_chart": _bars(
            objects, "aprobado", _("Aprobado por objeto del gasto"), _("En qué se gasta el dinero.")
        ),
        "program_chart": _bars(
            programs,
            "aprobado",
            _("Los 15 programas con más dinero"),
            _("Programas presupuestarios."),
            label=lambda r: f"{r['code']} {r['name']}",
        ),
    }
    tables = [
        Table(
            "funciones",
            _("Por función"),
            [Column(_("Clave")), Column(_("Nombre")), *MONEY_COLUMNS],
            [[r["code"], r["name"], *_moments(r)] for r in functions],
        ),
        Table(
            "objeto",
            _("Por objeto del gasto"),
            [Column(_("Clave")), Column(_("Nombre")), *MONEY_COLUMNS],
            [[r["code"], r["name"], *_moments(r)] for r in objects],
        ),
        Table(
            "programas",
            _("Por programa"),
            [Column(_("Programa")), Column(_("Nombre")), Column(_("Obras"), "integer"), *MONEY_COLUMNS],
            [[r["code"], r["name"], r["works"], *_moments(r)] for r in programs],
        ),
    ]
    return context, tables


def agencies(year: int, params: dict[str, str]) -> tuple[dict, list[Table]]:
    rows = summaries.by_agency(year)
    context = {
        "rows": rows,
        "chart": _bars(
            rows,
            "aprobado",
            _("Aprobado por dependencia"),
            _("Las dependencias que gastan más."),
            label=lambda r: r["name"],
        ),
    }
    table = Table(
        "dependencias",
        _("Por dependencia"),
        [Column(_("Ramo")), Column(_("Dependencia")), Column(_("Nombre")), *MONEY_COLUMNS],
        [[r["ramo"], r["code"], r["name"], *_moments(r)] for r in rows],
    )
    return context, [table]


def municipios(year: int, params: dict[str, str]) -> tuple[dict, list[Table]]:
    rows = summaries.municipios(year)
    context = {
        "rows": rows,
        "map": charts.choropleth(
            rows,
            "per_inhabitant",
            _("Transferencias federales por habitante, por municipio"),
            _(
                "Cada municipio coloreado según cuánto recibe por habitante "
                "(FISMDF, FORTAMUN y participaciones)."
            ),
            lambda v: "—" if v is None else f"${v:,.0f}",
        ),
        "total": sum((r["total"] for r in rows), Decimal(0)),
    }
    table = Table(
        "municipios",
        _("Transferencias y obras por municipio"),
        [
            Column("CVEGEO"),
            Column(_("Municipio")),
            Column(_("Población 2020"), "integer"),
            Column("FISMDF", "money"),
            Column("FORTAMUN", "money"),
            Column(_("Participaciones"), "money"),
            Column(_("Total"), "money"),
            Column(_("Por habitante"), "money"),
            Column(_("Obras"), "integer"),
            Column(_("Aprobado en obras"), "money"),
        ],
        [
            [
                r["cvegeo"],
                r["name"],
                r["population"],
                r["fismdf"],
                r["fortamun"],
                r["participaciones"],
                r["total"],
                r["per_inhabitant"],
                r["works"],
                r["works_amount"],
            ]
            for r in rows
        ],
    )
    return context, [table]


def progress(year: int, params: dict[str, str]) -> tuple[dict, list[Table]]:
    rows = summaries.by_quarter(year)
    names = [_("Aprobado"), _("Modificado"), _("Comprometido"), _("Devengado"), _("Ejercido"), _("Pagado")]
    context = {
        "rows": rows,
        "chart": charts.grouped_bars(
            [(f"T{r['quarter']}", _moments(r)) for r in rows],
            names,
            _("Momentos del gasto por trimestre"),
            _(
                "Aprobado frente a lo comprometido, devengado, ejercido y pagado, "
                "acumulado al cierre de cada trimestre."
            ),
        ),
    }
    for r in rows:
        r["exercised_pct"] = (
            (100 * r["ejercido"] / r["modificado"]).quantize(Decimal("0.1")) if r["modificado"] else None
        )
    table = Table(
        "trimestres",
        _("Momentos por trimestre"),
        [Column(_("Trimestre"), "integer"), *MONEY_COLUMNS],
        [[r["quarter"], *_moments(r)] for r in rows],
    )
    return context, [table]


def comparison(year: int, params: dict[str, str]) -> tuple[dict, list[Table]]:
    base = min(year, max(catalogues.inpc()))
    rows = summaries.comparison(base)
    finalidades = summaries.by_finalidad_years(base)
    context = {
        "base": base,
        "rows": rows,
        "finalidades": finalidades,
        "inpc_last": max(catalogues.inpc()),
        "chart": vbars(
            [
                (str(r["fiscal_year"]), r["aprobado_real"], charts.money_short(r["aprobado_real"]))
                for r in rows
            ],
            _("Presupuesto aprobado en pesos constantes"),
            _("Cada año en pesos del año base, con el INPC."),
        ),
    }
    table = Table(
        "comparacion",
        _("Comparación entre años"),
        [
            Column(_("Ejercicio"), "integer"),
            Column(_("Aprobado (nominal)"), "money"),
            Column(_("Ejercido (nominal)"), "money"),
            Column(_("Factor INPC"), "decimal"),
            Column(_("Aprobado (constante)"), "money"),
            Column(_("Ejercido (constante)"), "money"),
        ],
        [
            [
                r["fiscal_year"],
                r["aprobado"],
                r["ejercido"],
                r["factor"].quantize(Decimal("0.0001")),
                r["aprobado_real"],
                r["ejercido_real"],
            ]
            for r in rows
        ],
    )
    return context, [table]


PAGES = {
    p.slug: p
    for p in (
        Page("resumen", gettext_lazy("El presupuesto ciudadano"), "budget/summary.html", summary),
        Page("ingresos", gettext_lazy("¿De dónde viene el dinero?"), "budget/income.html", income),
        Page("gasto", gettext_lazy("¿En qué se gasta?"), "budget/spending.html", spending),
        Page("dependencias", gettext_lazy("¿Quién lo gasta?"), "budget/agencies.html", agencies),
        Page(
            "municipios", gettext_lazy("¿Cuánto llega a mi municipio?"), "budget/municipios.html", municipios
        ),
        Page("avance", gettext_lazy("¿Cómo va el gasto?"), "budget/progress.html", progress),
        Page("comparacion", gettext_lazy("Comparación entre años"), "budget/comparison.html", comparison),
    )
}


def program_page(year: int, code: str) -> tuple[dict, list[Table]] | None:
    found = summaries.program(year, code)
    if found is None:
        return None
    outlines = summaries.outline_rows() if found["works"] else []
    points = [(w["point"].x, w["point"].y, w["name"]) for w in found["works"] if w["point"] is not None]
    found["map"] = (
        charts.dots(
            outlines,
            points,
            _("Obras del programa %(c)s") % {"c": code},
            _("Un punto por obra del programa en el mapa del estado."),
        )
        if points
        else None
    )
    tables = [
        Table(
            "partidas",
            _("Por partida genérica"),
            [Column(_("Partida")), Column(_("Nombre")), *MONEY_COLUMNS],
            [[r["code"], r["name"], *_moments(r)] for r in found["partidas"]],
        ),
        Table(
            "obras",
            _("Obras del programa"),
            [
                Column(_("Folio")),
                Column(_("Obra")),
                Column(_("Municipio")),
                Column(_("Fuente")),
                Column(_("Aprobado"), "money"),
                Column(_("Ejercido"), "money"),
            ],
            [
                [
                    w["folio"],
                    w["name"],
                    w["municipio__name"],
                    w["budget_source"],
                    w["amount_approved"],
                    w["amount_exercised"],
                ]
                for w in found["works"]
            ],
        ),
    ]
    return found, tables
