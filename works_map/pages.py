"""What the public pages show: the home map's choices, a work's page and the report cards.

Read-only like summaries.py, which it calls for every figure (works_breakdown, area_report,
population, household need through priority_zones.disclosure); this module only picks and shapes
them for templates and draws the charts (works_map.charts).
"""

from __future__ import annotations

import csv
import functools
import json
import re
import unicodedata
from decimal import Decimal
from typing import Any

from django.contrib.gis.db.models.functions import PointOnSurface
from django.core.paginator import Page, Paginator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gis_core.versions import layer_version
from priority_zones.disclosure import CARENCIAS, CLASSES, household_need_summary
from priority_zones.models import Localidad, Municipio, Zone
from priority_zones.reference_data import DATA_DIR as REFERENCE_DATA_DIR
from works_map import analysis, card_tables, charts, summaries
from works_map.models import (
    Agency,
    Category,
    FundingSource,
    ProgressReport,
    PublicArea,
    Work,
    WorkAgency,
    WorkStatus,
)
from works_map.models.works import STATUS_COLOURS
from works_map.need_investment import MIN_HIGH_NEED_RATE, zone_need_versus_investment

PAGE_SIZE = 20
TOP_CATEGORIES = 10

# Texts the home map's script shows, translated here so the script needs no catalogue of its own.
JS_TEXT = {
    "area_drawing": gettext_lazy(
        "Haga clic en el mapa para poner los vértices; cierre el polígono en el primero."
    ),
    "area_ready": gettext_lazy("Área trazada: %(works)s obras, %(amount)s aprobados."),
    "area_saving": gettext_lazy("Guardando…"),
    "area_saved": gettext_lazy("Área guardada. Copie el enlace para compartirla."),
    "area_error": gettext_lazy("No se pudo:"),
    "distance": gettext_lazy("Distancia"),
    "amount": gettext_lazy("Monto"),
    "progress": gettext_lazy("Avance físico"),
    "status": gettext_lazy("Estatus"),
    "year": gettext_lazy("Ejercicio"),
    "folio": gettext_lazy("Folio"),
    "exercised": gettext_lazy("Ejercido"),
    "works_here": gettext_lazy("obras en este grupo"),
    "zoom_in": gettext_lazy("Acerque el mapa para verlas una por una."),
    "nearby_none": gettext_lazy("No hay obras con estos filtros a menos de 50 km."),
    "nearby_found": gettext_lazy("Obras más cercanas a"),
    "your_location": gettext_lazy("su ubicación"),
    "map_point": gettext_lazy("el punto elegido en el mapa"),
    "locating": gettext_lazy("Buscando su ubicación…"),
    "no_geolocation": gettext_lazy(
        "No fue posible obtener su ubicación; busque un municipio o haga clic en el mapa."
    ),
    "no_places": gettext_lazy("No se encontró ese municipio, localidad ni código postal."),
    "list_count": gettext_lazy("Obras en el área visible del mapa (las más recientes primero):"),
    "list_none": gettext_lazy("No hay obras con estos filtros en el área visible del mapa."),
    "filters_applied": gettext_lazy("Filtros aplicados al mapa y a la lista."),
    "municipio_card": gettext_lazy("Ficha del municipio"),
    "zone_card": gettext_lazy("Ficha de la zona"),
    "open_work": gettext_lazy("Ver la ficha de la obra"),
    "no_data": gettext_lazy("Sin obras"),
    "per_inhabitant_note": gettext_lazy(
        "Monto aprobado de las obras publicadas entre la población 2020 (INEGI), por quintiles."
    ),
    "error": gettext_lazy("No se pudieron cargar los datos; inténtelo de nuevo."),
}


def visible_works(user):
    """Works on public pages: unpublished works only for staff roles (decided in works_map.access)."""
    from works_map.access import visible_works as gate

    return gate(user)


def _fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFD", text.casefold()) if unicodedata.category(c) != "Mn"
    )


# --- home ------------------------------------------------------------------------------------------


