"""Reference catalogues loaded as data: agencies, funding sources and the category tree.

Natural keys: Agency.code, FundingSource.code, Category.code. Loading twice changes nothing
(priority_zones.reference_data.sync_row writes only what differs).
Sources: shared/DOMAIN.md §2 (FAIS rubros and incidence), §4.3 (CONAC), §6 (Guanajuato agencies).
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db import transaction

from priority_zones.models import Municipio
from priority_zones.reference_data import sync_row, tally
from works_map.models import Agency, Category, FundingSource

# The 2024–2030 state administration took office on 26 Sep 2024 and renamed its agencies.
STATE_TRANSITION = dt.date(2024, 9, 26)
LAST_DAY_BEFORE_TRANSITION = dt.date(2024, 9, 25)


class AgencyRow(NamedTuple):
    code: str
    acronym: str
    name: str
    level: str
    kind: str = Agency.Kind.CENTRALIZADA
    predecessor: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


AGENCIES: list[AgencyRow] = [
    AgencyRow("FED-BIENESTAR", "BIENESTAR", "Secretaría de Bienestar", "FEDERAL"),
    AgencyRow("FED-CONAGUA", "CONAGUA", "Comisión Nacional del Agua", "FEDERAL", Agency.Kind.DESCONCENTRADA),
    AgencyRow(
        "GTO-SEDESHU",
        "SEDESHU",
        "Secretaría de Desarrollo Social y Humano",
        "ESTATAL",
        valid_to=LAST_DAY_BEFORE_TRANSITION,
    ),
    AgencyRow(
        "GTO-SENCO",
        "SENCO",
        "Secretaría del Nuevo Comienzo",
        "ESTATAL",
        predecessor="GTO-SEDESHU",
        valid_from=STATE_TRANSITION,
    ),
    AgencyRow(
        "GTO-SICOM",
        "SICOM",
        "Secretaría de Infraestructura, Conectividad y Movilidad",
        "ESTATAL",
        valid_to=LAST_DAY_BEFORE_TRANSITION,
    ),
    AgencyRow(
        "GTO-SOP",
        "SOP",
        "Secretaría de Obra Pública",
        "ESTATAL",
        predecessor="GTO-SICOM",
        valid_from=STATE_TRANSITION,
    ),
    AgencyRow(
        "GTO-SAMA", "SAMA", "Secretaría del Agua y Medio Ambiente", "ESTATAL", valid_from=STATE_TRANSITION
    ),
]

# Municipal agencies: every municipio executes its FISMDF through its Dirección de Obras Públicas;
# the Presidencia Municipal appears as requesting agency for a handful of them.
PRESIDENCIA_MUNICIPIOS = ["11015", "11017", "11020", "11007", "11027", "11043", "11006", "11033"]


def municipal_agency_code(cvegeo: str, unit: str = "DOP") -> str:
    return f"MUN-{cvegeo}-{unit}"


class FundingRow(NamedTuple):
    code: str
    conac_code: str
    name: str
    level: str
    earmarked: bool
    ramo: str
    fund: str
    is_fais: bool = False


# CONAC "Clasificador por Fuentes de Financiamiento": 1x no etiquetado, 2x etiquetado.
FUNDING_SOURCES: list[FundingRow] = [
    FundingRow(
        "FAIS-FISMDF",
        "25",
        "FAIS: Fondo para la Infraestructura Social Municipal y de las Demarcaciones Territoriales",
        "FEDERAL",
        True,
        "33",
        "FAIS-FISMDF",
        True,
    ),
    FundingRow(
        "FAIS-FISE",
        "25",
        "FAIS: Fondo de Infraestructura Social para las Entidades",
        "FEDERAL",
        True,
        "33",
        "FAIS-FISE",
        True,
    ),
    FundingRow(
        "FORTAMUN-DF",
        "25",
        "Fondo de Aportaciones para el Fortalecimiento de los Municipios y de las Demarcaciones"
        " Territoriales",
        "FEDERAL",
        True,
        "33",
        "FORTAMUN-DF",
    ),
    FundingRow(
        "FED-CONVENIO-AGUA",
        "25",
        "Convenio federal de agua potable, drenaje y saneamiento (CONAGUA)",
        "FEDERAL",
        True,
        "16",
        "Convenio CONAGUA",
    ),
    FundingRow(
        "GTO-MI-COLONIA-A-COLOR",
        "26",
        "Mi Colonia a Color (aportación estatal convenida con el municipio)",
        "ESTATAL",
        True,
        "",
        "Mi Colonia a Color",
    ),
    FundingRow(
        "GTO-IMPULSO-SOCIAL",
        "16",
        "Estrategia Impulso Social (recursos estatales)",
        "ESTATAL",
        False,
        "",
        "Impulso Social",
    ),
    FundingRow(
        "GTO-RECURSOS-ESTATALES",
        "16",
        "Recursos estatales de libre disposición",
        "ESTATAL",
        False,
        "",
        "Recursos estatales",
    ),
    FundingRow(
        "MUN-RECURSOS-PROPIOS",
        "14",
        "Ingresos propios municipales",
        "MUNICIPAL",
        False,
        "",
        "Recursos propios municipales",
    ),
    FundingRow(
        "BENEFICIARIOS",
        "17",
        "Aportación de las personas beneficiarias",
        "MUNICIPAL",
        False,
        "",
        "Aportación de beneficiarios",
    ),
]


class CategoryRow(NamedTuple):
    code: str
    name: str
    fais: str = Category.FaisIncidence.NO_APLICA
    carencia: str = Category.Carencia.NINGUNA
    subfunction: str = ""
    cog: str = ""
    unit: str = ""


D, C = Category.FaisIncidence.DIRECTA, Category.FaisIncidence.COMPLEMENTARIA
SB, CV = Category.Carencia.SERVICIOS_BASICOS, Category.Carencia.CALIDAD_VIVIENDA
SALUD, EDU, ALI = Category.Carencia.SALUD, Category.Carencia.REZAGO_EDUCATIVO, Category.Carencia.ALIMENTACION

# Codes are dotted paths: the parent of "A.B.C" is "A.B"; one dot = tema, two dots = subtema.
# FAIS rubros follow LCF art. 33 (DOMAIN.md §2.1); incidence per shared/DOMAIN.md §2.4.
CATEGORIES: list[CategoryRow] = [
    CategoryRow("AGUA_POTABLE", "Agua potable", D, SB, "2.2.3", "6130"),
    CategoryRow("AGUA_POTABLE.RED", "Red o sistema de agua potable", D, SB, "2.2.3", "6130", "metro lineal"),
    CategoryRow("AGUA_POTABLE.POZO", "Pozo profundo de agua potable", D, SB, "2.2.3", "6130", "pozo"),
    CategoryRow(
        "AGUA_POTABLE.TANQUE", "Tanque o cisterna de almacenamiento", D, SB, "2.2.3", "6130", "tanque"
    ),
    CategoryRow(
        "AGUA_POTABLE.PLUVIAL", "Sistema de captación de agua pluvial", D, SB, "2.2.3", "6130", "vivienda"
    ),
    CategoryRow(
        "ALCANTARILLADO_DRENAJE_LETRINAS", "Alcantarillado, drenaje y letrinas", D, SB, "2.1.3", "6130"
    ),
    CategoryRow(
        "ALCANTARILLADO_DRENAJE_LETRINAS.DRENAJE",
        "Red de drenaje sanitario",
        D,
        SB,
        "2.1.3",
        "6130",
        "metro lineal",
    ),
    CategoryRow(
        "ALCANTARILLADO_DRENAJE_LETRINAS.PTAR",
        "Planta de tratamiento de aguas residuales",
        D,
        SB,
        "2.1.3",
        "6130",
        "planta",
    ),
    CategoryRow(
        "ALCANTARILLADO_DRENAJE_LETRINAS.LETRINA",
        "Sanitario con biodigestor",
        D,
        SB,
        "2.1.3",
        "6130",
        "vivienda",
    ),
    CategoryRow(
        "ALCANTARILLADO_DRENAJE_LETRINAS.PLUVIAL", "Drenaje pluvial", C, SB, "2.1.3", "6130", "metro lineal"
    ),
    CategoryRow("URBANIZACION", "Urbanización", C, subfunction="2.2.1", cog="6140"),
    CategoryRow(
        "URBANIZACION.PAVIMENTACION",
        "Pavimentación de calles",
        C,
        subfunction="2.2.1",
        cog="6140",
        unit="metro cuadrado",
    ),
    CategoryRow(
        "URBANIZACION.PAVIMENTACION.CONCRETO",
        "Pavimento de concreto hidráulico",
        C,
        subfunction="2.2.1",
        cog="6140",
        unit="metro cuadrado",
    ),
    CategoryRow(
        "URBANIZACION.PAVIMENTACION.EMPEDRADO",
        "Empedrado",
        C,
        subfunction="2.2.1",
        cog="6140",
        unit="metro cuadrado",
    ),
    CategoryRow(
        "URBANIZACION.PAVIMENTACION.ASFALTO",
        "Carpeta asfáltica",
        C,
        subfunction="2.2.1",
        cog="6140",
        unit="metro cuadrado",
    ),
    CategoryRow(
        "URBANIZACION.BANQUETAS",
        "Guarniciones y banquetas",
        C,
        subfunction="2.2.1",
        cog="6140",
        unit="metro lineal",
    ),
    CategoryRow(
        "URBANIZACION.ALUMBRADO", "Alumbrado público", C, subfunction="2.2.4", cog="6140", unit="luminaria"
    ),
    CategoryRow(
        "URBANIZACION.CAMINO_RURAL", "Camino rural", C, subfunction="2.2.1", cog="6150", unit="kilómetro"
    ),
    CategoryRow("ELECTRIFICACION", "Electrificación rural y de colonias pobres", D, SB, cog="6130"),
    CategoryRow(
        "ELECTRIFICACION.RED", "Red de distribución eléctrica", D, SB, cog="6130", unit="metro lineal"
    ),
    CategoryRow(
        "ELECTRIFICACION.SOLAR",
        "Electrificación no convencional (paneles solares)",
        D,
        SB,
        cog="6130",
        unit="vivienda",
    ),
    CategoryRow("INFRA_SALUD", "Infraestructura básica del sector salud", D, SALUD, "2.3", "6120"),
    CategoryRow("INFRA_SALUD.CENTRO", "Centro de salud o unidad médica", D, SALUD, "2.3", "6120", "unidad"),
    CategoryRow("INFRA_SALUD.DISPENSARIO", "Dispensario médico", D, SALUD, "2.3", "6120", "unidad"),
    CategoryRow("INFRA_EDUCACION", "Infraestructura básica del sector educativo", D, EDU, "2.5", "6120"),
    CategoryRow("INFRA_EDUCACION.AULA", "Aula", D, EDU, "2.5", "6120", "aula"),
    CategoryRow("INFRA_EDUCACION.SANITARIOS", "Sanitarios escolares", D, EDU, "2.5", "6120", "módulo"),
    CategoryRow(
        "INFRA_EDUCACION.TECHADO",
        "Techado de área de impartición de educación física",
        C,
        EDU,
        "2.5",
        "6120",
        "metro cuadrado",
    ),
    CategoryRow("MEJORAMIENTO_VIVIENDA", "Mejoramiento de vivienda", D, CV, "2.2.5", "6110"),
    CategoryRow("MEJORAMIENTO_VIVIENDA.PISO", "Piso firme", D, CV, "2.2.5", "6110", "vivienda"),
    CategoryRow("MEJORAMIENTO_VIVIENDA.TECHO", "Techo firme", D, CV, "2.2.5", "6110", "vivienda"),
    CategoryRow("MEJORAMIENTO_VIVIENDA.MURO", "Muro firme", D, CV, "2.2.5", "6110", "vivienda"),
    CategoryRow("MEJORAMIENTO_VIVIENDA.CUARTO", "Cuarto dormitorio", D, CV, "2.2.5", "6110", "cuarto"),
    CategoryRow(
        "MEJORAMIENTO_VIVIENDA.ESTUFA", "Estufa ecológica con chimenea", D, SB, "2.2.5", "6110", "vivienda"
    ),
    CategoryRow("MEJORAMIENTO_VIVIENDA.CALENTADOR", "Calentador solar", C, CV, "2.2.5", "6110", "vivienda"),
    CategoryRow(
        "MANTENIMIENTO_INFRA", "Mantenimiento de infraestructura", C, subfunction="2.2.1", cog="6140"
    ),
    CategoryRow(
        "MANTENIMIENTO_INFRA.AGUA_DRENAJE",
        "Mantenimiento de redes de agua y drenaje",
        C,
        SB,
        "2.2.3",
        "6130",
        "metro lineal",
    ),
    CategoryRow(
        "MANTENIMIENTO_INFRA.VIAL",
        "Bacheo y mantenimiento vial",
        C,
        subfunction="2.2.1",
        cog="6140",
        unit="metro cuadrado",
    ),
    CategoryRow("ESPACIOS_PUBLICOS", "Espacios públicos", subfunction="2.4.1", cog="6140"),
    CategoryRow(
        "ESPACIOS_PUBLICOS.PARQUE",
        "Parque o plaza pública",
        subfunction="2.4.1",
        cog="6140",
        unit="metro cuadrado",
    ),
    CategoryRow(
        "ESPACIOS_PUBLICOS.DEPORTIVA",
        "Unidad deportiva",
        subfunction="2.4.1",
        cog="6140",
        unit="metro cuadrado",
    ),
    CategoryRow(
        "ESPACIOS_PUBLICOS.CENTRO_COMUNITARIO",
        "Centro de desarrollo comunitario",
        subfunction="2.2.2",
        cog="6120",
        unit="unidad",
    ),
    CategoryRow("IMAGEN_URBANA", "Imagen urbana", subfunction="2.2.1", cog="6140"),
    CategoryRow(
        "IMAGEN_URBANA.FACHADAS",
        "Pintura de fachadas (Mi Colonia a Color)",
        subfunction="2.2.1",
        cog="6140",
        unit="metro cuadrado",
    ),
    CategoryRow("CONECTIVIDAD", "Conectividad y caminos", cog="6150"),
    CategoryRow("CONECTIVIDAD.CARRETERA", "Modernización de carretera", cog="6150", unit="kilómetro"),
    CategoryRow("CONECTIVIDAD.PUENTE", "Puente vehicular o peatonal", cog="6150", unit="puente"),
    CategoryRow("SEGURIDAD", "Seguridad", subfunction="1.7.1"),
    CategoryRow(
        "SEGURIDAD.VIDEOVIGILANCIA",
        "Cámaras de videovigilancia",
        subfunction="1.7.1",
        cog="6170",
        unit="cámara",
    ),
    CategoryRow("DESARROLLO_HUMANO", "Desarrollo humano", subfunction="2.6", cog="4410"),
    CategoryRow(
        "DESARROLLO_HUMANO.CURSOS",
        "Cursos y talleres comunitarios",
        subfunction="2.6",
        cog="4410",
        unit="persona",
    ),
    CategoryRow(
        "DESARROLLO_HUMANO.BECAS",
        "Becas y apoyos educativos",
        carencia=EDU,
        subfunction="2.5",
        cog="4410",
        unit="persona",
    ),
    CategoryRow(
        "DESARROLLO_HUMANO.ALIMENTARIO",
        "Apoyo alimentario",
        carencia=ALI,
        subfunction="2.6",
        cog="4410",
        unit="hogar",
    ),
]


def category_level(code: str) -> str:
    return [Category.Level.RUBRO, Category.Level.TEMA, Category.Level.SUBTEMA][code.count(".")]


def leaf_category_codes() -> list[str]:
    """Categories a work is classified under: those without children."""
    codes = [row.code for row in CATEGORIES]
    parents = {code.rsplit(".", 1)[0] for code in codes if "." in code}
    return [code for code in codes if code not in parents]


@transaction.atomic
def load_agencies() -> dict[str, int]:
    results = []
    by_code: dict[str, Agency] = {}
    for row in AGENCIES:
        values = row._asdict()
        code = values.pop("code")
        predecessor = values.pop("predecessor")
        values["predecessor"] = by_code[predecessor] if predecessor else None
        by_code[code], result = sync_row(Agency, {"code": code}, values)
        results.append(result)
    for municipio in Municipio.objects.order_by("cvegeo"):
        units = [("DOP", "DOP", f"Dirección de Obras Públicas de {municipio.name}")]
        if municipio.cvegeo in PRESIDENCIA_MUNICIPIOS:
            units.append(("PM", "PM", f"Presidencia Municipal de {municipio.name}"))
        for unit, acronym, name in units:
            _, result = sync_row(
                Agency,
                {"code": municipal_agency_code(municipio.cvegeo, unit)},
                {
                    "acronym": f"{acronym} {municipio.name}"[:32],
                    "name": name,
                    "level": "MUNICIPAL",
                    "municipio": municipio,
                },
            )
            results.append(result)
    return tally(results)


@transaction.atomic
def load_funding_sources() -> dict[str, int]:
    results = []
    for row in FUNDING_SOURCES:
        values = row._asdict()
        _, result = sync_row(FundingSource, {"code": values.pop("code")}, values)
        results.append(result)
    return tally(results)


@transaction.atomic
def load_categories() -> dict[str, int]:
    results = []
    by_code: dict[str, Category] = {}
    for row in CATEGORIES:
        parent = by_code[row.code.rsplit(".", 1)[0]] if "." in row.code else None
        by_code[row.code], result = sync_row(
            Category,
            {"code": row.code},
            {
                "name": row.name,
                "level": category_level(row.code),
                "parent": parent,
                "fais_incidence": row.fais,
                "carencia": row.carencia,
                "conac_subfunction": row.subfunction,
                "cog_partida": row.cog,
                "unit": row.unit,
            },
        )
        results.append(result)
    return tally(results)


def load_catalogs() -> dict[str, dict[str, int]]:
    """All three catalogues; municipios must be loaded first (municipal agencies point at them)."""
    return {
        "dependencias": load_agencies(),
        "fuentes de financiamiento": load_funding_sources(),
        "categorías": load_categories(),
    }
