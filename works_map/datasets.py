"""What the open-data catalogue (/datos/, /datos/catalogo.json) adds to the export registry.

Each exported dataset — its title, description, source, licence, fields and file formats — is
declared once, in works_map.exports.DATASETS (gis_core.exporters.Dataset); the catalogue lists
every one of them, every format it downloads in and its fields as the data dictionary. A `Listing`
adds only what the export registry does not know, keyed by the export's name: the anchor of the
dataset on the page, its keywords, the APIs and OGC services over the same data (DCAT accessURL),
and its freshness (the layer versions, bumped by every action that writes, and the rows'
updated_at). The row count is the export selection's own.

A few datasets of the catalogue are not exports (summaries and the catalogues of codes): their
listing carries its own title, fields and distributions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from gis_core.exporters import Field
from gis_core.models import LayerVersion
from gis_core.ogc_tiles import TMS_ID
from priority_zones.exports import INEGI_MG
from priority_zones.models import Municipio, Zone
from works_map.exports import CALCULATED
from works_map.models import Agency, Category, FundingSource, Work


@dataclass(frozen=True)
class Distribution:
    """A way to get a dataset besides the export files. `download` is a whole file (DCAT
    downloadURL); otherwise an API whose pages or queries the client follows (DCAT accessURL)."""

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
class Listing:
    """One dataset of the catalogue. With `export` (a name of works_map.exports.DATASETS) its title,
    description, source, licence, fields, files and row count are the export's; `services` are the
    APIs over the same data. Without it (a dataset that is not exported) the listing declares its
    own title, description, fields and distributions (`services`), and how to count its rows."""

    slug: str  # the anchor on /datos/ and the end of the DCAT identifier
    keywords: tuple[str, ...]
    layers: tuple[str, ...] = ()
    updated_at: Callable[[], dt.datetime | None] | None = None
    export: str = ""
    services: tuple[Distribution, ...] = ()
    # Only for a dataset that is not exported:
    title: str = ""
    description: str = ""
    source: str = ""
    fields: tuple[Field, ...] = ()
    count: Callable[[], int] | None = None

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


def _latest(model, **filters) -> Callable[[], dt.datetime | None]:
    return lambda: model.objects.filter(**filters).aggregate(m=Max("updated_at"))["m"]


def _latest_of(*getters: Callable[[], dt.datetime | None]) -> Callable[[], dt.datetime | None]:
    def latest() -> dt.datetime | None:
        dates = [d for d in (g() for g in getters) if d is not None]
        return max(dates) if dates else None

    return latest


WORKS_UPDATED = _latest(Work, published=True)
ZONES_UPDATED = _latest(Zone, status=Zone.Status.PUBLISHED)


def _ogc(collection: str) -> tuple[Distribution, Distribution]:
    return (
        Distribution(
            _("OGC API – Features"),
            "GeoJSON",
            "application/geo+json",
            "ogc:items",
            download=False,
            kwargs={"collection_id": collection},
        ),
        Distribution(
            _("OGC API – Tiles (teselas vectoriales MVT)"),
            "JSON",
            "application/json",
            "ogc:tileset",
            download=False,
            kwargs={"collection_id": collection, "tms_id": TMS_ID},
        ),
    )


def _need_year() -> str:
    year = Zone.objects.published().order_by("-fiscal_year").values_list("fiscal_year", flat=True).first()
    return f"year={year or dt.date.today().year}"


# Fields of the datasets that are not exports (gettext_noop: translated when the page is shown).
INVESTMENT_FIELDS = (
    Field("id", "integer", gettext_noop("Id de la zona o del municipio")),
    Field("kind", "text", gettext_noop("Tipo de zona (solo por zona)")),
    Field("cvegeo", "text", gettext_noop("CVEGEO del área"), source=INEGI_MG),
    Field("name", "text", gettext_noop("Nombre del área")),
    Field("outside", "boolean", gettext_noop("Fila de las obras fuera de toda zona (solo por zona)")),
    Field("works", "integer", gettext_noop("Obras publicadas cuyo punto cae en el área")),
    Field("aprobado", "real", gettext_noop("Suma del monto aprobado (MXN)")),
    Field("ejercido", "real", gettext_noop("Suma del monto ejercido (MXN)")),
)

NEED_INVESTMENT_FIELDS = (
    Field("zona_id, tipo, cvegeo, nombre, municipio", "text", gettext_noop("La zona")),
    Field(
        "hogares",
        "integer",
        gettext_noop("Hogares diagnosticados, redondeado a múltiplos de 5"),
        source=gettext_noop("Diagnósticos de hogares, con control de divulgación"),
    ),
    Field("suprimido", "integer", gettext_noop("1 si la zona tiene muy pocos hogares para publicar cifras")),
    Field(
        "<carencia>_pct",
        "integer",
        gettext_noop("Porcentaje de hogares con la carencia (vacío: protegido)"),
        source=gettext_noop("Diagnósticos de hogares, con control de divulgación"),
    ),
    Field(
        "<carencia>_inversion",
        "real",
        gettext_noop("Monto aprobado del año en obras que atienden la carencia"),
    ),
    Field("<carencia>_alerta", "integer", gettext_noop("1: alta necesidad y poca inversión")),
)

CODE_FIELDS = (
    Field("code", "text", gettext_noop("Clave")),
    Field("name / acronym", "text", gettext_noop("Nombre o siglas")),
)

LISTINGS: tuple[Listing, ...] = (
    Listing(
        "obras",
        ("obra pública", "inversión", "FAIS", "Guanajuato"),
        layers=("works",),
        updated_at=WORKS_UPDATED,
        export="works",
        services=(
            *_ogc("works"),
            Distribution(
                _("API REST (JSON, paginada)"), "JSON", "application/json", "api:work-list", download=False
            ),
        ),
    ),
    Listing(
        "zonas",
        ("ZAP", "zonas prioritarias", "Guanajuato"),
        layers=("zones",),
        updated_at=ZONES_UPDATED,
        export="zones",
        services=(
            *_ogc("zones"),
            Distribution(
                _("API REST (JSON, paginada)"), "JSON", "application/json", "api:zone-list", download=False
            ),
        ),
    ),
    Listing(
        "municipios",
        ("municipios", "límites", "población", "INEGI"),
        layers=("municipios",),
        export="municipios",
        services=(
            *_ogc("municipios"),
            Distribution(_("API REST (JSON)"), "JSON", "application/json", "api:municipio-list"),
        ),
    ),
    Listing(
        "necesidad-por-zona",
        ("carencias sociales", "CONEVAL", "pobreza", "ZAP"),
        layers=("zones", "need"),
        updated_at=ZONES_UPDATED,
        export="need",
    ),
    Listing(
        "necesidad-por-municipio",
        ("carencias sociales", "CONEVAL", "pobreza", "municipios"),
        layers=("municipios", "need"),
        export="need_municipios",
    ),
    Listing(
        "inversion-por-zona",
        ("inversión", "ZAP", "resumen"),
        layers=("works", "zones"),
        updated_at=_latest_of(WORKS_UPDATED, ZONES_UPDATED),
        title=gettext_noop("Inversión por zona"),
        description=gettext_noop(
            "Obras y montos aprobado y ejercido de cada zona publicada, y la fila de las obras fuera "
            "de toda zona."
        ),
        source=CALCULATED,
        fields=INVESTMENT_FIELDS,
        services=(
            Distribution(_("Tabla (CSV)"), "CSV", "text/csv", "api:investment-csv", query="by=zone"),
            Distribution(_("Tabla (JSON)"), "JSON", "application/json", "api:investment", query="by=zone"),
        ),
        count=lambda: Zone.objects.published().count() + 1,
    ),
    Listing(
        "inversion-por-municipio",
        ("inversión", "municipios", "resumen"),
        layers=("works", "municipios"),
        updated_at=WORKS_UPDATED,
        title=gettext_noop("Inversión por municipio"),
        description=gettext_noop("Obras y montos aprobado y ejercido por municipio de registro."),
        source=CALCULATED,
        fields=INVESTMENT_FIELDS,
        services=(
            Distribution(_("Tabla (CSV)"), "CSV", "text/csv", "api:investment-csv", query="by=municipio"),
            Distribution(
                _("Tabla (JSON)"), "JSON", "application/json", "api:investment", query="by=municipio"
            ),
        ),
        count=lambda: Municipio.objects.count(),
    ),
    Listing(
        "necesidad-e-inversion",
        ("carencias sociales", "CONEVAL", "necesidad", "inversión"),
        layers=("zones", "works", "need"),
        updated_at=_latest_of(WORKS_UPDATED, ZONES_UPDATED),
        title=gettext_noop("Necesidad de los hogares e inversión por zona"),
        description=gettext_noop(
            "Por zona y carencia social: porcentaje de hogares con la carencia (con control de divulgación) "
            "y monto aprobado del año en obras que la atienden."
        ),
        source=CALCULATED,
        fields=NEED_INVESTMENT_FIELDS,
        services=(
            Distribution(
                _("Tabla (CSV)"), "CSV", "text/csv", "works_map:need-investment", query="format=csv"
            ),
            Distribution(_("Tabla (JSON)"), "JSON", "application/json", "works_map:need-investment"),
        ),
        count=lambda: Zone.objects.published().count(),
    ),
    Listing(
        "catalogos",
        ("catálogos", "dependencias", "fuentes de financiamiento"),
        layers=("works",),  # a catalogue edit bumps the works layer (works_map.actions)
        updated_at=WORKS_UPDATED,
        title=gettext_noop("Catálogos: categorías, dependencias y fuentes de financiamiento"),
        description=gettext_noop(
            "Las claves con que las obras nombran su categoría, su dependencia ejecutora y sus fuentes."
        ),
        source=gettext_noop("Catálogos del sitio"),
        fields=CODE_FIELDS,
        services=(
            Distribution(_("Categorías (JSON)"), "JSON", "application/json", "api:category-list"),
            Distribution(_("Dependencias (JSON)"), "JSON", "application/json", "api:agency-list"),
            Distribution(
                _("Fuentes de financiamiento (JSON)"), "JSON", "application/json", "api:funding-source-list"
            ),
        ),
        count=lambda: Category.objects.count() + Agency.objects.count() + FundingSource.objects.count(),
    ),
)


# Listings that apps above this one add from their AppConfig.ready (the budget): the catalogue shows
# them after LISTINGS, in the order registered.
REGISTERED: list[Listing] = []


def register_listing(listing: Listing) -> None:
    if all(known.slug != listing.slug for known in (*LISTINGS, *REGISTERED)):
        REGISTERED.append(listing)


def all_listings() -> tuple[Listing, ...]:
    return (*LISTINGS, *REGISTERED)


def service_path(distribution: Distribution) -> str:
    """The distribution's path, with the need table's year filled in (it needs one)."""
    path = distribution.path()
    if distribution.url_name == "works_map:need-investment":
        path += ("&" if "?" in path else "?") + _need_year()
    return path