def home_options() -> dict[str, Any]:
    """Choices of the map filters. The lists read from the database are cached until works, zones or
    municipios change (analysis.cached keys on the works' and zones' layer versions, which catalogue
    writes bump too; the municipios' version is added here): at a million works the distinct years
    and executing agencies take a scan of every work, which every visitor's home page paid."""
    municipios = {"municipios": str(layer_version("municipios"))}
    return {
        "js_text": {key: str(text) for key, text in JS_TEXT.items()},
        "statuses": WorkStatus.choices,
        "status_colours": STATUS_COLOURS,
        **analysis.cached("home-options", municipios, _home_choices),
    }


def _home_choices() -> dict[str, Any]:
    """Queries: years, zone years, rubros, agencies, sources, municipios."""
    published = Work.objects.published().order_by()
    municipios = Municipio.objects.annotate(centre=PointOnSurface("geom")).order_by("name")
    agencies = (
        Agency.objects.filter(work_roles__role=WorkAgency.Role.EJECUTORA, work_roles__work__published=True)
        .distinct()
        .order_by("acronym")
    )
    return {
        "years": sorted(set(published.values_list("fiscal_year", flat=True).distinct()), reverse=True),
        "zone_years": sorted(
            set(Zone.objects.published().order_by().values_list("fiscal_year", flat=True).distinct()),
            reverse=True,
        ),
        "categories": list(
            Category.objects.filter(level=Category.Level.RUBRO).order_by("name").values("code", "name")
        ),
        "agencies": list(agencies.values("code", "acronym", "name")),
        "sources": list(FundingSource.objects.order_by("name").values("code", "name")),
        "municipios": [
            {
                "cvegeo": m.cvegeo,
                "name": m.name,
                "population": m.population_2020,
                "lon": round(m.centre.x, 5),
                "lat": round(m.centre.y, 5),
            }
            for m in municipios.only("cvegeo", "name", "population_2020")
        ],
    }


POSTAL_CODES_CSV = REFERENCE_DATA_DIR / "codigos_postales_gto.csv"
POSTAL_CODE = re.compile(r"\d{5}")


@functools.cache  # a committed file: read once per process
def postal_codes() -> dict[str, tuple[str, ...]]:
    """{postal code: INEGI codes of the municipios it serves} (SEPOMEX, priority_zones/data/README.md)."""
    found: dict[str, list[str]] = {}
    with POSTAL_CODES_CSV.open(encoding="utf-8") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            found.setdefault(row["cp"], []).append(row["cvegeo_mun"])
    return {cp: tuple(codes) for cp, codes in found.items()}


def postal_code_search(code: str) -> list[dict[str, Any]]:
    """The municipio(s) of a postal code, at their representative point (kind "cp"). One query, or
    none for a code that is not Guanajuato's."""
    cvegeos = postal_codes().get(code, ())
    if not cvegeos:
        return []
    municipios = (
        Municipio.objects.filter(cvegeo__in=cvegeos)
        .annotate(centre=PointOnSurface("geom"))
        .only("cvegeo", "name")
        .order_by("name")
    )
    return [
        _place(
            {
                "kind": "cp",
                "cvegeo": m.cvegeo,
                "cp": code,
                "name": _("C.P. %(cp)s, %(municipio)s") % {"cp": code, "municipio": m.name},
                "centre": m.centre,
            }
        )
        for m in municipios
    ]


