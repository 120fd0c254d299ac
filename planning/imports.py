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
import math
import re
import zipfile
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.utils.translation import gettext as _

from gis_core.geometry import GTO_BOUNDS
from gis_core.importers import diagnose_lonlat
from planning.import_rows import (
    MODES,
    TARGETS,
    CheckedRow,
    ImportRefused,
    Options,
    Outcome,
    Table,
    as_text,
    municipio_at,
    row_folio,
)
from planning.import_writers import write_rows
from planning.work_fields import (
    FUNDING_PREFIX,
    WORK_FIELDS,
    Catalogues,
    RowRefused,
    amount_cell,
    check_work,
    column_key,
    field_labels,
    normal,
)

# Re-exported: callers (views, jobs, the import_file command) reach these through planning.imports.
__all__ = ["MODES", "TARGETS", "CheckedRow", "ImportRefused", "Options", "Outcome", "Table"]

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
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "municipios": ("cvegeo", "name"),
    "agebs": ("cvegeo",),
    "zones": ("name",),
    "works": ("name",),
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
            _("Formato no admitido (%(s)s): use ZIP de Shapefile, GeoPackage, GeoJSON, TopoJSON, CSV o XLSX.")
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

NUMBER_TEXT = re.compile(r"^\s*-?[\d,]+(\.\d+)?\s*$")


def _number(value: Any) -> Decimal | None:
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


def _inside_reason(geom: GEOSGeometry) -> str | None:
    x0, y0, x1, y1 = geom.extent
    bx0, by0, bx1, by1 = GTO_BOUNDS
    if x0 >= bx0 and x1 <= bx1 and y0 >= by0 and y1 <= by1:
        return None
    if by0 <= x0 <= by1 and bx0 <= y0 <= bx1:
        return _("orden de ejes invertido: (lat, lon) en lugar de (lon, lat)")
    return _("fuera de Guanajuato")


def check_rows(table: Table, options: Options, source: str) -> Outcome:
    mapping, why = guess_mapping(table.columns, options)
    # No cap on the rejections listed: the planner fixes the rejected-rows CSV and imports it again,
    # so it must hold every refused row (the whole table is in memory here anyway).
    outcome = Outcome(source=source, limit=None, notes=list(table.notes), mapping=mapping, guesses=why)
    missing_columns = [f for f in REQUIRED[options.target] if f not in mapping]
    if options.target == "municipios" and "name" in missing_columns and "cvegeo" in mapping:
        missing_columns.remove("name")
    if missing_columns:
        raise ImportRefused(
            _("Faltan columnas para: %(f)s. Indique cuáles usar.") % {"f": ", ".join(missing_columns)}
        )
    outcome.notes.append(
        _("Columnas usadas: %(m)s") % {"m": ", ".join(f"{k}={v}" for k, v in mapping.items())}
    )
    if options.target == "works":
        return _check_works(table, options, outcome)
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


def _check_works(table: Table, options: Options, outcome: Outcome) -> Outcome:
    """Every register field of every row, against the catalogues and value maps (works_fields)."""
    from works_map.models import Category, FundingSource, WorkStatus

    unknown_maps = sorted(set(options.value_maps) - set(WORK_FIELDS))
    if unknown_maps:
        raise ImportRefused(
            _("Mapa de valores para campos desconocidos: %(f)s.") % {"f": ", ".join(unknown_maps)}
        )
    if options.default_status not in WorkStatus.values:
        raise ImportRefused(_("Estatus desconocido: %(s)s.") % {"s": options.default_status})
    default_category = None
    if options.category_code:
        default_category = Category.objects.filter(code=options.category_code).first()
        if default_category is None:
            raise ImportRefused(_("No existe la categoría «%(c)s».") % {"c": options.category_code})
    elif "category" not in outcome.mapping:
        raise ImportRefused(
            _("Indique la columna de categoría o una categoría para todas las obras (p. ej. --category).")
        )
    funding_columns = {}
    for target_field, column in outcome.mapping.items():
        if target_field.startswith(FUNDING_PREFIX):
            code = target_field[len(FUNDING_PREFIX) :]
            funding_source = FundingSource.objects.filter(code=code).first()
            if funding_source is None:
                raise ImportRefused(
                    _("No existe la fuente de financiamiento «%(c)s» (columna %(col)s).")
                    % {"c": code, "col": column}
                )
            funding_columns[target_field] = funding_source
    catalogues = Catalogues.load(options.value_maps)
    long_funding = _long_funding(table, options, catalogues, outcome)
    localidades = _has_localidades()
    seen: dict[str, int] = {}
    for index, record in enumerate(table.rows, start=1):
        outcome.read += 1
        values = {f: record.get(column) for f, column in outcome.mapping.items()}
        key = _row_key(values, options) or f"fila-{index}"
        warnings: list[str] = []
        try:
            geom, municipio = _work_place(record.get("__geom__"), values)
            _work_year(values, options)
            if key in seen:
                raise RowRefused(_("folio repetido en el archivo (ya en la fila %(r)s)") % {"r": seen[key]})
            if not as_text(values.get("folio")):
                warnings.append(
                    _("sin folio: se usa %(f)s, derivado del contenido de la fila") % {"f": row_folio(values)}
                )
            work = check_work(
                values,
                catalogues,
                default_category=default_category,
                default_status=options.default_status,
                funding_columns=funding_columns,
                warnings=warnings,
            )
            _match_funding(work, values, long_funding, warnings)
            _check_municipio(work, municipio, geom, localidades)
        except RowRefused as refused:
            outcome.reject(index, key, str(refused))
            continue
        seen[key] = index
        row = CheckedRow(index, key, values, geom, warnings, work=work, municipio=municipio)
        outcome.keep(row)
    outcome.unknown_values = catalogues.unknown_summary()
    labels = field_labels()
    for name, counts in outcome.unknown_values.items():
        listed = ", ".join(
            _("«%(v)s» (%(n)s filas)") % {"v": value, "n": count} for value, count in counts.items()
        )
        outcome.notes.append(
            _("Valores sin equivalencia en %(f)s: %(l)s.") % {"f": labels.get(name, name), "l": listed}
        )
    return outcome


