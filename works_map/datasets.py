"""The open-data registry: every dataset the site publishes, its fields and its formats.

One entry per dataset drives the catalogue page (/datos/), its data dictionary and the DCAT-US
catalogue (/datos/catalogo.json); a new format of a dataset is one Distribution more, a new dataset
one entry more (and the catalogue tests check every download answers). Freshness comes from the
layer versions (gis_core.versions, bumped by every action that writes) and the rows' updated_at,
size from a row count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gis_core.models import LayerVersion
from priority_zones.models import Municipio, Zone
from works_map.models import Agency, Category, FundingSource, Work


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # texto, entero, decimal, fecha, geometría, booleano
    meaning: Promise | str
    source: Promise | str


@dataclass(frozen=True)
class Distribution:
    """A format of a dataset. `download` is a whole file (DCAT downloadURL); otherwise an API whose
    pages or queries the client follows (DCAT accessURL)."""

    title: Promise | str
    format: str
    media_type: str
    url_name: str
    query: str = ""
    download: bool = True
    kwargs: dict[str, Any] = field(default_factory=dict)

    def path(self) -> str:
        url = reverse(self.url_name, kwargs=self.kwargs or None)
        return f"{url}?{self.query}" if self.query else url


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: Promise | str
    description: Promise | str
    keywords: tuple[str, ...]
    fields: tuple[Field, ...]
    distributions: tuple[Distribution, ...]
    count: Callable[[], int]
    layers: tuple[str, ...] = ()
    updated_at: Callable[[], dt.datetime | None] | None = None
    licence: str = "site"  # "site" (settings.DATA_LICENSE_URL) or "inegi"
    source: Promise | str = ""

    def modified(self) -> dt.datetime | None:
        """The latest of the layer versions' bumps and the rows' own updated_at. Queries: 1–2."""
        found = []
        if self.layers:
            found.append(
                LayerVersion.objects.filter(name__in=self.layers).aggregate(m=Max("updated_at"))["m"]
            )
        if self.updated_at is not None:
            found.append(self.updated_at())
        dates = [d for d in found if d is not None]
        return max(dates) if dates else None


INEGI_TERMS = "https://www.inegi.org.mx/inegi/terminos.html"
SYNTHETIC = _("Datos sintéticos de demostración generados por este sitio (no oficiales)")
INEGI_MG = _("INEGI, Marco Geoestadístico")
CENSO = _("INEGI, Censo de Población y Vivienda 2020")


def licence_url(dataset: Dataset) -> str:
    return INEGI_TERMS if dataset.licence == "inegi" else settings.DATA_LICENSE_URL


def _latest(model, **filters) -> Callable[[], dt.datetime | None]:
    return lambda: model.objects.filter(**filters).aggregate(m=Max("updated_at"))["m"]


WORK_FIELDS = (
    Field("id", "entero", _("Identificador de la obra en este sitio"), _("Territorio Abierto")),
    Field("folio", "texto", _("Folio de la obra asignado por la dependencia"), SYNTHETIC),
    Field("fiscal_year", "entero", _("Ejercicio fiscal en que se aprobó"), SYNTHETIC),
    Field("name", "texto", _("Nombre de la obra o acción"), SYNTHETIC),
    Field(
        "status",
        "texto",
        _("Estatus en el ciclo de la obra pública (PLANEACION … CERRADA, CANCELADA)"),
        _("Ley de Obra Pública del Estado de Guanajuato; datos sintéticos"),
    ),
    Field(
        "category", "texto", _("Clave de la categoría (rubro, subrubro o tema)"), _("Catálogo de categorías")
    ),
    Field("municipio", "texto", _("CVEGEO de 5 dígitos del municipio donde se registró"), INEGI_MG),
    Field("amount_approved", "decimal", _("Monto aprobado en pesos (MXN)"), SYNTHETIC),
    Field("amount_exercised", "decimal", _("Monto ejercido en pesos (MXN)"), SYNTHETIC),
    Field("physical_progress", "decimal", _("Avance físico en porcentaje (0–100)"), SYNTHETIC),
    Field(
        "lon, lat",
        "decimal",
        _("Punto representativo de la obra, WGS 84 (solo CSV)"),
        _("Calculado por PostGIS"),
    ),
    Field("geometry", "geometría", _("Punto, línea o polígono de la obra, WGS 84 (GeoJSON)"), SYNTHETIC),
)

ZONE_FIELDS = (
    Field("id", "entero", _("Identificador de la zona en este sitio"), _("Territorio Abierto")),
    Field(
        "kind",
        "texto",
        _("Tipo: ZAP urbana, ZAP rural, zona impulso o zona trazada"),
        _("DOF; datos sintéticos"),
    ),
    Field("fiscal_year", "entero", _("Ejercicio fiscal de la declaratoria"), _("DOF")),
    Field("cvegeo", "texto", _("CVEGEO del AGEB o municipio declarado, si lo hay"), INEGI_MG),
    Field("name", "texto", _("Nombre de la zona"), _("DOF; datos sintéticos")),
    Field("municipio", "texto", _("CVEGEO del municipio de la zona"), INEGI_MG),
    Field("geometry", "geometría", _("Polígono de la zona, WGS 84"), INEGI_MG),
)

MUNICIPIO_FIELDS = (
    Field("cvegeo", "texto", _("Clave geoestadística de 5 dígitos (11 = Guanajuato)"), INEGI_MG),
    Field("name", "texto", _("Nombre del municipio"), INEGI_MG),
    Field("population_2020", "entero", _("Población total en 2020"), CENSO),
    Field("geometry", "geometría", _("Límite municipal, WGS 84"), INEGI_MG),
)

INVESTMENT_FIELDS = (
    Field("id", "entero", _("Id de la zona o del municipio"), _("Territorio Abierto")),
    Field("kind", "texto", _("Tipo de zona (solo por zona)"), _("DOF; datos sintéticos")),
    Field("cvegeo", "texto", _("CVEGEO del área"), INEGI_MG),
    Field("name", "texto", _("Nombre del área"), INEGI_MG),
    Field(
        "outside",
        "booleano",
        _("Fila de las obras fuera de toda zona (solo por zona)"),
        _("Territorio Abierto"),
    ),
    Field("works", "entero", _("Obras publicadas cuyo punto cae en el área"), _("Calculado")),
    Field("aprobado", "decimal", _("Suma del monto aprobado (MXN)"), _("Calculado")),
    Field("ejercido", "decimal", _("Suma del monto ejercido (MXN)"), _("Calculado")),
)

NEED_FIELDS = (
    Field("zona_id, tipo, cvegeo, nombre, municipio", "texto", _("La zona"), _("Territorio Abierto")),
    Field("hogares", "entero", _("Hogares diagnosticados, redondeado a múltiplos de 5"), SYNTHETIC),
    Field(
        "suprimido",
        "entero",
        _("1 si la zona tiene muy pocos hogares para publicar cifras"),
        _("Control de divulgación"),
    ),
    Field(
        "<carencia>_pct",
        "entero",
        _("Porcentaje de hogares con la carencia (vacío: protegido)"),
        _("CONEVAL; datos sintéticos"),
    ),
    Field(
        "<carencia>_inversion",
        "decimal",
        _("Monto aprobado del año en obras que atienden la carencia"),
        _("Calculado"),
    ),
    Field("<carencia>_alerta", "entero", _("1: alta necesidad y poca inversión"), _("Calculado")),
)

CATALOGUE_FIELDS = (
    Field("code", "texto", _("Clave"), _("Catálogos del sitio")),
    Field("name / acronym", "texto", _("Nombre o siglas"), _("Catálogos del sitio")),
)


def _latest_of(*getters: Callable[[], dt.datetime | None]) -> Callable[[], dt.datetime | None]:
    def latest() -> dt.datetime | None:
        dates = [d for d in (g() for g in getters) if d is not None]
        return max(dates) if dates else None

    return latest


WORKS_UPDATED = _latest(Work, published=True)
ZONES_UPDATED = _latest(Zone, status=Zone.Status.PUBLISHED)


def _need_year() -> str:
    year = Zone.objects.published().order_by("-fiscal_year").values_list("fiscal_year", flat=True).first()
    return f"year={year or dt.date.today().year}"


DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "obras",
        _("Obras y acciones"),
        _(
            "Obras y acciones públicas publicadas: folio, ejercicio, estatus, categoría, municipio, "
            "montos y avance."
        ),
        ("obra pública", "inversión", "FAIS", "Guanajuato"),
        WORK_FIELDS,
        (
            Distribution(
                _("Todas las obras (GeoJSON)"), "GeoJSON", "application/geo+json", "api:export-geojson"
            ),
            Distribution(_("Todas las obras (CSV con lon/lat)"), "CSV", "text/csv", "api:export-csv"),
            Distribution(
                _("OGC API – Features"),
                "GeoJSON",
                "application/geo+json",
                "ogc:items",
                download=False,
                kwargs={"collection_id": "works"},
            ),
            Distribution(
                _("API REST (JSON, paginada)"), "JSON", "application/json", "api:work-list", download=False
            ),
        ),
        lambda: Work.objects.published().count(),
        layers=("works",),
        updated_at=WORKS_UPDATED,
        source=SYNTHETIC,
    ),
    Dataset(
        "zonas",
        _("Zonas de atención prioritaria y zonas de intervención"),
        _("Zonas publicadas: ZAP rurales y urbanas declaradas en el DOF, zonas impulso y zonas trazadas."),
        ("ZAP", "zonas prioritarias", "Guanajuato"),
        ZONE_FIELDS,
        (
            Distribution(
                _("OGC API – Features"),
                "GeoJSON",
                "application/geo+json",
                "ogc:items",
                download=False,
                kwargs={"collection_id": "zones"},
            ),
            Distribution(
                _("API REST (JSON, paginada)"), "JSON", "application/json", "api:zone-list", download=False
            ),
        ),
        lambda: Zone.objects.published().count(),
        layers=("zones",),
        updated_at=ZONES_UPDATED,
        source=_("DOF, 21 de noviembre de 2025 (ZAP rurales 2026); otras zonas: datos sintéticos"),
    ),
    Dataset(
        "municipios",
        _("Municipios de Guanajuato"),
        _("Los 46 municipios con su límite y su población del Censo 2020."),
        ("municipios", "límites", "población", "INEGI"),
        MUNICIPIO_FIELDS,
        (
            Distribution(
                _("OGC API – Features"),
                "GeoJSON",
                "application/geo+json",
                "ogc:items",
                download=False,
                kwargs={"collection_id": "municipios"},
            ),
            Distribution(_("API REST (JSON)"), "JSON", "application/json", "api:municipio-list"),
        ),
        lambda: Municipio.objects.count(),
        layers=("municipios",),
        licence="inegi",
        source=INEGI_MG,
    ),
    Dataset(
        "inversion-por-zona",
        _("Inversión por zona"),
        _(
            "Obras y montos aprobado y ejercido de cada zona publicada, y la fila de las obras fuera "
            "de toda zona."
        ),
        ("inversión", "ZAP", "resumen"),
        INVESTMENT_FIELDS,
        (
            Distribution(_("Tabla (CSV)"), "CSV", "text/csv", "api:investment-csv", query="by=zone"),
            Distribution(_("Tabla (JSON)"), "JSON", "application/json", "api:investment", query="by=zone"),
        ),
        lambda: Zone.objects.published().count() + 1,
        layers=("works", "zones"),
        updated_at=_latest_of(WORKS_UPDATED, ZONES_UPDATED),
    ),
    Dataset(
        "inversion-por-municipio",
        _("Inversión por municipio"),
        _("Obras y montos aprobado y ejercido por municipio de registro."),
        ("inversión", "municipios", "resumen"),
        INVESTMENT_FIELDS,
        (
            Distribution(_("Tabla (CSV)"), "CSV", "text/csv", "api:investment-csv", query="by=municipio"),
            Distribution(
                _("Tabla (JSON)"), "JSON", "application/json", "api:investment", query="by=municipio"
            ),
        ),
        lambda: Municipio.objects.count(),
        layers=("works", "municipios"),
        updated_at=WORKS_UPDATED,
    ),
    Dataset(
        "necesidad-e-inversion",
        _("Necesidad de los hogares e inversión por zona"),
        _(
            "Por zona y carencia social: porcentaje de hogares con la carencia (con control de divulgación) "
            "y monto aprobado del año en obras que la atienden."
        ),
        ("carencias sociales", "CONEVAL", "necesidad", "inversión"),
        NEED_FIELDS,
        (
            Distribution(
                _("Tabla (CSV)"), "CSV", "text/csv", "works_map:need-investment", query="format=csv"
            ),
            Distribution(_("Tabla (JSON)"), "JSON", "application/json", "works_map:need-investment"),
        ),
        lambda: Zone.objects.published().count(),
        layers=("zones", "works", "need"),
        updated_at=_latest_of(WORKS_UPDATED, ZONES_UPDATED),
        source=_("Diagnósticos de hogares (sintéticos), agregados y protegidos"),
    ),
    Dataset(
        "catalogos",
        _("Catálogos: categorías, dependencias y fuentes de financiamiento"),
        _("Las claves con que las obras nombran su categoría, su dependencia ejecutora y sus fuentes."),
        ("catálogos", "dependencias", "fuentes de financiamiento"),
        CATALOGUE_FIELDS,
        (
            Distribution(_("Categorías (JSON)"), "JSON", "application/json", "api:category-list"),
            Distribution(_("Dependencias (JSON)"), "JSON", "application/json", "api:agency-list"),
            Distribution(
                _("Fuentes de financiamiento (JSON)"), "JSON", "application/json", "api:funding-source-list"
            ),
        ),
        lambda: Category.objects.count() + Agency.objects.count() + FundingSource.objects.count(),
        layers=("works",),  # a catalogue edit bumps the works layer (works_map.actions)
        updated_at=WORKS_UPDATED,
    ),
)


def dataset_path(dataset: Dataset, distribution: Distribution) -> str:
    """The distribution's path, with the need table's year filled in (it needs one)."""
    path = distribution.path()
    if distribution.url_name == "works_map:need-investment":
        path += ("&" if "?" in path else "?") + _need_year()
    return path