def place_search(query: str, limit: int = 10) -> list[dict[str, Any]]:
    """Municipios and localidades whose name contains `query` (accents and case ignored), two
    queries; a five-digit query is a postal code (postal_code_search)."""
    if POSTAL_CODE.fullmatch(query.strip()):
        return postal_code_search(query.strip())
    wanted = _fold(query.strip())
    if len(wanted) < 2:
        return []
    found = []
    for m in Municipio.objects.annotate(centre=PointOnSurface("geom")).only("cvegeo", "name"):
        if wanted in _fold(m.name):
            found.append({"kind": "municipio", "cvegeo": m.cvegeo, "name": m.name, "centre": m.centre})
    # Localidad names are matched in the database: there are thousands.
    localidades = (
        Localidad.objects.filter(name__icontains=query.strip())
        .select_related("municipio")
        .only("cvegeo", "name", "point", "geom", "municipio__name")[:limit]
    )
    for loc in localidades:
        centre = loc.point or loc.geom.point_on_surface  # type: ignore[union-attr] # one is set (constraint)
        found.append(
            {
                "kind": "localidad",
                "cvegeo": loc.cvegeo,
                "name": f"{loc.name}, {loc.municipio.name}",
                "centre": centre,
            }
        )
    return [_place(row) for row in found[:limit]]


def _place(row: dict[str, Any]) -> dict[str, Any]:
    centre = row.pop("centre")
    return {**row, "lon": round(centre.x, 5), "lat": round(centre.y, 5)}


# --- a work's page -----------------------------------------------------------------------------------


def _timeline(work: Work, reports: list[ProgressReport]) -> list[dict[str, Any]]:
    """Dated events of the work's life, oldest first; the current status closes it."""
    events = [
        (work.planned_start, _("Inicio programado")),
        (work.actual_start, _("Inicio real")),
        (work.planned_end, _("Término programado")),
        (work.actual_end, _("Término real")),
        *((r.reported_on, _("Reporte de avance: %(p)s %% físico") % {"p": r.physical_pct}) for r in reports),
    ]
    dated = sorted(((d, label) for d, label in events if d is not None), key=lambda event: event[0])
    return [{"date": d, "label": label} for d, label in dated]


def work_page(work: Work) -> dict[str, Any]:
    """Queries: agencies, funding, approved reports, zones containing the work's point."""
    agencies = list(work.agency_roles.select_related("agency").order_by("role", "agency__acronym"))
    funding = list(work.funding.select_related("source").order_by("-amount_approved"))
    reports = list(work.progress_reports.filter(state=ProgressReport.State.APPROVED).order_by("reported_on"))
    zones = list(
        Zone.objects.published().containing(work.point).order_by("-fiscal_year", "kind") if work.point else []
    )
    chart = None
    if reports:
        chart = charts.progress_lines(
            [(r.reported_on, r.physical_pct, r.financial_pct) for r in reports],
            title=_("Avance físico y financiero de la obra"),
            desc=_("Avance aprobado en %(n)s reportes, del %(a)s al %(b)s.")
            % {
                "n": len(reports),
                "a": reports[0].reported_on.strftime("%d/%m/%Y"),
                "b": reports[-1].reported_on.strftime("%d/%m/%Y"),
            },
            labels=(_("Avance físico"), _("Avance financiero")),
        )
    total = sum((f.amount_approved for f in funding), Decimal("0"))
    return {
        "work": work,
        "executors": [a for a in agencies if a.role == WorkAgency.Role.EJECUTORA],
        "other_agencies": [a for a in agencies if a.role != WorkAgency.Role.EJECUTORA],
        "funding": [
            {"row": f, "share": (f.amount_approved * 100 / total) if total else None} for f in funding
        ],
        "funding_total": total,
        "reports": reports,
        "progress_chart": chart,
        "timeline": _timeline(work, reports),
        "zones": zones,
        "status_colour": STATUS_COLOURS.get(work.status, "#636363"),
        "geometry": json.loads(work.geom.json),
    }


# --- report cards --------------------------------------------------------------------------------------


def _money_label(value: str | Decimal) -> str:
    from works_map.templatetags.mx import mxn_short

    return mxn_short(value)