def _work_place(geom: Any, values: dict[str, Any]) -> tuple[GEOSGeometry, Any]:
    if isinstance(geom, str):
        raise RowRefused(geom)
    if geom is None:
        raise RowRefused(_("sin geometría (ni columnas de longitud y latitud)"))
    if not geom.valid:
        raise RowRefused(_("geometría inválida: %(why)s") % {"why": geom.valid_reason})
    reason = diagnose_lonlat(geom.x, geom.y) if geom.geom_type == "Point" else _inside_reason(geom)
    if reason is not None:
        raise RowRefused(reason)
    municipio = municipio_at(geom)
    if municipio is None:
        raise RowRefused(_("no cae en ningún municipio de Guanajuato"))
    if not as_text(values.get("name")):
        raise RowRefused(_("falta el campo obligatorio «%(f)s»") % {"f": WORK_FIELDS["name"].label})
    return geom, municipio


def _work_year(values: dict[str, Any], options: Options) -> None:
    raw = values.get("fiscal_year")
    year = _number(raw)
    if as_text(raw) and year is None:
        raise RowRefused(_("el ejercicio fiscal no es un año: «%(v)s»") % {"v": as_text(raw)})
    if year is None and options.fiscal_year:
        year = Decimal(options.fiscal_year)
    if year is None or year != year.to_integral_value() or not 2000 <= year <= 2100:
        raise RowRefused(_("falta el ejercicio fiscal o no es un año entre 2000 y 2100"))
    values["fiscal_year"] = int(year)


def _check_municipio(work: Any, municipio: Any, geom: GEOSGeometry, localidades: bool) -> None:
    """The municipio and localidad from the geometry, or as declared if the geometry agrees."""
    from priority_zones.models import Localidad

    declared = work.declared_municipio
    if declared is not None and declared.pk != municipio.pk:
        raise RowRefused(
            _("la geometría cae en %(g)s (%(gc)s), no en el municipio declarado %(d)s (%(dc)s)")
            % {"g": municipio.name, "gc": municipio.cvegeo, "d": declared.name, "dc": declared.cvegeo}
        )
    work.fields["municipio"] = municipio
    if not localidades:
        return
    point = geom if geom.geom_type == "Point" else geom.point_on_surface
    named = work.localidad_text
    if named:
        in_municipio = Localidad.objects.filter(municipio=municipio)
        found = in_municipio.filter(cvegeo=named).first() or next(
            (loc for loc in in_municipio.only("pk", "name", "geom") if normal(loc.name) == normal(named)),
            None,
        )
        if found is None:
            raise RowRefused(_("no existe la localidad «%(l)s» en %(m)s") % {"l": named, "m": municipio.name})
        if found.geom is not None and not found.geom.buffer(0.005).intersects(point):
            raise RowRefused(_("la geometría no cae en la localidad declarada %(l)s") % {"l": found.name})
        work.fields["localidad"] = found
        return
    work.fields["localidad"] = Localidad.objects.filter(municipio=municipio, geom__intersects=point).first()


def _has_localidades() -> bool:
    from priority_zones.models import Localidad

    return Localidad.objects.exists()


# --- a long-format funding table: folio, source, amount -------------------------------------------

FUNDING_TABLE_FIELDS: dict[str, tuple[str, ...]] = {
    "folio": WORK_FIELDS["folio"].candidates,
    "fiscal_year": WORK_FIELDS["fiscal_year"].candidates,
    "funding_source": (*WORK_FIELDS["funding_source"].candidates, "programa", "source"),
    "amount_approved": (*WORK_FIELDS["amount_approved"].candidates, "importe"),
    "amount_modified": WORK_FIELDS["amount_modified"].candidates,
    "amount_exercised": WORK_FIELDS["amount_exercised"].candidates,
    "amount_paid": WORK_FIELDS["amount_paid"].candidates,
}
FundingSplits = dict[tuple[str, int | None], Any]  # (folio, year or None) -> [(source, amounts)] or a reason


