"""Zones, municipios and household need as downloadable datasets (gis_core.exporters.Dataset).

Household need is published only as disclosure-controlled aggregates: the exact sums of the
disclosure units inside each zone or municipio (the materialized view of
priority_zones/sql/disclosure_units.sql; never a household, never a unit) pass through
`disclosure.protect` row by row, so a download holds exactly what the report cards show, with the
same cells suppressed (null). Table names are this app's; user input reaches the SQL only as bind
parameters inside the selection queryset's own SQL.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gis_core.exporters import Dataset, Field
from gis_core.geometry import parse_choices, parse_integer
from priority_zones.disclosure import CARENCIAS, CLASSES, SUMMED, protect
from priority_zones.models import Municipio, Zone

# gettext_noop: the files keep the Spanish; the catalogue page (/datos/) translates these when shown.
SOURCE_INEGI = gettext_noop(
    "INEGI, Marco Geoestadístico (municipios) y Censo de Población y Vivienda 2020 (población)"
)
INEGI_MG = gettext_noop("INEGI, Marco Geoestadístico")
# INEGI's boundaries and census keep INEGI's terms of free use, whatever the site's licence.
INEGI_TERMS = "https://www.inegi.org.mx/inegi/terminos.html"
SOURCE_ZONES = gettext_noop(
    "DOF (declaratorias de ZAP) y zonas publicadas por las dependencias en Territorio Abierto"
)
SOURCE_NEED = gettext_noop(
    "Diagnósticos de hogares (CUIS) registrados en Territorio Abierto; población registrada, no "
    "representativa. Agregados con control de divulgación: unidades de 10 hogares o más, celdas menores "
    "de 3 suprimidas, conteos redondeados a múltiplos de 5."
)


def _refuse_unknown(query: Mapping[str, str], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(query) - set(allowed))
    if unknown:
        valid = ", ".join(allowed) or _("ninguno")
        raise ValidationError(
            {unknown[0]: _("Parámetro desconocido; los válidos son: %(valid)s.") % {"valid": valid}}
        )


ZONE_PARAMS = ("kind", "year")


def select_zones(query: Mapping[str, str]) -> QuerySet:
    """Published zones, by `kind` (one or more) and fiscal `year`."""
    _refuse_unknown(query, ZONE_PARAMS)
    zones = Zone.objects.published()
    if query.get("kind", "").strip():
        zones = zones.filter(kind__in=parse_choices(query["kind"], "kind", Zone.Kind.values))
    if query.get("year", "").strip():
        zones = zones.for_year(parse_integer(query["year"], "year", 2000, 2100))
    return zones


def select_municipios(query: Mapping[str, str]) -> QuerySet:
    _refuse_unknown(query, ())
    return Municipio.objects.all()


ZONE_FIELDS = (
    Field("id", "integer", gettext_noop("Identificador de la zona")),
    Field("kind", "text", gettext_noop("Tipo: ZAP_RURAL, ZAP_URBANA, ZONA_IMPULSO o DRAWN (trazada)")),
    Field("fiscal_year", "integer", gettext_noop("Ejercicio fiscal de la zona"), "fiscal_yr"),
    Field("cvegeo", "text", gettext_noop("CVEGEO del municipio o AGEB declarado (si aplica)")),
    Field("name", "text", gettext_noop("Nombre de la zona")),
    Field("municipio", "text", gettext_noop("CVEGEO del municipio"), source=INEGI_MG),
    Field("municipio_name", "text", gettext_noop("Nombre del municipio"), "mun_name", INEGI_MG),
    Field("population", "integer", gettext_noop("Población de la zona (si se conoce)"), "population"),
    Field(
        "source_reference", "text", gettext_noop("Documento que la declara (p. ej. DOF código)"), "source_ref"
    ),
    Field("source_date", "date", gettext_noop("Fecha de publicación del documento"), "source_dt"),
    Field("source_url", "text", gettext_noop("URL del documento"), "source_url"),
    Field("updated_at", "datetime", gettext_noop("Última modificación"), "updated"),
)

ZONES_SQL = """
SELECT z.id, z.kind, z.fiscal_year, z.cvegeo, z.name, m.cvegeo AS municipio, m.name AS municipio_name,
       z.population, d.reference AS source_reference, d.published_on AS source_date,
       d.url AS source_url, z.updated_at, z.geom, ST_PointOnSurface(z.geom) AS point