def _charts(report: dict[str, Any]) -> dict[str, Any]:
    statuses = dict(WorkStatus.choices)
    by_category = sorted(report["by_category"], key=lambda r: Decimal(r["aprobado"]), reverse=True)
    shown = by_category[:TOP_CATEGORIES]
    rest = by_category[TOP_CATEGORIES:]
    if rest:
        shown.append(
            {
                "name": _("Otras categorías (%(n)s)") % {"n": len(rest)},
                "aprobado": str(sum(Decimal(r["aprobado"]) for r in rest)),
                "works": sum(r["works"] for r in rest),
            }
        )
    by_status = [{**r, "label": str(statuses.get(r["status"], r["status"]))} for r in report["by_status"]]
    return {
        "category_rows": shown,
        "status_rows": by_status,
        "by_year_chart": charts.vbars(
            [
                (str(r["year"]), Decimal(r["aprobado"]), _money_label(r["aprobado"]))
                for r in report["by_year"]
            ],
            title=_("Inversión aprobada por ejercicio fiscal"),
            desc=_("Suma del monto aprobado de las obras publicadas, por año."),
        )
        if report["by_year"]
        else None,
        "by_category_chart": charts.hbars(
            [(r["name"], Decimal(r["aprobado"]), _money_label(r["aprobado"])) for r in shown],
            title=_("Inversión aprobada por categoría"),
            desc=_("Las categorías con más inversión; el resto, sumado en una barra."),
        )
        if shown
        else None,
        "by_status_chart": charts.hbars(
            [(r["label"], r["works"], str(r["works"])) for r in by_status],
            title=_("Obras por estatus"),
            desc=_("Número de obras publicadas en cada estatus."),
            colours=[STATUS_COLOURS.get(r["status"], "#636363") for r in by_status],
        )
        if by_status
        else None,
    }


def _need_labels() -> dict[str, str]:
    return {
        "rezago_educativo": _("Rezago educativo"),
        "acceso_salud": _("Sin acceso a servicios de salud"),
        "seguridad_social": _("Sin acceso a la seguridad social"),
        "calidad_vivienda": _("Calidad y espacios de la vivienda"),
        "servicios_basicos": _("Servicios básicos en la vivienda"),
        "alimentacion": _("Alimentación nutritiva y de calidad"),
        "pobreza_extrema": _("Pobreza extrema"),
        "pobreza_moderada": _("Pobreza moderada"),
        "vulnerable_carencias": _("Vulnerable por carencias"),
        "vulnerable_ingresos": _("Vulnerable por ingresos"),
        "no_pobre": _("No pobre ni vulnerable"),
        "indeterminado": _("Sin determinar"),
    }


def _need_rows(need: dict[str, Any]) -> dict[str, Any]:
    labels = _need_labels()
    return {
        "households": need["households"],
        "suppressed": need["suppressed"],
        "carencias": [{"label": labels[c], **need["carencias"][c]} for c in CARENCIAS],
        "classes": [{"label": labels[c], "count": need["classes"][c]} for c in CLASSES],
    }


def need_rows(need: dict[str, Any]) -> dict[str, Any]:
    """The household-need figures labelled for a card (public: the drawn-area workbook uses them)."""
    return _need_rows(need)


def _need_investment(zone: Zone) -> dict[str, Any]:
    """Household need next to the investment addressing it, for one zone (one query, through
    works_map.need_investment; rates already disclosure-controlled)."""
    entry = zone_need_versus_investment(zone)
    labels = _need_labels()
    withheld = str(_("protegido"))
    rows = [{"carencia": c, "label": labels[c], **entry["carencias"][c]} for c in CARENCIAS]
    chart = charts.paired_hbars(
        [
            (
                r["label"],
                r["rate"],
                withheld if r["rate"] is None else f"{r['rate']} %",
                r["investment"],
                _money_label(r["investment"]),
                r["high_need_low_investment"],
            )
            for r in rows
        ],
        title=_("Necesidad de los hogares e inversión que la atiende"),
        desc=_(
            "Para cada carencia social: porcentaje de hogares diagnosticados que la tienen y monto "
            "aprobado en %(year)s de las obras cuya categoría la atiende."
        )
        % {"year": zone.fiscal_year},
        labels=(_("Hogares con la carencia"), _("Inversión que la atiende")),
        flag_text=_("Alta necesidad, poca inversión"),
    )
    return {
        "year": zone.fiscal_year,
        "rows": rows,
        "flagged": any(r["high_need_low_investment"] for r in rows),
        "chart": chart,
        "min_rate": MIN_HIGH_NEED_RATE,
    }


