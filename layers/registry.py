"""Every map layer, declared once. Tiles, TileJSON and the MapLibre style all read this registry;
a name not in it is a 404. A new layer is one entry here plus one test.

Table and column names are taken from the models' _meta, so a renamed field breaks loudly at
import time instead of silently in SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gis_core.tile_sources import (
    Agg,
    CellPyramid,
    Col,
    ColumnFilter,
    Const,
    Equals,
    Features,
    FirstOf,
    GridClusters,
    Handling,
    Hexagons,
    Lookup,
    NotPoint,
    VectorSource,
)
from gis_core.tile_sources import column_of as _col
from gis_core.tile_sources import table_of as _table
from growth.disclosure import INDICATORS as GROWTH_INDICATORS
from growth.models import Centre, GrowthUnit
from priority_zones.disclosure import CARENCIAS, MIN_COUNT, MIN_RATE_BASE, ROUND_BASE
from priority_zones.models import Ageb, DisclosureUnit, Household, Localidad, Municipio, Zone
from works_map.filters import tile_filters
from works_map.models import Category, Work


@dataclass(frozen=True)
class Layer:
    name: str
    title: Promise | str
    description: Promise | str
    source: VectorSource
    # (first zoom, handling): the handling in force from that zoom up to the next entry.
    handling: tuple[tuple[int, Handling], ...]
    minzoom: int
    maxzoom: int
    geometry_type: str  # point, line, polygon: what the style draws
    fields: Mapping[str, Promise | str] = field(default_factory=dict)
    # Restricted layers are served only to users the layer's access gate admits (layers.access).
    public: bool = True
    # The data version this layer's tiles depend on (bumped by the actions that write the data).
    version_of: str = ""

    @property
    def version_name(self) -> str:
        return self.version_of or self.name

    @property
    def filter_params(self) -> tuple[str, ...]:
        return tuple(f.param for f in self.source.filters)

    def handling_at(self, z: int) -> Handling:
        current = self.handling[0][1]
        for first, handling in self.handling:
            if z >= first:
                current = handling
        return current


# --- works ---------------------------------------------------------------------------------------

# The tile side of the work filters (works_map.filters): the same parameters and meanings as the
# API, OGC and the lists, mapped onto ColumnFilter/LinkFilter by the spec itself.
_WORK_FILTERS = tile_filters()
_WORK_PROPS = (
    Col("id", "id"),
    Col("folio", _col(Work, "folio")),
    Col("name", _col(Work, "name")),
    Col("status", _col(Work, "status")),
    Col("year", _col(Work, "fiscal_year"), cast="int"),
    Lookup("category", _col(Work, "category"), _table(Category), "code"),
    Lookup("municipio", _col(Work, "municipio"), _table(Municipio), "cvegeo"),
    FirstOf("amount", (_col(Work, "amount_modified"), _col(Work, "amount_approved")), cast="float8"),
    Col("exercised", _col(Work, "amount_exercised"), cast="float8"),
    Col("progress", _col(Work, "physical_progress"), cast="float8"),
)
_WORK_FIELDS = {
    "id": _("Identificador de la obra (en un grupo, sólo si tiene una obra)"),
    "count": _("Número de obras en el punto o grupo"),
    "folio": _("Folio"),
    "name": _("Nombre"),
    "status": _("Estatus (en un grupo, el más frecuente)"),
    "year": _("Ejercicio fiscal"),
    "category": _("Clave de la categoría"),
    "municipio": _("CVEGEO del municipio"),
    "amount": _("Monto vigente (modificado o, si no hay, aprobado), en pesos"),
    "exercised": _("Monto ejercido, en pesos"),
    "progress": _("Avance físico, %"),
}

WORKS = Layer(
    name="works",
    title=_("Obras y acciones"),
    description=_(
        "Punto representativo de cada obra publicada; agrupadas con conteo y montos en zooms bajos."
    ),
    source=VectorSource(
        layer="works",
        table=_table(Work),
        properties=(*_WORK_PROPS, Const("count", 1)),
        conditions=(Equals(_col(Work, "published"), True),),
        filters=_WORK_FILTERS,
    ),
    handling=(
        (
            0,
            GridClusters(
                geometry=_col(Work, "point"),
                cells_per_tile=16,
                aggregates=(
                    Agg("count", "count"),
                    Agg("amount", "sum", "amount"),
                    Agg("exercised", "sum", "exercised"),
                    Agg("status", "mode", "status"),
                    Agg("id", "only", "id"),
                ),
                # Read from running totals per cell (levels 9-16), kept by the triggers in
                # layers/sql/work_cells.sql, when unfiltered or filtered by year and status;
                # fiscal_year 0 rows hold every year.
                pyramid=CellPyramid(
                    "layers_workcell", minzoom=5, maxzoom=12, keys=("year", "status"), totals=(("year", 0),)
                ),
            ),
        ),
        (13, Features(_col(Work, "point"))),
    ),
    minzoom=5,
    maxzoom=16,
    geometry_type="point",
    fields=_WORK_FIELDS,
)

WORK_FOOTPRINTS = Layer(
    name="work_footprints",
    title=_("Trazos de obras"),
    description=_("Líneas y polígonos de las obras publicadas que no son un punto."),
    source=VectorSource(
        layer="work_footprints",
        table=_table(Work),
        properties=_WORK_PROPS,
        conditions=(Equals(_col(Work, "published"), True), NotPoint(_col(Work, "geom"))),
        filters=_WORK_FILTERS,
    ),
    handling=((0, Features(_col(Work, "geom"))),),
    minzoom=10,
    maxzoom=16,
    geometry_type="line",
    fields={k: v for k, v in _WORK_FIELDS.items() if k != "count"},
)

# --- zones and geography ---------------------------------------------------------------------------

ZONES = Layer(
    name="zones",
    title=_("Zonas prioritarias"),
    description=_("Zonas de Atención Prioritaria, Zonas Impulso y zonas trazadas publicadas, por ejercicio."),
    source=VectorSource(
        layer="zones",
        table=_table(Zone),
        properties=(
            Col("id", "id"),
            Col("name", _col(Zone, "name")),
            Col("kind", _col(Zone, "kind")),
            Col("year", _col(Zone, "fiscal_year"), cast="int"),
            Col("cvegeo", _col(Zone, "cvegeo")),
            Lookup("municipio", _col(Zone, "municipio"), _table(Municipio), "cvegeo"),
            Col("population", _col(Zone, "population"), cast="int"),
            Col("synthetic", _col(Zone, "synthetic")),
        ),
        conditions=(Equals(_col(Zone, "status"), Zone.Status.PUBLISHED.value),),
        filters=(
            ColumnFilter("year", _col(Zone, "fiscal_year")),
            ColumnFilter("kind", _col(Zone, "kind")),
            ColumnFilter("municipio", _col(Zone, "municipio")),
        ),
    ),
    handling=((0, Features(_col(Zone, "geom"))),),
    minzoom=5,
    maxzoom=16,
    geometry_type="polygon",
    fields={
        "id": _("Identificador"),
        "name": _("Nombre"),
        "kind": _("Tipo: ZAP_RURAL, ZAP_URBANA, ZONA_IMPULSO o DRAWN"),
        "year": _("Ejercicio fiscal"),
        "cvegeo": _("CVEGEO (municipio o AGEB de la declaratoria)"),
        "municipio": _("CVEGEO del municipio"),
        "population": _("Población"),
        "synthetic": _("Dato sintético de demostración"),
    },
)

MUNICIPIOS = Layer(
    name="municipios",
    title=_("Municipios"),
    description=_("Límites municipales del Marco Geoestadístico de INEGI."),
    source=VectorSource(
        layer="municipios",
        table=_table(Municipio),
        properties=(
            Col("cvegeo", _col(Municipio, "cvegeo")),
            Col("name", _col(Municipio, "name")),
            Col("population", _col(Municipio, "population_2020"), cast="int"),
        ),
        filters=(ColumnFilter("municipio", "id"),),
    ),
    handling=((0, Features(_col(Municipio, "geom"))),),
    minzoom=4,
    maxzoom=14,
    geometry_type="polygon",
    fields={"cvegeo": _("CVEGEO"), "name": _("Nombre"), "population": _("Población 2020")},
)

LOCALIDADES = Layer(
    name="localidades",
    title=_("Localidades"),
    description=_("Polígonos de localidades de INEGI."),
    source=VectorSource(
        layer="localidades",
        table=_table(Localidad),
        properties=(
            Col("cvegeo", _col(Localidad, "cvegeo")),
            Col("name", _col(Localidad, "name")),
            Col("ambito", _col(Localidad, "ambito")),
            Col("population", _col(Localidad, "population_2020"), cast="int"),
        ),
        filters=(ColumnFilter("municipio", _col(Localidad, "municipio")),),
    ),
    handling=((0, Features(_col(Localidad, "geom"))),),
    minzoom=9,
    maxzoom=16,
    geometry_type="polygon",
    fields={
        "cvegeo": _("CVEGEO"),
        "name": _("Nombre"),
        "ambito": _("Ámbito: U urbano, R rural"),
        "population": _("Población 2020"),
    },
)

AGEBS = Layer(
    name="agebs",
    title=_("AGEB"),
    description=_("Áreas geoestadísticas básicas de INEGI."),
    source=VectorSource(
        layer="agebs",
        table=_table(Ageb),
        properties=(
            Col("cvegeo", _col(Ageb, "cvegeo")),
            Col("ambito", _col(Ageb, "ambito")),
            Col("population", _col(Ageb, "population_2020"), cast="int"),
        ),
        filters=(ColumnFilter("municipio", _col(Ageb, "municipio")),),
    ),
    handling=((0, Features(_col(Ageb, "geom"))),),
    minzoom=10,
    maxzoom=16,
    geometry_type="polygon",
    fields={
        "cvegeo": _("CVEGEO"),
        "ambito": _("Ámbito: U urbano, R rural"),
        "population": _("Población 2020"),
    },
)

# --- households ------------------------------------------------------------------------------------
# Household points are restricted (shared/DOMAIN.md §5.1, gate: priority_zones.access). The public
# "need" layer reads only the disclosure units (priority_zones.disclosure: disjoint groups of >= 10
# households) and sums whole units into hexagons, so no hexagon, nor the difference of two
# hexagons of different zooms, ever covers fewer than MIN_HOUSEHOLDS households; counts are rounded
# to base 5 and rates follow the same rules as every other public household figure.

MIN_HOUSEHOLDS = MIN_RATE_BASE
_NEED_RATES = (*CARENCIAS, "pobreza_extrema", "pobreza_moderada")


def _need_hexagons(edge_m: float) -> Hexagons:
    rates = [
        Agg(c, "rate", c, per=f"known_{c}", min_base=MIN_RATE_BASE, min_count=MIN_COUNT) for c in CARENCIAS
    ]
    rates += [
        Agg(c, "rate", c, per="households", min_base=MIN_RATE_BASE, min_count=MIN_COUNT)
        for c in ("pobreza_extrema", "pobreza_moderada")
    ]
    return Hexagons(
        geometry="centre",
        edge_m=edge_m,
        min_count=MIN_HOUSEHOLDS,
        total="households",
        aggregates=(Agg("households", "rounded", "households", base=ROUND_BASE), *rates),
    )


NEED = Layer(
    name="need",
    title=_("Carencias de los hogares (agregadas)"),
    description=_(
        "Hogares diagnosticados agregados en hexágonos a partir de unidades de 10 o más hogares; "
        "conteos redondeados a múltiplos de 5 y porcentajes sólo donde no revelan a nadie."
    ),
    source=VectorSource(
        layer="need",
        table=DisclosureUnit._meta.db_table,
        properties=tuple(
            Col(name, name)
            for name in ("households", *CARENCIAS, *(f"known_{c}" for c in CARENCIAS), *_NEED_RATES[6:])
        ),
    ),
    # Edges fixed per zoom band (never derived from the tile) so a band's grid is the same in
    # every tile and a hexagon's figure does not depend on which tile draws it. Units are 1 km or
    # 5 km squares, so finer hexagons would only show unit centres.
    handling=((0, _need_hexagons(8000)), (9, _need_hexagons(3000)), (11, _need_hexagons(1500))),
    minzoom=6,
    maxzoom=12,
    geometry_type="polygon",
    fields={
        "households": _("Hogares diagnosticados (10 o más, redondeado a múltiplos de 5)"),
        **{c: _("% de hogares con esta carencia (vacío si revelaría a alguien)") for c in CARENCIAS},
        "pobreza_extrema": _("% de hogares en pobreza extrema (vacío si revelaría a alguien)"),
        "pobreza_moderada": _("% de hogares en pobreza moderada (vacío si revelaría a alguien)"),
    },
    version_of="need",
)

_HOUSEHOLD_SOURCE = VectorSource(
    layer="households",
    table=_table(Household),
    properties=(
        Col("id", "id"),
        Col("folio", _col(Household, "folio")),
        Col("ambito", _col(Household, "ambito")),
        Lookup("municipio", _col(Household, "municipio"), _table(Municipio), "cvegeo"),
        Col("survey_date", _col(Household, "survey_date"), cast="text"),
    ),
    filters=(ColumnFilter("municipio", _col(Household, "municipio")),),
)

HOUSEHOLDS = Layer(
    name="households",
    title=_("Hogares (restringido)"),
    description=_("Ubicación de cada hogar encuestado. Sólo para personal autorizado."),
    source=_HOUSEHOLD_SOURCE,
    handling=((0, Features(_col(Household, "location"))),),
    minzoom=12,
    maxzoom=18,
    geometry_type="point",
    fields={
        "id": _("Identificador"),
        "folio": _("Folio CUIS"),
        "ambito": _("Ámbito"),
        "municipio": _("CVEGEO del municipio"),
        "survey_date": _("Fecha de levantamiento"),
    },
    public=False,
    # Household writes (imports, diagnostics) bump "need".
    version_of="need",
)

# --- child growth ----------------------------------------------------------------------------------
# Child records and locations are restricted (growth.access). The public "growth" layer reads only
# the growth disclosure units (growth.disclosure: disjoint groups of >= 10 children) and sums whole
# units into hexagons, with the same rounding and rate rules as the household "need" layer.

_GROWTH_RATES = ("stunted", "wasted", "overweight", "referred")


def _growth_hexagons(edge_m: float) -> Hexagons:
    rates = [
        Agg(
            k,
            "rate",
            GROWTH_INDICATORS[k][0],
            per=GROWTH_INDICATORS[k][1],
            min_base=MIN_RATE_BASE,
            min_count=MIN_COUNT,
        )
        for k in _GROWTH_RATES
    ]
    return Hexagons(
        geometry="centre",
        edge_m=edge_m,
        min_count=MIN_RATE_BASE,
        total="children",
        aggregates=(Agg("children", "rounded", "children", base=ROUND_BASE), *rates),
    )


GROWTH = Layer(
    name="growth",
    title=_("Crecimiento infantil (agregado)"),
    description=_(
        "Niñas y niños menores de 5 años medidos, agregados en hexágonos a partir de unidades de 10 o "
        "más; prevalencias sólo donde no revelan a nadie (patrones de la OMS 2006)."
    ),
    source=VectorSource(
        layer="growth",
        table=GrowthUnit._meta.db_table,
        properties=tuple(
            Col(name, name)
            for name in (
                "children",
                "stunted",
                "known_lhfa",
                "wasted",
                "known_wflh",
                "overweight",
                "screened",
                "referred",
            )
        ),
    ),
    handling=((0, _growth_hexagons(8000)), (9, _growth_hexagons(3000)), (11, _growth_hexagons(1500))),
    minzoom=6,
    maxzoom=12,
    geometry_type="polygon",
    fields={
        "children": _("Niñas y niños medidos (10 o más, redondeado a múltiplos de 5)"),
        "stunted": _("% con baja talla (vacío si revelaría a alguien)"),
        "wasted": _("% con emaciación (vacío si revelaría a alguien)"),
        "overweight": _("% con sobrepeso u obesidad (vacío si revelaría a alguien)"),
        "referred": _("% de tamizajes con referencia (vacío si revelaría a alguien)"),
    },
    version_of="growth",
)

CENTRES = Layer(
    name="centres",
    title=_("Centros de salud y de desarrollo infantil"),
    description=_("Centros a los que se refiere a las familias tras un tamizaje."),
    source=VectorSource(
        layer="centres",
        table=_table(Centre),
        properties=(
            Col("id", "id"),
            Col("name", _col(Centre, "name")),
            Col("kind", _col(Centre, "kind")),
            Col("synthetic", _col(Centre, "synthetic")),
        ),
    ),
    handling=((0, Features(_col(Centre, "location"))),),
    minzoom=8,
    maxzoom=18,
    geometry_type="point",
    fields={
        "id": _("Identificador"),
        "name": _("Nombre"),
        "kind": _("Tipo: SALUD o DESARROLLO"),
        "synthetic": _("Centro de demostración (no real)"),
    },
    version_of="centres",
)

LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in (
        MUNICIPIOS,
        LOCALIDADES,
        AGEBS,
        ZONES,
        NEED,
        GROWTH,
        CENTRES,
        WORK_FOOTPRINTS,
        WORKS,
        HOUSEHOLDS,
    )
}


def public_layers() -> list[Layer]:
    return [layer for layer in LAYERS.values() if layer.public]


def get_layer(name: str) -> Layer | None:
    return LAYERS.get(name)