def _funding_frame(table: Table, options: Options) -> tuple[Any, str] | None:
    import pandas as pd

    if options.funding_path:
        path = Path(options.funding_path)
        if not path.is_file():
            raise ImportRefused(_("No existe el archivo de fuentes %(p)s.") % {"p": path})
        if path.suffix.lower() == ".xlsx":
            return pd.read_excel(path, dtype=str, sheet_name=options.funding_sheet or 0), path.name
        raw = path.read_bytes()
        try:
            raw.decode("utf-8-sig")
            encoding = "utf-8-sig"
        except UnicodeDecodeError:
            encoding = "cp1252"
        return pd.read_csv(io.BytesIO(raw), dtype=str, encoding=encoding, keep_default_na=False), path.name
    sheets = table.sheets
    if not sheets:
        return None
    if options.funding_sheet:
        if options.funding_sheet not in sheets:
            raise ImportRefused(
                _("El libro no tiene la hoja «%(h)s»; sus hojas son: %(all)s.")
                % {"h": options.funding_sheet, "all": ", ".join(sheets)}
            )
        return sheets[options.funding_sheet], options.funding_sheet
    for name, frame in list(sheets.items())[1:]:
        keys = {column_key(c) for c in frame.columns}
        if any(c in keys for c in FUNDING_TABLE_FIELDS["folio"]) and any(
            c in keys for c in FUNDING_TABLE_FIELDS["funding_source"]
        ):
            return frame, name
    return None


def _long_funding(table: Table, options: Options, catalogues: Catalogues, outcome: Outcome) -> FundingSplits:
    found = _funding_frame(table, options)
    if found is None:
        return {}
    frame, name = found
    by_key = {column_key(c): c for c in reversed(list(frame.columns))}
    columns = {
        f: next((by_key[c] for c in candidates if c in by_key), None)
        for f, candidates in FUNDING_TABLE_FIELDS.items()
    }
    if not (columns["folio"] and columns["funding_source"] and columns["amount_approved"]):
        raise ImportRefused(
            _("La tabla de fuentes «%(n)s» necesita columnas de folio, fuente y monto; tiene: %(c)s.")
            % {"n": name, "c": ", ".join(map(str, frame.columns))}
        )
    outcome.notes.append(
        _("Fuentes de financiamiento por obra leídas de «%(n)s» (%(r)s filas).")
        % {"n": name, "r": len(frame)}
    )
    splits: FundingSplits = {}
    for number, record in enumerate(frame.to_dict("records"), start=2):
        folio = as_text(record.get(columns["folio"]))[:40]
        year_text = as_text(record.get(columns["fiscal_year"])) if columns["fiscal_year"] else ""
        year = int(year_text) if year_text.isdigit() else None
        key = (folio, year)
        if isinstance(splits.get(key), str):
            continue
        values = {f: record.get(c) for f, c in columns.items() if c and f.startswith("amount")}
        values["funding_source"] = record.get(columns["funding_source"])
        try:
            source, why = catalogues.resolve("funding_source", values["funding_source"])
            if why:
                raise RowRefused(why)
            amounts = {}
            for field_name in ("amount_approved", "amount_modified", "amount_exercised", "amount_paid"):
                if field_name in values:
                    amount = _split_amount(values, field_name)
                    if amount is not None:
                        amounts[field_name] = amount
        except RowRefused as refused:
            splits[key] = _("tabla de fuentes «%(n)s», fila %(r)s: %(why)s") % {
                "n": name,
                "r": number,
                "why": refused,
            }
            continue
        splits.setdefault(key, []).append((source, amounts))
    return splits


def _split_amount(values: dict[str, Any], name: str) -> Decimal | None:
    return amount_cell(values, name, WORK_FIELDS[name].label)


def _match_funding(work: Any, values: dict[str, Any], splits: FundingSplits, warnings: list[str]) -> None:
    if not splits:
        return
    folio = row_folio(values)
    found = splits.get((folio, values["fiscal_year"]), splits.get((folio, None)))
    if found is None:
        return
    if isinstance(found, str):
        raise RowRefused(found)
    total = sum((a.get("amount_approved", Decimal(0)) for _s, a in found), Decimal("0.00"))
    if not work.fields.get("amount_approved"):
        work.fields["amount_approved"] = total
    elif total != work.fields["amount_approved"]:
        warnings.append(
            _("la suma por fuente (%(s)s) difiere del monto aprobado (%(a)s)")
            % {"s": total, "a": work.fields["amount_approved"]}
        )
    work.funding = found


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
