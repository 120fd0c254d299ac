"""What the read/check step (planning.imports) hands the write step (planning.import_writers).

Both import this module and neither imports the other's internals back: the writers depend on the
row types here, never on the readers, so the two steps form no import cycle.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.utils.translation import gettext as _

from gis_core.geometry import GTO_BOUNDS
from gis_core.importers import ImportReport

# Budget files (planning.import_budget): expenditure lines, income lines, transfers to municipios.
BUDGET_TARGETS = ("budget_expense", "budget_income", "budget_transfers")
TARGETS = ("municipios", "agebs", "zones", "works", *BUDGET_TARGETS)
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
    # Works: per coded field, the file's value -> a catalogue code (or "RECHAZAR"): see planning.work_fields.
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)
    publish: bool = False
    default_status: str = "PROGRAMADA"
    # Works: a long-format funding table (folio, source, amount): another file, or a sheet of the XLSX.
    funding_path: str = ""
    funding_sheet: str = ""
    # Budget: replace the years already loaded (ticked by the planner after seeing the difference).
    replace: bool = False

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
    sheets: dict[str, Any] = field(default_factory=dict)  # XLSX: every sheet by name (the first is `rows`)


@dataclass
class CheckedRow:
    row: int
    key: str
    values: dict[str, Any]
    geom: GEOSGeometry | None
    warnings: list[str] = field(default_factory=list)
    work: Any = None  # works: the planning.work_fields.WorkRow checked from `values`
    municipio: Any = None  # works: the municipio the geometry falls in


@dataclass
class Outcome(ImportReport[CheckedRow]):
    """What an import of works, zones or geography reports: the shared report over the rows it
    checked, plus the column each field was read from (and why) and the values no map resolved."""

    mapping: dict[str, str] = field(default_factory=dict)
    guesses: dict[str, str] = field(default_factory=dict)
    unknown_values: dict[str, dict[str, int]] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            **super().summary(),
            "mapping": self.mapping,
            "guesses": self.guesses,
            "unknown_values": self.unknown_values,
            "warned": sum(1 for row in self.kept if row.warnings),
        }


def described_columns(
    columns: list[str], samples: Callable[[int, str], list[str]], mapping: dict[str, str], why: dict[str, str]
) -> list[dict[str, Any]]:
    """The wizard's mapping step, one entry per column of the file: its sample values, the field it
    feeds (guessed or chosen) and why."""
    by_column = {column: name for name, column in mapping.items()}
    return [
        {
            "index": index,
            "name": column,
            "samples": samples(index, column),
            "field": by_column.get(column, ""),
            "why": why.get(by_column.get(column, ""), ""),
        }
        for index, column in enumerate(columns)
    ]


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


NUMBER_TEXT = re.compile(r"^\s*-?[\d,]+(\.\d+)?\s*$")


def parse_number(value: Any) -> Decimal | None:
    """Numbers written as text ("92,040", " 12.5 ") parse; "-", "" and junk are None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    text = str(value).strip().lstrip("'")
    if not NUMBER_TEXT.match(text):
        return None
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def inside_reason(geom: GEOSGeometry) -> str | None:
    x0, y0, x1, y1 = geom.extent
    bx0, by0, bx1, by1 = GTO_BOUNDS
    if x0 >= bx0 and x1 <= bx1 and y0 >= by0 and y1 <= by1:
        return None
    if by0 <= x0 <= by1 and bx0 <= y0 <= bx1:
        return _("orden de ejes invertido: (lat, lon) en lugar de (lon, lat)")
    return _("fuera de Guanajuato")


def municipio_at(geom: GEOSGeometry) -> Any:
    from priority_zones.models import Municipio

    point = geom if geom.geom_type == "Point" else geom.point_on_surface
    return Municipio.objects.filter(geom__intersects=point).first()
