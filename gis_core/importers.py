"""Files -> validated rows + an ImportReport: what was kept, what was refused and why, what was written.

No row disappears silently: every input row is either in `kept` (possibly with warnings) or in
`rejected` with a reason a person can act on (swapped axes, a missing minus sign, metres instead
of degrees, a point outside the state).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from django.contrib.gis.geos import Point
from django.utils.translation import gettext as _

from gis_core.geometry import GTO_BOUNDS, STORAGE_SRID

# How many rejections a report lists. It counts every one, but a streaming import of millions of
# rows must not hold millions of reasons in memory or write them all to one CSV.
MAX_REJECTIONS_LISTED = 10_000

# The rejected-rows CSV's header for each RejectedRow field. Literal, not translated: the CSV is a
# file people fix and import again, so its columns do not change with the interface language.
ROW_KEY_REASON: Mapping[str, str] = {"row": "fila", "key": "clave", "reason": "motivo"}


class Keyed(Protocol):
    """A kept row: its number in the file and its key (what a person searches the file for)."""

    row: int
    key: str


class Tabular(Protocol):
    """The rows as read, so the rejected-rows CSV can repeat each refused row's original values."""

    columns: list[str]
    rows: list[dict[str, Any]]


@dataclass
class KeptRow:
    row: int
    key: str
    point: Point
    properties: dict[str, Any]
    location: str  # what `locate` returned, e.g. the municipio's CVEGEO
    warnings: list[str] = field(default_factory=list)


@dataclass
class RejectedRow:
    row: int
    key: str
    reason: str
    column: str = ""  # the column at fault, when the check names one

    def labelled(self, labels: Mapping[str, str]) -> dict[str, Any]:
        return {label: getattr(self, name) for name, label in labels.items()}


K = TypeVar("K", bound=Keyed)


@dataclass
class ImportReport(Generic[K]):
    """Every row read ends up kept or rejected with a reason; the write step adds what it stored.

    The counts derive from the lists plus what was not held in them (`kept_unheld` for a streaming
    importer that writes its rows as it goes, `rejected_unlisted` past the cap), so they cannot
    drift from what the report shows.
    """

    # A subclass may list its rejections as its own RejectedRow type, under its own CSV header.
    rejection_type: ClassVar[type[RejectedRow]] = RejectedRow
    rejection_labels: ClassVar[Mapping[str, str]] = ROW_KEY_REASON

    source: str = ""
    limit: int | None = MAX_REJECTIONS_LISTED  # None: list every rejection
    read: int = 0  # rows read from the file (may differ from kept + rejected: a household spans rows)
    kept: list[K] = field(default_factory=list)
    kept_unheld: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    rejected_unlisted: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    committed: bool = False  # the write step's transaction was committed (not a dry run, not refused)
    notes: list[str] = field(default_factory=list)

    @property
    def kept_count(self) -> int:
        return len(self.kept) + self.kept_unheld

    @property
    def rejected_count(self) -> int:
        return len(self.rejected) + self.rejected_unlisted

    @property
    def total(self) -> int:
        return self.kept_count + self.rejected_count

    @property
    def written(self) -> int:
        return self.created + self.updated

    @property
    def ok(self) -> bool:
        return self.rejected_count == 0

    def keep(self, row: K) -> None:
        self.kept.append(row)

    def count_kept(self, count: int) -> None:
        """Rows kept and handed on without holding them here (a streaming import)."""
        self.kept_unheld += count

    def reject(self, row: int, key: str, reason: str, column: str = "") -> None:
        if self.limit is None or len(self.rejected) < self.limit:
            self.rejected.append(self.rejection_type(row, key, reason, column))
        else:
            self.rejected_unlisted += 1

    def withdraw(self, rows: Iterable[K], reason: str) -> None:
        """Reject rows that were kept (the write step refused them); the list stays in file order."""
        withdrawn = {id(row): row for row in rows}
        if not withdrawn:
            return
        self.kept = [row for row in self.kept if id(row) not in withdrawn]
        for row in withdrawn.values():
            self.reject(row.row, row.key, reason)
        self.rejected.sort(key=lambda r: r.row)

    def tally(self, result: str, count: int = 1) -> None:
        """Count what the write did to a row: "created", "updated" or "unchanged"."""
        if result not in ("created", "updated", "unchanged"):
            raise ValueError(f"unknown write result: {result!r}")
        setattr(self, result, getattr(self, result) + count)

    def forget_writes(self) -> None:
        """The write was rolled back: nothing it counted is stored."""
        self.created = self.updated = self.unchanged = 0
        self.committed = False

    def summary(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "rows": self.total,
            "kept": self.kept_count,
            "rejected": self.rejected_count,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "written": self.committed,
            "notes": self.notes,
        }

    def rejected_csv(self, table: Tabular | None = None) -> str:
        """The listed rejections, reason included, then the row's original columns from `table`
        (its rows numbered from 1): a person fixes those rows and imports them again."""
        columns = table.columns if table else []
        originals = table.rows if table else []
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([*self.rejection_labels.values(), *columns])
        for r in self.rejected:
            original = originals[r.row - 1] if 0 < r.row <= len(originals) else {}
            fields = r.labelled(self.rejection_labels).values()
            writer.writerow([*fields, *(_plain(original.get(c)) for c in columns)])
        return out.getvalue()


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value


