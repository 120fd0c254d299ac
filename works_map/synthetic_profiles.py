"""What a synthetic work of each leaf category looks like: shape, money, goals, who pays, who executes."""

from __future__ import annotations

from typing import NamedTuple


class Profile(NamedTuple):
    weight: float
    shape: str  # P point, L line, A polygon (area)
    subject: str
    median_amount: float
    goal: tuple[float, float]
    schemes: tuple[str, ...]
    state_executor: str  # which state agency executes when the state does: SOCIAL, OBRAS or AGUA
    modalities: tuple[str, ...] = ("CONSTRUCCION", "AMPLIACION", "REHABILITACION")
    kind: str = "OBRA"
    unit: str = "PERSONAS"


DEFAULT_MODALITIES = ("CONSTRUCCION", "AMPLIACION", "REHABILITACION")
# FISMDF twice: most FAIS works are municipal.
FAIS_MUN = ("FISMDF", "FISMDF", "FISMDF_BENEF", "FISE", "FORTAMUN")

# weight, shape, subject, median amount (MXN), goal range, funding schemes, state executor,
# [modalities, [kind, beneficiary unit]]
# fmt: off
PROFILES: dict[str, Profile] = {
    "AGUA_POTABLE.RED": Profile(
        8, "L", "red de agua potable", 1.8e6, (150, 3000),
        FAIS_MUN + ("AGUA_FED",), "AGUA"),
    "AGUA_POTABLE.POZO": Profile(
        2, "P", "pozo profundo de agua potable", 4.5e6, (1, 1),
        ("FISMDF", "AGUA_FED"), "AGUA", ("CONSTRUCCION", "REHABILITACION", "EQUIPAMIENTO")),
    "AGUA_POTABLE.TANQUE": Profile(
        2, "P", "tanque de almacenamiento de agua", 1.2e6, (1, 2),
        FAIS_MUN, "AGUA"),
    "AGUA_POTABLE.PLUVIAL": Profile(
        2, "P", "sistemas de captación de agua pluvial", 6e5, (5, 80),
        ("FISMDF", "FISE"), "SOCIAL", ("CONSTRUCCION",), "ACCION", "VIVIENDAS"),
    "ALCANTARILLADO_DRENAJE_LETRINAS.DRENAJE": Profile(
        8, "L", "red de drenaje sanitario", 2.1e6, (150, 2500),
        FAIS_MUN + ("AGUA_FED",), "AGUA"),
    "ALCANTARILLADO_DRENAJE_LETRINAS.PTAR": Profile(
        1, "A", "planta de tratamiento de aguas residuales", 9e6, (1, 1),
        ("AGUA_FED", "ESTATAL"), "AGUA"),
    "ALCANTARILLADO_DRENAJE_LETRINAS.LETRINA": Profile(
        2, "P", "sanitarios con biodigestor", 7e5, (5, 60),
        ("FISMDF", "FISE"), "SOCIAL", ("CONSTRUCCION",), "ACCION", "VIVIENDAS"),
    "ALCANTARILLADO_DRENAJE_LETRINAS.PLUVIAL": Profile(
        2, "L", "drenaje pluvial", 2.5e6, (100, 1500),
        ("FISMDF", "ESTATAL_MUN", "MUNICIPAL"), "OBRAS"),
    "URBANIZACION.PAVIMENTACION.CONCRETO": Profile(
        9, "L", "pavimentación con concreto hidráulico", 2.8e6, (400, 9000),
        FAIS_MUN + ("ESTATAL_MUN", "IMPULSO", "MUNICIPAL"), "OBRAS"),
    "URBANIZACION.PAVIMENTACION.EMPEDRADO": Profile(
        4, "L", "empedrado", 9e5, (300, 5000),
        ("FISMDF", "IMPULSO", "MUNICIPAL"), "OBRAS"),
    "URBANIZACION.PAVIMENTACION.ASFALTO": Profile(
        3, "L", "carpeta asfáltica", 3.2e6, (800, 12000),
        ("ESTATAL", "ESTATAL_MUN", "MUNICIPAL"), "OBRAS", ("CONSTRUCCION", "REHABILITACION")),
    "URBANIZACION.BANQUETAS": Profile(
        4, "L", "guarniciones y banquetas", 8e5, (100, 1500),
        ("FISMDF", "IMPULSO", "MUNICIPAL"), "OBRAS"),
    "URBANIZACION.ALUMBRADO": Profile(
        4, "L", "alumbrado público", 7e5, (10, 120),
        ("FISMDF", "FORTAMUN", "MUNICIPAL"), "OBRAS", ("CONSTRUCCION", "REHABILITACION", "MANTENIMIENTO")),
    "URBANIZACION.CAMINO_RURAL": Profile(
        3, "L", "camino rural", 4e6, (1, 12),
        ("FISE", "ESTATAL", "FISMDF"), "OBRAS", ("CONSTRUCCION", "REHABILITACION")),
    "ELECTRIFICACION.RED": Profile(
        4, "L", "red de distribución eléctrica", 1.3e6, (200, 3000),
        ("FISMDF", "FISE"), "OBRAS", ("CONSTRUCCION", "AMPLIACION")),
    "ELECTRIFICACION.SOLAR": Profile(
        1, "P", "paneles solares en viviendas", 5e5, (5, 40),
        ("FISMDF", "FISE"), "SOCIAL", ("EQUIPAMIENTO",), "ACCION", "VIVIENDAS"),
    "INFRA_SALUD.CENTRO": Profile(
        2, "A", "centro de salud", 8e6, (1, 1),
        ("FISE", "ESTATAL"), "OBRAS", ("CONSTRUCCION", "AMPLIACION", "REHABILITACION", "EQUIPAMIENTO")),
    "INFRA_SALUD.DISPENSARIO": Profile(
        1, "P", "dispensario médico", 1.5e6, (1, 1),
        ("FISMDF", "FISE"), "OBRAS"),
    "INFRA_EDUCACION.AULA": Profile(
        3, "P", "aula en escuela pública", 9e5, (1, 4),
        ("FISMDF", "FISE", "ESTATAL"), "OBRAS"),
    "INFRA_EDUCACION.SANITARIOS": Profile(
        2, "P", "sanitarios escolares", 6e5, (1, 2),
        ("FISMDF", "FISE"), "OBRAS", ("CONSTRUCCION", "REHABILITACION")),
    "INFRA_EDUCACION.TECHADO": Profile(
        3, "A", "techado de cancha escolar", 1.4e6, (300, 900),
        ("FISMDF", "ESTATAL_MUN"), "OBRAS", ("CONSTRUCCION",)),
    "MEJORAMIENTO_VIVIENDA.PISO": Profile(
        3, "P", "piso firme", 3e5, (5, 80),
        ("FISMDF", "FISE", "IMPULSO"), "SOCIAL", ("MEJORAMIENTO",), "ACCION", "VIVIENDAS"),
    "MEJORAMIENTO_VIVIENDA.TECHO": Profile(
        3, "P", "techo firme", 5e5, (5, 60),
        ("FISMDF", "FISE", "IMPULSO"), "SOCIAL", ("MEJORAMIENTO",), "ACCION", "VIVIENDAS"),
    "MEJORAMIENTO_VIVIENDA.MURO": Profile(
        1, "P", "muro firme", 4e5, (5, 50),
        ("FISMDF", "FISE"), "SOCIAL", ("MEJORAMIENTO",), "ACCION", "VIVIENDAS"),
    "MEJORAMIENTO_VIVIENDA.CUARTO": Profile(
        3, "P", "cuartos dormitorio", 1.1e6, (3, 30),
        ("FISMDF", "FISE", "IMPULSO"), "SOCIAL", ("CONSTRUCCION",), "ACCION", "VIVIENDAS"),
    "MEJORAMIENTO_VIVIENDA.ESTUFA": Profile(
        2, "P", "estufas ecológicas", 2.5e5, (10, 150),
        ("FISMDF", "FISE"), "SOCIAL", ("EQUIPAMIENTO",), "ACCION", "VIVIENDAS"),
    "MEJORAMIENTO_VIVIENDA.CALENTADOR": Profile(
        2, "P", "calentadores solares", 3e5, (10, 200),
        ("FISMDF", "IMPULSO", "ESTATAL_MUN"), "SOCIAL", ("EQUIPAMIENTO",), "ACCION", "VIVIENDAS"),
    "MANTENIMIENTO_INFRA.AGUA_DRENAJE": Profile(
        2, "L", "mantenimiento de redes de agua y drenaje", 6e5, (100, 2000),
        ("FISMDF", "MUNICIPAL"), "AGUA", ("MANTENIMIENTO",)),
    "MANTENIMIENTO_INFRA.VIAL": Profile(
        3, "L", "bacheo", 5e5, (200, 6000),
        ("FORTAMUN", "MUNICIPAL"), "OBRAS", ("MANTENIMIENTO",)),
    "ESPACIOS_PUBLICOS.PARQUE": Profile(
        3, "A", "parque público", 2.2e6, (800, 12000),
        ("ESTATAL_MUN", "IMPULSO", "MUNICIPAL"), "OBRAS", ("CONSTRUCCION", "REHABILITACION", "EQUIPAMIENTO")),
    "ESPACIOS_PUBLICOS.DEPORTIVA": Profile(
        2, "A", "unidad deportiva", 4.5e6, (2000, 30000),
        ("ESTATAL", "ESTATAL_MUN"), "OBRAS"),
    "ESPACIOS_PUBLICOS.CENTRO_COMUNITARIO": Profile(
        2, "A", "centro de desarrollo comunitario", 3.5e6, (1, 1),
        ("IMPULSO", "ESTATAL", "ESTATAL_MUN"), "SOCIAL"),
    "IMAGEN_URBANA.FACHADAS": Profile(
        4, "A", "pintura de fachadas", 1.5e6, (1500, 25000),
        ("MCC",), "SOCIAL", ("MEJORAMIENTO",), "ACCION", "VIVIENDAS"),
    "CONECTIVIDAD.CARRETERA": Profile(
        2, "L", "modernización de carretera", 2.5e7, (2, 25),
        ("ESTATAL",), "OBRAS", ("AMPLIACION", "REHABILITACION")),
    "CONECTIVIDAD.PUENTE": Profile(
        1, "P", "puente vehicular", 6e6, (1, 1),
        ("ESTATAL", "ESTATAL_MUN"), "OBRAS"),
    "SEGURIDAD.VIDEOVIGILANCIA": Profile(
        1, "P", "cámaras de videovigilancia", 1.2e6, (4, 60),
        ("FORTAMUN", "ESTATAL"), "OBRAS", ("EQUIPAMIENTO",)),
    "DESARROLLO_HUMANO.CURSOS": Profile(
        2, "P", "cursos y talleres comunitarios", 1.5e5, (20, 300),
        ("IMPULSO", "ESTATAL"), "SOCIAL", ("OTRA",), "ACCION", "PERSONAS"),
    "DESARROLLO_HUMANO.BECAS": Profile(
        1, "P", "becas y apoyos educativos", 4e5, (20, 400),
        ("ESTATAL",), "SOCIAL", ("OTRA",), "ACCION", "PERSONAS"),
    "DESARROLLO_HUMANO.ALIMENTARIO": Profile(
        2, "P", "apoyos alimentarios", 3e5, (20, 500),
        ("ESTATAL", "IMPULSO"), "SOCIAL", ("OTRA",), "ACCION", "HOGARES"),
}
# fmt: on
