"""Files -> validated rows + an ImportReport: what was kept, what was refused and why.

No row disappears silently: every input row is either in `kept` (possibly with warnings) or in
`rejected` with a reason a person can act on (swapped axes, a missing minus sign, metres instead
of degrees, a point outside the state).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.contrib.gis.geos import Point
from django.utils.translation import gettext as _

from gis_core.geometry import GTO_BOUNDS, STORAGE_SRID


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


@dataclass
class ImportReport:
    source: str
    kept: list[KeptRow] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.kept) + len(self.rejected)

    def summary(self) -> str:
        return _("%(src)s: %(k)s filas aceptadas, %(r)s rechazadas.") % {
            "src": self.source,
            "k": len(self.kept),
            "r": len(self.rejected),
        }


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
) -> ImportReport:
    """Read a point layer (any OGR format) and validate each row's position.

    `locate` answers which unit (e.g. municipio CVEGEO) contains a point; a point inside the
    state's box but in no unit is refused too. Amount fields are parsed to Decimal; an empty or
    unreadable amount is kept as None with a warning (the row is still a real project).
    """
    import pyogrio

    frame = pyogrio.read_dataframe(path)
    report = ImportReport(source=Path(path).name)
    seen: set[tuple[str, Any]] = set()
    for index, record in enumerate(frame.itertuples(index=False), start=1):
        props = {k: v for k, v in record._asdict().items() if k != "geometry"}
        props = {
            k: (None if v is None or (isinstance(v, float) and math.isnan(v)) else v)
            for k, v in props.items()
        }
        key = str(props.get(key_field) or "").strip().lstrip("'") or f"fila-{index}"
        geom = record.geometry
        if geom is None or geom.is_empty or geom.geom_type != "Point":
            report.rejected.append(RejectedRow(index, key, _("sin geometría de punto")))
            continue
        reason = diagnose_lonlat(geom.x, geom.y)
        if reason is not None:
            report.rejected.append(RejectedRow(index, key, reason))
            continue
        point = Point(float(geom.x), float(geom.y), srid=STORAGE_SRID)
        location = locate(point)
        if location is None:
            report.rejected.append(RejectedRow(index, key, _("no cae en ningún municipio de Guanajuato")))
            continue
        warnings = []
        for name in amount_fields:
            value = _decimal(props.get(name))
            if value is None:
                warnings.append(_("%(f)s vacío o ilegible") % {"f": name})
            props[name] = value
        identity = (key, props.get(period_field) if period_field else None)
        if identity in seen:
            report.rejected.append(RejectedRow(index, key, _("fila duplicada (misma clave y periodo)")))
            continue
        seen.add(identity)
        report.kept.append(KeptRow(index, key, point, props, location, warnings))
    return report