def _inside(lon: float, lat: float) -> bool:
    x0, y0, x1, y1 = GTO_BOUNDS
    return x0 <= lon <= x1 and y0 <= lat <= y1


def diagnose_lonlat(lon: Any, lat: Any) -> str | None:
    """Why (lon, lat) cannot be a point in Guanajuato, or None when it can."""
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        return _("coordenadas ausentes o no numéricas")
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return _("coordenadas no finitas")
    if _inside(lat, lon):
        return _("orden de ejes invertido: (lat, lon) en lugar de (lon, lat)")
    if abs(lon) > 180 or abs(lat) > 90:
        return _("coordenadas fuera de rango: no están en grados (¿metros o grados sin punto decimal?)")
    if _inside(-lon, lat) or _inside(-lat, lon) or _inside(-lat, -lon) or _inside(lon, -lat):
        return _("falta el signo de una coordenada (en Guanajuato la longitud es negativa)")
    if not _inside(lon, lat):
        return _("fuera de Guanajuato")
    return None


def fits_decimal_field(value: Decimal, field: Any) -> bool:
    """Whether `value` is finite and stores in the model's DecimalField (numeric(max_digits,
    decimal_places)) after rounding: checked per row before writing, so an amount like 1e20 is a
    row refused with its reason, not a failed import at write time."""
    if not value.is_finite():
        return False
    integer_digits = field.max_digits - field.decimal_places
    if value != 0 and value.adjusted() >= integer_digits:
        return False
    return abs(value.quantize(Decimal(1).scaleb(-field.decimal_places))) < Decimal(10) ** integer_digits


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        return None


def read_points(
    path: Path,
    *,
    key_field: str,
    locate: Callable[[Point], str | None],
    amount_fields: tuple[str, ...] = (),
    period_field: str | None = None,
) -> ImportReport[KeptRow]:
    """Read a point layer (any OGR format) and validate each row's position.

    `locate` answers which unit (e.g. municipio CVEGEO) contains a point; a point inside the
    state's box but in no unit is refused too. Amount fields are parsed to Decimal; an empty or
    unreadable amount is kept as None with a warning (the row is still a real project).
    """
    import pyogrio

    frame = pyogrio.read_dataframe(path)
    report: ImportReport[KeptRow] = ImportReport(source=Path(path).name)
    seen: set[tuple[str, Any]] = set()
    for index, record in enumerate(frame.itertuples(index=False), start=1):
        report.read += 1
        props = {k: v for k, v in record._asdict().items() if k != "geometry"}
        props = {
            k: (None if v is None or (isinstance(v, float) and math.isnan(v)) else v)
            for k, v in props.items()
        }
        key = str(props.get(key_field) or "").strip().lstrip("'") or f"fila-{index}"
        geom = record.geometry
        if geom is None or geom.is_empty or geom.geom_type != "Point":
            report.reject(index, key, _("sin geometría de punto"))
            continue
        reason = diagnose_lonlat(geom.x, geom.y)
        if reason is not None:
            report.reject(index, key, reason)
            continue
        point = Point(float(geom.x), float(geom.y), srid=STORAGE_SRID)
        location = locate(point)
        if location is None:
            report.reject(index, key, _("no cae en ningún municipio de Guanajuato"))
            continue
        warnings = []
        for name in amount_fields:
            value = _decimal(props.get(name))
            if value is None:
                warnings.append(_("%(f)s vacío o ilegible") % {"f": name})
            props[name] = value
        identity = (key, props.get(period_field) if period_field else None)
        if identity in seen:
            report.reject(index, key, _("fila duplicada (misma clave y periodo)"))
            continue
        seen.add(identity)
        report.keep(KeptRow(index, key, point, props, location, warnings))
    return report
