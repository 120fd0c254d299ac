"""Imports that never lose data: any file GDAL or pandas reads -> checked rows -> one transaction.

Steps: `read_table` (format, CRS and text encoding detected; CSV/XLSX geometry from lon/lat or WKT
columns), `check_rows` (every row kept or rejected with a reason: geometry present, of the right
type, valid or repaired by choice, inside Guanajuato with the axis order right, required fields,
numbers written as text, duplicates by key), then `write_rows` (all-or-nothing or keep the valid
rows; upsert by key, so re-importing the same file changes nothing). Targets: INEGI municipios and
AGEB, zones, and works.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.utils.translation import gettext as _

from gis_core.importers import diagnose_lonlat
from planning import import_budget
from planning.import_rows import (
    BUDGET_TARGETS,
    MODES,
    TARGETS,
    CheckedRow,
    ImportRefused,
    Options,
    Outcome,
    Table,
    as_text,
    row_folio,
)
from planning.import_rows import inside_reason as _inside_reason
from planning.import_rows import parse_number as _number
from planning.import_works import check_works
from planning.import_writers import write_rows
from planning.work_fields import (
    FUNDING_PREFIX,
    WORK_FIELDS,
    column_key,
)

# Re-exported: callers (views, jobs, the import_file command) reach these through planning.imports.
__all__ = ["BUDGET_TARGETS", "MODES", "TARGETS", "CheckedRow", "ImportRefused", "Options", "Outcome", "Table"]

GEOMETRY_EXTENSIONS = (".zip", ".shp", ".gpkg", ".geojson", ".json", ".topojson", ".fgb")
TABLE_EXTENSIONS = (".csv", ".xlsx")

# Default column for each geography or zone field: the first candidate present in the file. Works
# take theirs from planning.work_fields.WORK_FIELDS (every field a register has).
CANDIDATES: dict[str, tuple[str, ...]] = {
    "cvegeo": ("cvegeo", "cve_geo", "cvegeo_mun", "clave"),
    "name": ("nomgeo", "nom_mun", "nombre", "name", "nom_agem", "id", "nombre_ppi"),
    "population": ("pob", "pobtot", "pob1", "population", "poblacion"),
    "lon": WORK_FIELDS["lon"].candidates,
    "lat": WORK_FIELDS["lat"].candidates,
    "wkt": WORK_FIELDS["wkt"].candidates,
}
GEOGRAPHY_FIELDS = ("cvegeo", "name", "population", "lon", "lat", "wkt")
TARGET_FIELDS: dict[str, tuple[str, ...]] = {
    "municipios": GEOGRAPHY_FIELDS,
    "agebs": GEOGRAPHY_FIELDS,
    "zones": GEOGRAPHY_FIELDS,
    "works": tuple(WORK_FIELDS),
    **{target: import_budget.fields(target) for target in import_budget.KINDS},
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "municipios": ("cvegeo", "name"),
    "agebs": ("cvegeo",),
    "zones": ("name",),
    "works": ("name",),
    **{target: import_budget.required(target) for target in import_budget.KINDS},
}
POLYGON_TARGETS = ("municipios", "agebs", "zones")


# --- reading ---------------------------------------------------------------------------------------


def _dbf_encoding(dbf: bytes) -> str | None:
    """The code page a DBF declares in its language driver byte (offset 29), for files without .cpg."""
    ldid = dbf[29] if len(dbf) > 29 else 0
    return {0x57: "cp1252", 0x03: "cp1252", 0x01: "cp437", 0x02: "cp850", 0x64: "cp852"}.get(ldid)


def _shapefile_encoding(path: Path) -> tuple[str | None, str]:
    """(encoding to force or None, where it came from) for a .shp or a .zip holding one."""
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if any(n.lower().endswith(".cpg") for n in names):
                return None, ".cpg"
            dbf = [n for n in names if n.lower().endswith(".dbf")]
            if not dbf:
                return None, ""
            with archive.open(dbf[0]) as handle:
                head = handle.read(32)
    else:
        if path.with_suffix(".cpg").exists() or path.with_suffix(".CPG").exists():
            return None, ".cpg"
        dbf_path = path.with_suffix(".dbf")
        if not dbf_path.exists():
            return None, ""
        head = dbf_path.read_bytes()[:32]
    found = _dbf_encoding(head)
    return (found, "LDID") if found else ("cp1252", _("sin .cpg ni LDID: se supone cp1252"))


def _zip_target(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        bad = [n for n in archive.namelist() if n.startswith("/") or ".." in Path(n).parts]
        if bad:
            raise ImportRefused(_("El ZIP contiene rutas no permitidas."))
        shapes = [n for n in archive.namelist() if n.lower().endswith((".shp", ".gpkg", ".geojson"))]
    if not shapes:
        raise ImportRefused(_("El ZIP no contiene un Shapefile (.shp), GeoPackage ni GeoJSON."))
    return f"/vsizip/{path}/{shapes[0]}"


def read_table(path: Path, options: Options) -> Table:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in TABLE_EXTENSIONS:
        return _read_tabular(path, options)
    if suffix not in GEOMETRY_EXTENSIONS:
        raise ImportRefused(
            _(
                "Formato no admitido (%(s)s): use ZIP de Shapefile, GeoPackage, GeoJSON, TopoJSON, "
                "FlatGeobuf, CSV o XLSX."
            )
            % {"s": suffix or "?"}
        )
    import pyogrio

    source = _zip_target(path) if suffix == ".zip" else str(path)
    encoding, encoding_note = options.encoding or None, ""
    if encoding is None and (suffix == ".shp" or (suffix == ".zip" and ".shp" in source.lower())):
        encoding, encoding_note = _shapefile_encoding(path)
    try:
        info = pyogrio.read_info(source, encoding=encoding)
        frame = pyogrio.read_dataframe(source, encoding=encoding)
    except Exception as error:  # GDAL's own message says what it could not read
        raise ImportRefused(_("No se pudo leer el archivo: %(e)s") % {"e": error}) from None
    notes = []
    crs = frame.crs
    if options.source_srid:
        frame = frame.set_crs(options.source_srid, allow_override=True)
        notes.append(_("SRC indicado por el usuario: EPSG:%(s)s") % {"s": options.source_srid})
    elif crs is None:
        frame = frame.set_crs(4326)
        notes.append(_("El archivo no declara SRC: se supone EPSG:4326 (lon, lat)."))
    epsg = frame.crs.to_epsg(min_confidence=60)
    declared = f"EPSG:{epsg}" if epsg else frame.crs.name
    if epsg != 4326:
        frame = frame.to_crs(4326)
        notes.append(_("Reproyectado de %(c)s a EPSG:4326.") % {"c": declared})
    if encoding:
        notes.append(_("Codificación de texto: %(e)s (%(w)s).") % {"e": encoding, "w": encoding_note})
    columns = [c for c in frame.columns if c != "geometry"]
    rows = []
    for record in frame.to_dict("records"):
        shape = record.pop("geometry", None)
        record["__geom__"] = (
            GEOSGeometry(memoryview(shape.wkb), srid=4326)
            if shape is not None and not shape.is_empty
            else None
        )
        rows.append(record)
    return Table(
        rows, columns, info.get("driver", ""), declared, encoding or info.get("encoding") or "", notes
    )


def _read_tabular(path: Path, options: Options) -> Table:
    import pandas as pd

    notes = []
    encoding = options.encoding or ""
    sheets: dict[str, Any] = {}
    if path.suffix.lower() == ".xlsx":
        try:
            sheets = pd.read_excel(path, dtype=str, sheet_name=None)
        except Exception as error:  # openpyxl's message says what it could not read
            raise ImportRefused(_("No se pudo leer el libro XLSX: %(e)s") % {"e": error}) from None
        if not sheets:
            raise ImportRefused(_("El libro XLSX no tiene hojas."))
        frame = next(iter(sheets.values()))
        encoding = "xlsx"
    else:
        raw = path.read_bytes()
        if not encoding:
            try:
                raw.decode("utf-8-sig")
                encoding = "utf-8-sig"
            except UnicodeDecodeError:
                encoding = "cp1252"
                notes.append(_("El CSV no es UTF-8: se leyó como cp1252."))
        frame = pd.read_csv(io.BytesIO(raw), dtype=str, encoding=encoding, keep_default_na=False)
    columns = list(frame.columns)
    mapping = resolve_mapping(columns, options)
    srid = options.source_srid or 4326
    if options.source_srid:
        notes.append(_("SRC indicado por el usuario: EPSG:%(s)s") % {"s": srid})
    rows = []
    for record in frame.to_dict("records"):
        record["__geom__"] = _geometry_from_columns(record, mapping, srid)
        rows.append(record)
    driver = "CSV" if encoding != "xlsx" else "XLSX"
    return Table(rows, columns, driver, f"EPSG:{srid}", encoding, notes, sheets=sheets)


def _geometry_from_columns(record: dict[str, Any], mapping: dict[str, str], srid: int) -> Any:
    """A GEOSGeometry, None (no geometry) or a str saying why the columns are not a geometry."""
    if mapping.get("wkt") and str(record.get(mapping["wkt"]) or "").strip():
        try:
            geom = GEOSGeometry(str(record[mapping["wkt"]]).strip(), srid=srid)
        except Exception:
            return _("WKT ilegible")
    elif mapping.get("lon") and mapping.get("lat"):
        lon, lat = _number(record.get(mapping["lon"])), _number(record.get(mapping["lat"]))
        if lon is None or lat is None:
            return _("coordenadas ausentes o no numéricas")
        if srid == 4326:
            reason = diagnose_lonlat(lon, lat)
            if reason is not None:
                return reason
        geom = GEOSGeometry(f"POINT({lon} {lat})", srid=srid)
    else:
        return None
    if geom.srid != 4326:
        geom.transform(4326)
    return geom


def resolve_mapping(columns: list[str], options: Options) -> dict[str, str]:
    """Target field -> source column: the user's choice, else the most specific known name present."""
    return guess_mapping(columns, options)[0]


