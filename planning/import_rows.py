"""What the read/check step (planning.imports) hands the write step (planning.import_writers).

Both import this module and neither imports the other's internals back: the writers depend on the
row types here, never on the readers, so the two steps form no import cycle.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from dataclasses import dataclass, field
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.utils.translation import gettext as _

from gis_core.importers import RejectedRow

TARGETS = ("municipios", "agebs", "zones", "works")
MODES = ("all", "valid")


class ImportRefused(ValueError):
    """The file as a whole cannot be read (the message says why)."""


@dataclass
class Options:
    target: str
    mode: str = "all"
    repair: bool = False
    mapping: dict[str, str] = field(default_factory=dict)
    fiscal_year: int | None = None
    zone_kind: str = "ZONA_IMPULSO"
    zone_status: str = "DRAFT"
    category_code: str = ""
    frame_version: str = ""
    source_srid: int | None = None
    encoding: str = ""

    def __post_init__(self) -> None:
        if self.target not in TARGETS:
            raise ImportRefused(_("Destino desconocido: %(t)s.") % {"t": self.target})
        if self.mode not in MODES:
            raise ImportRefused(_("Modo desconocido: %(m)s (use «all» o «valid»).") % {"m": self.mode})


@dataclass
class Table:
    rows: list[dict[str, Any]]  # column -> value, plus "__geom__" (a GEOSGeometry in 4326 or None)
    columns: list[str]
    driver: str
    crs: str
    encoding: str
    notes: list[str] = field(default_factory=list)


@dataclass
class CheckedRow:
    row: int
    key: str
    values: dict[str, Any]
    geom: GEOSGeometry | None
    warnings: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    source: str
    kept: list[CheckedRow] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "rows": len(self.kept) + len(self.rejected),
            "kept": len(self.kept),
            "rejected": len(self.rejected),
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "written": self.written,
            "notes": self.notes,
        }

    def rejected_csv(self, table: Table | None = None) -> str:
        """The rejected rows with their reason first, then the original columns: fix and re-import."""
        out = io.StringIO()
        columns = table.columns if table else []
        writer = csv.writer(out)
        writer.writerow(["fila", "clave", "motivo", *columns])
        originals = {i + 1: r for i, r in enumerate(table.rows)} if table else {}
        for r in self.rejected:
            original = originals.get(r.row, {})
            writer.writerow([r.row, r.key, r.reason, *(_plain(original.get(c)) for c in columns)])
        return out.getvalue()


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value


def as_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().lstrip("'")


def row_folio(values: dict[str, Any]) -> str:
    """The row's folio, or for rows without one a folio derived from its content (stable on re-import)."""
    folio = as_text(values.get("folio"))
    if folio:
        return folio[:40]
    basis = "|".join(as_text(values.get(k)) for k in ("name", "fiscal_year", "lon", "lat", "wkt"))
    return "SF-" + hashlib.sha256(basis.encode()).hexdigest()[:16]


def municipio_at(geom: GEOSGeometry) -> Any:
    from priority_zones.models import Municipio

    point = geom if geom.geom_type == "Point" else geom.point_on_surface
    return Municipio.objects.filter(geom__intersects=point).first()