def _paginate(works, page_number: str | None) -> Page:
    return Paginator(works.order_by("-fiscal_year", "folio"), PAGE_SIZE).get_page(page_number)


def municipio_works(municipio: Municipio):
    """The works a municipio's card, map and downloads count: published, by their registered municipio."""
    return visible_works(None).filter(municipio=municipio)


def zone_works(zone: Zone):
    """The works a zone's card, map and downloads count: published, their point in the zone."""
    return summaries.works_in_area(zone.geom, visible_works(None))


def municipio_card(municipio: Municipio, page_number: str | None) -> dict[str, Any]:
    """Works by their registered municipio (as the home choropleth), population from the 2020 census."""
    works = municipio_works(municipio)
    report = summaries.works_breakdown(works)
    people = municipio.population_2020
    per_inhabitant = {k: Decimal(report[k]) / people for k in ("aprobado", "ejercido")} if people else None
    context = {
        "area": municipio,
        "report": report,
        "population": people,
        "population_note": _("INEGI, Censo de Población y Vivienda 2020"),
        "per_inhabitant": per_inhabitant,
        "need": _need_rows(household_need_summary(municipio.geom)),
        "page": _paginate(works, page_number),
        "zones": Zone.objects.published().filter(municipio=municipio).order_by("-fiscal_year", "kind")[:50],
        **_charts(report),
    }
    context["download_tables"] = card_tables.table_index(context)
    return context


def population_note(population: dict[str, Any]) -> str:
    """How a report card's population was obtained (priority_zones.population names the method)."""
    method = population["method"]
    if method.startswith("raster:"):
        return _("Estimada sumando las celdas de la rejilla de población %(r)s (cobertura %(c)s %%)") % {
            "r": method.removeprefix("raster:"),
            "c": round(population["coverage"] * 100, 1),
        }
    units = {"ageb": _("AGEB urbana"), "localidad": _("localidad"), "municipio": _("municipio")}
    return _("Estimada por ponderación de área a partir del Censo 2020 por %(u)s") % {
        "u": units.get(population.get("units", ""), population.get("units", ""))
    }


def zone_card(zone: Zone, page_number: str | None) -> dict[str, Any]:
    """A zone's works are those whose point lies in it (summaries.area_report)."""
    report = summaries.area_report(zone.geom)
    people = zone.population or report["population"]["value"]
    per_inhabitant = {k: Decimal(report[k]) / people for k in ("aprobado", "ejercido")} if people else None
    context = {
        "area": zone,
        "report": report,
        "population": people,
        "population_note": _("Población de la declaratoria")
        if zone.population
        else population_note(report["population"]),
        "per_inhabitant": per_inhabitant,
        "need": _need_rows(report["household_needs"]),
        "need_investment": _need_investment(zone),
        "page": _paginate(zone_works(zone), page_number),
        **_charts(report),
    }
    context["download_tables"] = card_tables.table_index(context)
    return context


def area_card(area: PublicArea, page_number: str | None) -> dict[str, Any]:
    """A saved public area: the zone card's pieces over its polygon (summaries.area_report, whose
    population comes from priority_zones.population.population_in)."""
    report = summaries.area_report(area.geom)
    people = report["population"]["value"]
    per_inhabitant = {k: Decimal(report[k]) / people for k in ("aprobado", "ejercido")} if people else None
    return {
        "area": area,
        "report": report,
        "population": people,
        "population_note": population_note(report["population"]),
        "per_inhabitant": per_inhabitant,
        "need": _need_rows(report["household_needs"]),
        "page": _paginate(summaries.works_in_area(area.geom, visible_works(None)), page_number),
        **_charts(report),
    }