def _candidates(target: str, name: str) -> tuple[str, ...]:
    return WORK_FIELDS[name].candidates if target == "works" else CANDIDATES[name]


def guess_mapping(columns: list[str], options: Options) -> tuple[dict[str, str], dict[str, str]]:
    """(field -> column, field -> why that column). Refuses fields the target does not have and
    columns the file does not have, naming them, before any row is read."""
    fields = TARGET_FIELDS[options.target]
    by_key = {column_key(c): c for c in reversed(columns)}
    mapping: dict[str, str] = {}
    why: dict[str, str] = {}
    for target_field, chosen in options.mapping.items():
        if not chosen:
            continue
        is_funding = options.target == "works" and target_field.startswith(FUNDING_PREFIX)
        if target_field not in fields and not is_funding:
            raise ImportRefused(
                _("Campo desconocido «%(f)s» para %(t)s. Los campos son: %(all)s.")
                % {"f": target_field, "t": options.target, "all": ", ".join(fields)}
            )
        column = chosen if chosen in columns else by_key.get(column_key(chosen))
        if column is None:
            raise ImportRefused(
                _("La columna «%(c)s» (para «%(f)s») no está en el archivo. Sus columnas son: %(all)s.")
                % {"c": chosen, "f": target_field, "all": ", ".join(columns)}
            )
        mapping[target_field] = column
        why[target_field] = _("indicada por usted")
    used = set(mapping.values())
    for target_field in fields:
        if target_field in mapping or target_field in options.mapping:
            continue  # chosen, or left empty on purpose ("" = do not import this field)
        present = [by_key[c] for c in _candidates(options.target, target_field) if c in by_key]
        present = [c for c in present if c not in used]
        if not present:
            continue
        mapping[target_field] = present[0]
        used.add(present[0])
        why[target_field] = _("nombre reconocido")
        if len(present) > 1:
            why[target_field] += _(" (preferida a %(o)s: un nombre más específico)") % {
                "o": ", ".join(present[1:])
            }
    return mapping, why


