"""The budget's entries in the open-data catalogue (/datos/ and its DCAT twin), registered with
works_map.datasets from BudgetConfig.ready."""

from __future__ import annotations

from django.db.models import Max
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from gis_core.exporters import Field
from works_map.datasets import Distribution, Listing

SOURCE = gettext_noop("Secretaría de Finanzas del Estado (archivos cargados; el demo es sintético)")


def _loaded(kind: str):
    def latest():
        from budget.models import BudgetLoad

        return BudgetLoad.objects.filter(kind=kind).aggregate(m=Max("loaded_at"))["m"]

    return latest


def _count(model_name: str):
    def count() -> int:
        from budget import models

        return getattr(models, model_name).objects.count()

    return count


def _page(title, slug: str, fmt: str, media: str, table: str = "") -> Distribution:
    query = f"formato={fmt}" + (f"&tabla={table}" if table else "")
    return Distribution(title, fmt.upper(), media, "budget:page", query=query, kwargs={"slug": slug})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

LISTINGS = (
    Listing(
        "presupuesto-egresos",
        ("presupuesto", "CONAC", "egresos", "momentos contables"),
        layers=("budget",),
        updated_at=_loaded("egresos"),
        title=gettext_noop("Presupuesto de egresos (clasificaciones CONAC)"),
        description=gettext_noop(
            "Líneas del presupuesto por ramo, dependencia, finalidad.función.subfunción, capítulo, "
            "concepto y partida genérica, tipo de gasto, fuente de financiamiento y programa, con los "
            "seis momentos contables acumulados al cierre de cada trimestre."
        ),
        source=SOURCE,
        fields=(
            Field("fiscal_year, quarter", "integer", gettext_noop("Ejercicio y trimestre")),
            Field("ramo, dependencia", "text", gettext_noop("Clasificación administrativa")),
            Field("finalidad, funcion, subfuncion", "text", gettext_noop("Clasificación funcional (CONAC)")),
            Field("capitulo, concepto, partida", "text", gettext_noop("Objeto del gasto (CONAC)")),
            Field("tipo_gasto, fuente", "text", gettext_noop("Tipo de gasto y fuente de financiamiento")),
            Field("programa", "text", gettext_noop("Programa presupuestario")),
            Field("aprobado … pagado", "real", gettext_noop("Los seis momentos contables (MXN)")),
        ),
        services=(
            Distribution(
                _("API REST con filtros (JSON)"),
                "JSON",
                "application/json",
                "budget-api:lines",
                download=False,
            ),
            _page(_("Por programa (CSV)"), "gasto", "csv", "text/csv", "programas"),
            _page(_("Por función, objeto y programa (XLSX)"), "gasto", "xlsx", XLSX),
            _page(_("Por dependencia (CSV)"), "dependencias", "csv", "text/csv"),
            _page(_("Momentos por trimestre (CSV)"), "avance", "csv", "text/csv"),
        ),
        count=_count("ExpenseLine"),
    ),
    Listing(
        "presupuesto-ingresos",
        ("presupuesto", "CRI", "ingresos"),
        layers=("budget",),
        updated_at=_loaded("ingresos"),
        title=gettext_noop("Ingresos por rubro y tipo (CRI)"),
        description=gettext_noop(
            "Ingresos estimados, modificados, devengados y recaudados por rubro y tipo."
        ),
        source=SOURCE,
        fields=(
            Field("rubro, tipo", "text", gettext_noop("Clasificador por Rubros de Ingresos (CONAC)")),
            Field("estimado … recaudado", "real", gettext_noop("Momentos del ingreso (MXN)")),
        ),
        services=(
            Distribution(
                _("API REST (JSON)"), "JSON", "application/json", "budget-api:income", download=False
            ),
            _page(_("Tabla (CSV)"), "ingresos", "csv", "text/csv"),
        ),
        count=_count("IncomeLine"),
    ),
    Listing(
        "transferencias-municipios",
        ("FAIS", "FISMDF", "FORTAMUN", "participaciones", "municipios"),
        layers=("budget",),
        updated_at=_loaded("transferencias"),
        title=gettext_noop("Transferencias federales a los municipios"),
        description=gettext_noop("FISMDF, FORTAMUN y participaciones por municipio y año, y por habitante."),
        source=SOURCE,
        fields=(
            Field("municipio", "text", gettext_noop("CVEGEO del municipio")),
            Field("fund", "text", gettext_noop("Fondo")),
            Field("amount", "real", gettext_noop("Monto (MXN)")),
        ),
        services=(
            Distribution(
                _("API REST (JSON)"), "JSON", "application/json", "budget-api:transfers", download=False
            ),
            _page(_("Por municipio (CSV)"), "municipios", "csv", "text/csv"),
        ),
        count=_count("Transfer"),
    ),
)