FROM priority_zones_zone z
LEFT JOIN priority_zones_municipio m ON m.id = z.municipio_id
LEFT JOIN priority_zones_sourcedocument d ON d.id = z.source_id
WHERE z.id IN ({ids})
"""

MUNICIPIO_FIELDS = (
    Field("cvegeo", "text", gettext_noop("CVEGEO del municipio (5 dígitos)")),
    Field("name", "text", gettext_noop("Nombre del municipio")),
    Field("population_2020", "integer", gettext_noop("Población 2020 (Censo, INEGI)"), "pop_2020"),
    Field("frame_version", "text", gettext_noop("Versión del Marco Geoestadístico de INEGI"), "frame_ver"),
)

MUNICIPIOS_SQL = """
SELECT m.cvegeo, m.name, m.population_2020, m.frame_version, m.geom, ST_PointOnSurface(m.geom) AS point
FROM priority_zones_municipio m
WHERE m.id IN ({ids})
"""

ZONES = Dataset(
    name="zones",
    stem="zonas_guanajuato",
    title=gettext_noop("Zonas publicadas (ZAP, Zonas Impulso y zonas trazadas)"),
    description=gettext_noop(
        "Zonas de atención prioritaria y zonas de los programas, por ejercicio fiscal, con su documento"
        " fuente."
    ),
    source=SOURCE_ZONES,
    fields=ZONE_FIELDS,
    rows_sql=ZONES_SQL,
    select=select_zones,
    params=ZONE_PARAMS,
)

MUNICIPIOS = Dataset(
    name="municipios",
    stem="municipios_guanajuato",
    title=gettext_noop("Municipios de Guanajuato"),
    description=gettext_noop("Los municipios del Marco Geoestadístico de INEGI con su población 2020."),
    source=SOURCE_INEGI,
    fields=MUNICIPIO_FIELDS,
    rows_sql=MUNICIPIOS_SQL,
    select=select_municipios,
    licence=INEGI_TERMS,
)

# --- household need: disclosure-controlled aggregates -------------------------------------------------

SHORT = {
    "rezago_educativo": "rezedu",
    "acceso_salud": "salud",
    "seguridad_social": "segsoc",
    "calidad_vivienda": "calviv",
    "servicios_basicos": "sbv",
    "alimentacion": "alim",
    "pobreza_extrema": "pob_ext",
    "pobreza_moderada": "pob_mod",
    "vulnerable_carencias": "vul_car",
    "vulnerable_ingresos": "vul_ing",
    "no_pobre": "no_pobre",
    "indeterminado": "indeterm",
}

NEED_FIELDS = (
    Field(
        "households", "integer", "Hogares diagnosticados (redondeado a 5; nulo si hay menos de 10)", "hogares"
    ),
    *(
        f
        for c in CARENCIAS
        for f in (
            Field(
                f"{c}_n",
                "integer",
                f"Hogares con carencia de {c} (redondeado a 5; nulo si se suprime)",
                f"{SHORT[c]}_n",
            ),
            Field(
                f"{c}_pct",
                "integer",
                f"Porcentaje de hogares con carencia de {c} (nulo si se suprime)",
                f"{SHORT[c]}_pct",
            ),
        )
    ),
    *(
        Field(c, "integer", f"Hogares en la clase {c} (redondeado a 5; nulo si se suprime)", SHORT[c])
        for c in CLASSES
    ),
    Field("suppressed", "boolean", "Verdadero si alguna cifra se suprimió", "suprimido"),
    Field("suppressed_cells", "text", "Cifras suprimidas, separadas por ;", "supr_celda"),
)

_UNIT_SUMS = ", ".join(f"'{name}', sum(u.{name})" for name in SUMMED)
_NEED = f"""(SELECT json_build_object({_UNIT_SUMS}) FROM priority_zones_disclosureunit u
         WHERE u.centre && {{area}} AND ST_Intersects(u.centre, {{area}})) AS need"""  # noqa: S608 - constants

NEED_BY_ZONE_SQL = f"""
SELECT z.id, z.kind, z.fiscal_year, z.cvegeo, z.name, m.cvegeo AS municipio,
       {_NEED.format(area="z.geom")}, z.geom, ST_PointOnSurface(z.geom) AS point
FROM priority_zones_zone z
LEFT JOIN priority_zones_municipio m ON m.id = z.municipio_id
WHERE z.id IN ({{ids}})
"""  # noqa: S608 - built from constants; user input arrives only as bind parameters

NEED_BY_MUNICIPIO_SQL = f"""
SELECT m.cvegeo, m.name, {_NEED.format(area="m.geom")}, m.geom, ST_PointOnSurface(m.geom) AS point
FROM priority_zones_municipio m
WHERE m.id IN ({{ids}})
"""  # noqa: S608 - built from constants; user input arrives only as bind parameters


def _need_values(need: dict | None) -> tuple:
    figures = protect(need)
    values: list = [figures["households"]]
    for c in CARENCIAS:
        values += [figures["carencias"][c]["count"], figures["carencias"][c]["rate"]]
    values += [figures["classes"][c] for c in CLASSES]
    return (*values, figures["suppressed"], ";".join(figures.get("suppressed_cells", [])))


def _zone_need_row(row: tuple) -> tuple:
    return (*row[:6], *_need_values(row[6]))


def _municipio_need_row(row: tuple) -> tuple:
    return (*row[:2], *_need_values(row[2]))


NEED_BY_ZONE = Dataset(
    name="need",
    stem="necesidad_por_zona_guanajuato",
    title=gettext_noop("Necesidad de los hogares por zona (agregados con control de divulgación)"),
    description=gettext_noop(
        "Hogares diagnosticados, carencias sociales y clases de pobreza por zona publicada, con las mismas "
        "reglas de supresión y redondeo que las fichas; ningún dato de hogar."
    ),
    source=SOURCE_NEED,
    fields=(*ZONE_FIELDS[:6], *NEED_FIELDS),
    rows_sql=NEED_BY_ZONE_SQL,
    columns=("id", "kind", "fiscal_year", "cvegeo", "name", "municipio", "need"),
    transform=_zone_need_row,
    select=select_zones,
    params=ZONE_PARAMS,
)

NEED_BY_MUNICIPIO = Dataset(
    name="need_municipios",
    stem="necesidad_por_municipio_guanajuato",
    title=gettext_noop("Necesidad de los hogares por municipio (agregados con control de divulgación)"),
    description=gettext_noop(
        "Hogares diagnosticados, carencias sociales y clases de pobreza por municipio, con las mismas "
        "reglas de supresión y redondeo que las fichas; ningún dato de hogar."
    ),
    source=SOURCE_NEED,
    fields=(*MUNICIPIO_FIELDS[:2], *NEED_FIELDS),
    rows_sql=NEED_BY_MUNICIPIO_SQL,
    columns=("cvegeo", "name", "need"),
    transform=_municipio_need_row,
    select=select_municipios,
)