# --- checking --------------------------------------------------------------------------------------


def _polygonal(geom: GEOSGeometry, repair: bool) -> tuple[MultiPolygon | None, str | None, str | None]:
    """(multipolygon, rejection reason, warning)."""
    import shapely
    from shapely.validation import explain_validity

    warning = None
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return None, _("se esperaba un polígono, se recibió %(t)s") % {"t": geom.geom_type}, None
    if not geom.valid:
        shape = shapely.from_wkb(bytes(geom.wkb))
        why = explain_validity(shape)
        if not repair:
            return None, _("geometría inválida: %(why)s") % {"why": why}, None
        fixed = shapely.make_valid(shape)
        parts = [g for g in getattr(fixed, "geoms", [fixed]) if g.geom_type in ("Polygon", "MultiPolygon")]
        if not parts:
            return None, _("geometría inválida sin reparación poligonal: %(why)s") % {"why": why}, None
        fixed = shapely.unary_union(parts)
        geom = GEOSGeometry(memoryview(fixed.wkb), srid=4326)
        warning = _("geometría reparada (%(why)s)") % {"why": why}
    # A MultiPolygon from here on (mypy cannot follow geom_type).
    if geom.geom_type == "Polygon":
        geom = MultiPolygon(geom, srid=4326)
    return geom, None, warning  # type: ignore[return-value]


def refuse_missing(mapping: dict[str, str], options: Options) -> None:
    """Refuse a mapping without a column for a field the target requires."""
    missing_columns = [f for f in REQUIRED[options.target] if f not in mapping]
    if options.target == "municipios" and "name" in missing_columns and "cvegeo" in mapping:
        missing_columns.remove("name")
    if missing_columns:
        raise ImportRefused(
            _("Faltan columnas para: %(f)s. Indique cuáles usar.") % {"f": ", ".join(missing_columns)}
        )


