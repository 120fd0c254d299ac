"""The models of priority_zones, one module per domain: INEGI geography, zones, households."""

from priority_zones.models.geography import (
    FRAME_VERSION_HELP,
    Ageb,
    Ambito,
    Localidad,
    MunicipalPoverty,
    Municipio,
)
from priority_zones.models.households import (
    AccessLog,
    Diagnostic,
    DisclosureUnit,
    Household,
    Person,
    PovertyLine,
)
from priority_zones.models.zones import SourceDocument, Zone

__all__ = [
    "FRAME_VERSION_HELP",
    "AccessLog",
    "Ageb",
    "Ambito",
    "Diagnostic",
    "DisclosureUnit",
    "Household",
    "Localidad",
    "MunicipalPoverty",
    "Municipio",
    "Person",
    "PovertyLine",
    "SourceDocument",
    "Zone",
]
