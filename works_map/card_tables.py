"""Every table of a report card (zone, municipio, drawn area), as gis_core.tables.Table, for the CSV
and XLSX downloads. The figures are the card's own (works_map.pages), not recomputed: what a
person downloads is what the page shows, with every category (the chart keeps the top ten) and
every work (the page shows twenty at a time).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gis_core.tables import Column, Table
from works_map.models import WorkQuerySet, WorkStatus

WORK_COLUMNS = (
    "pk",
    "folio",
    "name",
    "fiscal_year",
    "status",
    "amount_approved",
    "amount_exercised",
    "physical_progress",
)


def _breakdowns(report: dict[str, Any]) -> list[Table]:
    statuses = dict(WorkStatus.choices)
    money = [
        Column(_("Obras"), "integer"),
        Column(_("Aprobado (MXN)"), "money"),
        Column(_("Ejercido (MXN)"), "money"),
    ]

    def figures(r: dict[str, Any]) -> list[Any]:
        return [r["works"], r["aprobado"], r["ejercido"]]

    return [
        Table(
            "resumen",
            _("Resumen"),
            [Column(_("Indicador")), Column(_("Valor"), "decimal")],
            [
                [_("Obras y acciones"), report["works"]],
                [_("Inversión aprobada (MXN)"), report["aprobado"]],
                [_("Ejercido (MXN)"), report["ejercido"]],
                [_("Avance físico promedio (%)"), report["avg_physical_progress"]],
            ],
        ),
        Table(
            "por-anio",
            _("Inversión por ejercicio fiscal"),
            [Column(_("Ejercicio"), "integer"), *money],
            [[r["year"], *figures(r)] for r in report["by_year"]],
        ),
        Table(
            "por-estatus",
            _("Obras por estatus"),
            [Column(_("Clave")), Column(_("Estatus")), *money],
            [
                [r["status"], str(statuses.get(r["status"], r["status"])), *figures(r)]
                for r in report["by_status"]
            ],
        ),
        Table(
            "por-categoria",
            _("Inversión por categoría"),
            [Column(_("Clave")), Column(_("Categoría")), *money],
            [[r["code"], r["name"], *figures(r)] for r in report["by_category"]],
        ),
        Table(
            "por-dependencia",
            _("Inversión por dependencia ejecutora"),
            [Column(_("Clave")), Column(_("Siglas")), *money],
            [[r["code"], r["acronym"], *figures(r)] for r in report["by_agency"]],
        ),
        Table(
            "por-fuente",
            _("Inversión por fuente de financiamiento"),
            [Column(_("Clave")), Column(_("Fuente")), *money],
            [[r["code"], r["name"], *figures(r)] for r in report["by_funding_source"]],
            note=_("Montos de la fuente en cada obra, no el total de la obra."),
        ),
    ]


def _need(need: dict[str, Any]) -> list[Table]:
    note = _(
        "Control de divulgación: conteos redondeados a múltiplos de 5; una celda vacía es una cifra "
        "protegida porque podría identificar a un hogar."
    )
    return [
        Table(
            "carencias",
            _("Carencias sociales de los hogares"),
            [Column(_("Carencia")), Column(_("Hogares"), "integer"), Column(_("Porcentaje"), "percent")],
            [[c["label"], c["count"], c["rate"]] for c in need["carencias"]],
            note=note,
        ),
        Table(
            "pobreza",
            _("Hogares por situación de pobreza"),
            [Column(_("Situación")), Column(_("Hogares"), "integer")],
            [[c["label"], c["count"]] for c in need["classes"]],
            note=note,
        ),
    ]


def _need_investment(entry: dict[str, Any]) -> Table:
    return Table(
        "necesidad-inversion",
        _("Necesidad e inversión que la atiende"),
        [
            Column(_("Carencia")),
            Column(_("Hogares con la carencia (%)"), "percent"),
            Column(_("Inversión que la atiende (MXN)"), "money"),
            Column(_("Alta necesidad, poca inversión")),
        ],
        [
            [r["label"], r["rate"], r["investment"], _("sí") if r["high_need_low_investment"] else _("no")]
            for r in entry["rows"]
        ],
        note=_("Ejercicio fiscal %(year)s.") % {"year": entry["year"]},
    )


def works_table(works: WorkQuerySet) -> Table:
    """Every published work of the area, newest year first. One query."""
    statuses = dict(WorkStatus.choices)
    rows = works.order_by("-fiscal_year", "folio").values_list(*WORK_COLUMNS)
    return Table(
        "obras",
        _("Obras y acciones"),
        [
            Column(_("Id"), "integer"),
            Column(_("Folio")),
            Column(_("Nombre")),
            Column(_("Ejercicio"), "integer"),
            Column(_("Estatus")),
            Column(_("Aprobado (MXN)"), "money"),
            Column(_("Ejercido (MXN)"), "money"),
            Column(_("Avance físico (%)"), "percent"),
        ],
        [
            [pk, folio, name, year, str(statuses.get(s, s)), a, e, p]
            for pk, folio, name, year, s, a, e, p in rows
        ],
    )


def _figure_tables(context: dict[str, Any]) -> list[Table]:
    tables = _breakdowns(context["report"])
    if context.get("need", {}).get("households") is not None:
        tables += _need(context["need"])
    if context.get("need_investment"):
        tables.append(_need_investment(context["need_investment"]))
    return tables


def card_tables(context: dict[str, Any], works: WorkQuerySet) -> list[Table]:
    """The tables of a card rendered from `context` (pages.municipio_card / zone_card). One query
    (the works) beyond the card's own."""
    return [*_figure_tables(context), works_table(works)]


def table_index(context: dict[str, Any]) -> list[tuple[str, str]]:
    """(slug, title) of each table of the card, for its download links; no query."""
    return [(t.slug, t.title) for t in _figure_tables(context)] + [("obras", _("Obras y acciones"))]