def check_rows(table: Table, options: Options, source: str) -> Outcome:
    if import_budget.is_budget(options.target):  # checked by the budget app: planning.import_budget
        raise ImportRefused(
            _("Un archivo de presupuesto se carga con el asistente o con manage.py load_budget.")
        )
    mapping, why = guess_mapping(table.columns, options)
    # No cap on the rejections listed: the planner fixes the rejected-rows CSV and imports it again,
    # so it must hold every refused row (the whole table is in memory here anyway).
    outcome = Outcome(source=source, limit=None, notes=list(table.notes), mapping=mapping, guesses=why)
    refuse_missing(mapping, options)
    outcome.notes.append(
        _("Columnas usadas: %(m)s") % {"m": ", ".join(f"{k}={v}" for k, v in mapping.items())}
    )
    if options.target == "works":
        return check_works(table, options, outcome)
    seen: set[str] = set()
    for index, record in enumerate(table.rows, start=1):
        outcome.read += 1
        values = {f: record.get(column) for f, column in mapping.items()}
        key = _row_key(values, options) or f"fila-{index}"
        reason, geom, warnings = _check_one(record.get("__geom__"), values, options)
        if reason is None and key in seen:
            reason = _("duplicada en el archivo (misma clave %(k)s)") % {"k": key}
        if reason is not None:
            outcome.reject(index, key, reason)
            continue
        seen.add(key)
        outcome.keep(CheckedRow(index, key, values, geom, warnings))
    return outcome


def _row_key(values: dict[str, Any], options: Options) -> str:
    if options.target in ("municipios", "agebs"):
        return as_text(values.get("cvegeo")) or as_text(values.get("name"))
    if options.target == "zones":
        return as_text(values.get("cvegeo")) or as_text(values.get("name"))
    year = as_text(values.get("fiscal_year")) or str(options.fiscal_year or "")
    return f"{row_folio(values)}/{year}"


def _check_one(geom: Any, values: dict[str, Any], options: Options) -> tuple[str | None, Any, list[str]]:
    warnings: list[str] = []
    if isinstance(geom, str):
        return geom, None, warnings
    if geom is None:
        return _("sin geometría"), None, warnings
    for required in REQUIRED[options.target]:
        if required == "name" and options.target == "municipios" and as_text(values.get("cvegeo")):
            continue
        if not as_text(values.get(required)):
            return _("falta el campo obligatorio «%(f)s»") % {"f": required}, None, warnings
    if options.target in POLYGON_TARGETS:
        geom, reason, warning = _polygonal(geom, options.repair)
        if reason is not None:
            return reason, None, warnings
        if warning:
            warnings.append(warning)
    if geom.geom_type == "Point":
        reason = diagnose_lonlat(geom.x, geom.y)
    else:
        reason = _inside_reason(geom)
    if reason is not None:
        return reason, None, warnings
    if options.target == "agebs" and not re.fullmatch(r"11\d{7}[0-9A-Z]{4}", as_text(values.get("cvegeo"))):
        return (
            _("CVEGEO de AGEB ajena a Guanajuato o mal formada: %(c)s") % {"c": values.get("cvegeo")},
            None,
            warnings,
        )
    if options.target == "agebs":
        from priority_zones.models import Municipio

        if not Municipio.objects.filter(cvegeo=as_text(values.get("cvegeo"))[:5]).exists():
            return (
                _("no existe el municipio %(m)s de la AGEB") % {"m": as_text(values.get("cvegeo"))[:5]},
                None,
                warnings,
            )
    if options.target == "municipios" and not re.fullmatch(r"11\d{3}", as_text(values.get("cvegeo"))):
        return (
            _("CVEGEO de municipio inválida (5 dígitos, entidad 11): %(c)s") % {"c": values.get("cvegeo")},
            None,
            warnings,
        )
    if "population" in values:
        raw = values.get("population")
        number = _number(raw)
        if as_text(raw) and number is None:
            warnings.append(_("población ilegible («%(v)s»): se deja vacía") % {"v": as_text(raw)})
        values["population"] = int(number) if number is not None and number >= 0 else None
    return None, geom, warnings


def run_import(
    path: Path, options: Options, *, acting_user=None, write: bool = True, progress=None
) -> tuple[Outcome, Table]:
    table = read_table(path, options)
    outcome = check_rows(table, options, Path(path).name)
    # A dry run writes and rolls back: it refuses exactly what the real run refuses.
    write_rows(outcome, options, acting_user=acting_user, progress=progress, dry_run=not write)
    return outcome, table
