"""Querysets -> streamed GeoJSON (RFC 7946) and CSV, built by PostGIS, in constant memory.

The app that owns the rows writes the SQL (works_map/exports.py for works): one Feature per row as
text, or a `COPY (...) TO STDOUT` of the CSV columns, with `{ids}` where the filtered queryset's
`id` subquery goes. Each feature is written by the database and fetched in batches from a
server-side cursor, so a million rows never sit in Python at once. The SQL templates are the
apps' constants; user input reaches them only as bind parameters inside the queryset's own SQL.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CharField, Func, QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext_noop

if TYPE_CHECKING:
    import pyarrow as pa

FETCH_ROWS = 5000
FILE_BLOCK = 1 << 20
COORD_DECIMALS = 6  # ~0.1 m; RFC 7946 §11.2 recommends not exceeding what the data support


# An export statement is costed high (a row per feature, subqueries per row), so PostgreSQL would JIT
# compile it: seconds of compilation that a streamed export never wins back (measured: 12.3 s with
# JIT, 6.7 s without, for 20,000 works). Set for the export's own transaction only.
NO_JIT = "SET LOCAL jit = off"


def ids_sql(queryset: QuerySet) -> tuple[str, tuple]:
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return sql, tuple(params)


def with_ids(sql: str, queryset: QuerySet) -> tuple[str, tuple]:
    """`sql` with the queryset's id subquery at each `{ids}`, and the parameters for all of them."""
    ids, params = ids_sql(queryset)
    return sql.replace("{ids}", ids), params * sql.count("{ids}")


def geojson_features(queryset: QuerySet, feature_sql: str) -> Iterator[bytes]:
    """The FeatureCollection of the rows of `queryset`, in chunks of bytes. `feature_sql` selects one
    Feature per row as text, takes the coordinate decimals as its first parameter, and has `{ids}`
    where the queryset's ids go."""
    sql, params = with_ids(feature_sql, queryset)
    yield b'{"type":"FeatureCollection","features":[\n'
    first = True
    # Without a transaction Django declares the cursor WITH HOLD, which makes PostgreSQL
    # materialise the whole result before the first row; inside one, rows flow as fetched.
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        with connection.cursor() as setup:
            setup.execute(NO_JIT)
        cursor.execute(sql, (COORD_DECIMALS, *params))
        while rows := cursor.fetchmany(FETCH_ROWS):
            chunk = ",\n".join(row[0] for row in rows).encode()
            yield chunk if first else b",\n" + chunk
            first = False
    yield b"\n]}\n"


def csv_rows(queryset: QuerySet, columns: Sequence[str], copy_sql: str) -> Iterator[bytes]:
    """A CSV (the `columns` header, then one row per row of `queryset`) via `copy_sql`, a COPY TO
    STDOUT with `{ids}` where the queryset's ids go."""
    header = io.StringIO()
    csv.writer(header).writerow(columns)
    yield header.getvalue().encode()
    sql, params = with_ids(copy_sql, queryset)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(NO_JIT)
        raw = cursor.cursor  # the psycopg cursor: COPY streams without buffering the result
        with raw.copy(sql, params) as copy:
            yield from (bytes(block) for block in copy)


def streaming_download(chunks: Iterator[bytes], content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# --- datasets and formats: one declaration per dataset drives every format ---------------------------


@dataclass(frozen=True)
class Field:
    """One attribute of a dataset: its column name, type, meaning in Spanish, when the name is
    longer than a DBF allows (10 characters) its Shapefile name, and where its values come from when
    that is not the dataset's own source (for the data dictionary of the catalogue)."""

    name: str
    kind: str  # one of KINDS
    description: str
    short: str = ""
    source: str = ""

    @property
    def dbf(self) -> str:
        return self.short or self.name


KINDS = ("text", "integer", "real", "date", "datetime", "boolean")


@dataclass(frozen=True)
class Format:
    key: str
    label: str
    media_type: str
    suffix: str  # of the download's file name
    streamed: bool  # streamed from the database in constant memory (no feature limit)
    driver: str = ""  # the GDAL driver, for the formats pyogrio writes

    @property
    def name(self) -> str:
        """The format's short name, for catalogues: "GeoJSON", "Shapefile", "GeoParquet 1.1"…"""
        return self.label.split(" (")[0]


FORMATS: dict[str, Format] = {
    f.key: f
    for f in (
        Format("geojson", "GeoJSON (RFC 7946)", "application/geo+json", ".geojson", True),
        Format(
            "csv",
            gettext_noop("CSV (geometría en WKT, lon/lat del punto representativo)"),
            "text/csv; charset=utf-8",
            ".csv",
            True,
        ),
        Format("gpkg", "GeoPackage", "application/geopackage+sqlite3", ".gpkg", False, "GPKG"),
        Format("shp", "Shapefile (ZIP, UTF-8)", "application/zip", "_shp.zip", False, "ESRI Shapefile"),
        Format("fgb", "FlatGeobuf", "application/flatgeobuf", ".fgb", False, "FlatGeobuf"),
        Format("parquet", "GeoParquet 1.1", "application/vnd.apache.parquet", ".parquet", False),
        Format("kml", "KML", "application/vnd.google-earth.kml+xml", ".kml", False, "KML"),
    )
}
STREAMED_FORMATS = tuple(k for k, f in FORMATS.items() if f.streamed)

# A Shapefile holds one geometry type: a dataset of mixed geometries becomes one file per family.
SHAPEFILE_FAMILIES = (
    # name suffix, OGR type, which PostGIS types, how the geometry is written
    (
        "puntos",
        "Point",
        ("POINT", "GEOMETRYCOLLECTION"),
        "CASE WHEN GeometryType(t.geom) = 'POINT' THEN t.geom ELSE t.point END",
    ),
    ("multipuntos", "MultiPoint", ("MULTIPOINT",), "t.geom"),
    ("lineas", "MultiLineString", ("LINESTRING", "MULTILINESTRING"), "ST_Multi(t.geom)"),
    ("poligonos", "MultiPolygon", ("POLYGON", "MULTIPOLYGON"), "ST_Multi(t.geom)"),
)


@dataclass(frozen=True)
class Dataset:
    """An exportable dataset. `rows_sql` selects `columns` by name, then `geom` (EPSG:4326) and
    `point` (a representative point, for lon/lat), for the rows whose id is in `{ids}` (the
    selection queryset's id subquery); `transform`, when set, turns the selected columns into the
    values of `fields` in Python (e.g. disclosure control), otherwise columns are the fields."""

    name: str
    stem: str  # download file name, before the date
    title: str
    description: str
    source: str
    fields: tuple[Field, ...]
    rows_sql: str
    columns: tuple[str, ...] = ()
    transform: Callable[[tuple], tuple] | None = None
    # The selection: the query string -> the queryset of rows to export; a bad value raises a
    # ValidationError keyed by the parameter (see `params`).
    select: Callable[[Mapping[str, str]], QuerySet] | None = None
    formats: tuple[str, ...] = tuple(FORMATS)
    params: tuple[str, ...] = ()  # the query parameters its selection takes
    links: tuple[tuple[str, str], ...] = ()  # other downloads of the same data: (format, path)
    kml_name: str = "name"
    licence: str = ""  # the licence URL when it is not the site's own (e.g. a data provider's terms)

    def __post_init__(self) -> None:
        problems = [f"{f.name}: tipo {f.kind}" for f in self.fields if f.kind not in KINDS]
        problems += [f"{f.name}: nombre DBF {f.dbf!r}" for f in self.fields if len(f.dbf) > 10]
        if len({f.dbf for f in self.fields}) != len(self.fields):
            problems.append("nombres DBF repetidos")
        if len(self.fields) > 50:  # json_build_object takes at most 100 arguments
            problems.append("más de 50 campos")
        if problems:
            raise ValueError(f"{self.name}: {'; '.join(problems)}")

    @property
    def layer(self) -> str:
        return self.stem.split("_")[0]

    @property
    def source_columns(self) -> tuple[str, ...]:
        return self.columns or tuple(f.name for f in self.fields)

    def select_sql(self, geometry: str, *, cast: bool = False, where: str = "", dbf: bool = False) -> str:
        """The dataset's rows with `geometry` (SQL over `t`) after the columns; `cast` turns numeric
        columns into float8, which Arrow takes; `dbf` names the fields by their Shapefile names
        (when the columns are the fields)."""
        kinds = {f.name: f.kind for f in self.fields} if not self.transform else {}
        cols = [
            f't."{c}"::float8' if cast and kinds.get(c) == "real" else f't."{c}"' for c in self.source_columns
        ]
        if dbf and not self.transform:
            cols = [f'{col} AS "{f.dbf}"' for col, f in zip(cols, self.fields, strict=True)]
        return f"SELECT {', '.join(cols)}, {geometry} FROM ({self.rows_sql}) t {where}"  # noqa: S608 - constants

    def filename(self, fmt: str, day: str) -> str:
        return f"{self.stem}_{day}{FORMATS[fmt].suffix}"


def dataset_rows(
    dataset: Dataset,
    queryset: QuerySet,
    geometry: str,
    *,
    cast: bool = False,
    where: str = "",
    where_params: tuple = (),
    fetch_rows: int = FETCH_ROWS,
) -> Iterator[list[tuple]]:
    """Batches of `fetch_rows` rows (field values, then the `geometry` expressions) from a
    server-side cursor."""
    sql, params = with_ids(dataset.select_sql(geometry, cast=cast, where=where), queryset)
    width = len(dataset.source_columns)
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        with connection.cursor() as setup:
            setup.execute(NO_JIT)
        cursor.execute(sql, (*params, *where_params))
        while rows := cursor.fetchmany(fetch_rows):
            if dataset.transform is not None:
                rows = [(*dataset.transform(r[:width]), *r[width:]) for r in rows]
            yield rows


def _json_value(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


GEOJSON_FEATURE_SQL = """
SELECT '{"type":"Feature","id":' || to_json(t."{id}")::text
    || ',"geometry":' || ST_AsGeoJSON(t.geom, %s)
    || ',"properties":' || json_build_object({properties})::text || '}'
FROM ({rows}) t
"""


def geojson_feature_sql(dataset: Dataset) -> str:
    """One GeoJSON Feature per row as text, built by PostGIS; the coordinate decimals are its first
    parameter. Built from the dataset's constants; user input reaches it only as bind parameters."""
    props = ", ".join(f"'{f.name}', t.\"{f.name}\"" for f in dataset.fields)
    return (
        GEOJSON_FEATURE_SQL.replace("{id}", dataset.fields[0].name)
        .replace("{properties}", props)
        .replace("{rows}", dataset.rows_sql)
    )


def dataset_geojson(dataset: Dataset, queryset: QuerySet) -> Iterator[bytes]:
    """A FeatureCollection: built by PostGIS when the columns are the fields, else in Python."""
    if dataset.transform is None:
        feature = geojson_feature_sql(dataset)
        yield from geojson_features(queryset, feature)
        return
    names = [f.name for f in dataset.fields]
    yield b'{"type":"FeatureCollection","features":[\n'
    first = True
    for rows in dataset_rows(dataset, queryset, f"ST_AsGeoJSON(t.geom, {COORD_DECIMALS})"):
        features = [
            '{"type":"Feature","geometry":'
            + row[-1]
            + ',"properties":'
            + json.dumps(dict(zip(names, map(_json_value, row[:-1]), strict=True)), ensure_ascii=False)
            + "}"
            for row in rows
        ]
        chunk = ",\n".join(features).encode()
        yield chunk if first else b",\n" + chunk
        first = False
    yield b"\n]}\n"


CSV_GEOMETRY = (
    f"ST_AsText(t.geom, {COORD_DECIMALS}), round(ST_X(t.point)::numeric, {COORD_DECIMALS}),"
    f" round(ST_Y(t.point)::numeric, {COORD_DECIMALS})"
)


def dataset_csv(dataset: Dataset, queryset: QuerySet) -> Iterator[bytes]:
    """CSV of the fields, then `wkt` (the geometry) and `lon`, `lat` (its representative point)."""
    columns = [*(f.name for f in dataset.fields), "wkt", "lon", "lat"]
    if dataset.transform is None:
        copy_sql = f"COPY ({dataset.select_sql(CSV_GEOMETRY)}) TO STDOUT WITH (FORMAT csv)"
        yield from csv_rows(queryset, columns, copy_sql)
        return
    yield from csv_pieces(columns, dataset_rows(dataset, queryset, CSV_GEOMETRY))


def csv_pieces(columns: Sequence[str], chunks: Iterable[Iterable], *, dicts: bool = False) -> Iterator[bytes]:
    """A CSV as bytes, one piece per chunk: the `columns` header, then the rows of every chunk
    (sequences in column order, or with `dicts` mappings keyed by the columns)."""
    out = io.StringIO()
    if dicts:
        writer: Any = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
    else:
        writer = csv.writer(out)
        writer.writerow(columns)
    for rows in chunks:
        writer.writerows(rows)
        yield out.getvalue().encode()
        out.seek(0)
        out.truncate()
    if out.tell():
        yield out.getvalue().encode()


# --- files written by GDAL (pyogrio) or pyarrow, batch by batch -------------------------------------

# pyarrow and pyogrio (with the GDAL it bundles) add about 140 MB to a process: they are imported by
# the first file export, never by a worker that only serves tiles, pages or streamed formats.
CRS = "EPSG:4326"


def _arrow_type(kind: str) -> pa.DataType:
    import pyarrow as pa

    return {
        "text": pa.string(),
        "integer": pa.int64(),
        "real": pa.float64(),
        "date": pa.date32(),
        "datetime": pa.timestamp("us", tz="UTC"),
        "boolean": pa.bool_(),
    }[kind]


def _arrow_schema(dataset: Dataset, *, dbf: bool = False, metadata: dict | None = None) -> pa.Schema:
    import pyarrow as pa

    fields = [pa.field(f.dbf if dbf else f.name, _arrow_type(f.kind)) for f in dataset.fields]
    return pa.schema([*fields, pa.field("geometry", pa.binary())], metadata=metadata)


def _batches(
    dataset: Dataset,
    queryset: QuerySet,
    schema: pa.Schema,
    geometry: str = "ST_AsBinary(t.geom)",
    where: str = "",
    where_params: tuple = (),
    fetch_rows: int = FETCH_ROWS,
) -> Iterator[pa.RecordBatch]:
    import pyarrow as pa

    for rows in dataset_rows(
        dataset, queryset, geometry, cast=True, where=where, where_params=where_params, fetch_rows=fetch_rows
    ):
        columns = list(zip(*rows, strict=True))
        yield pa.RecordBatch.from_arrays(
            [pa.array(col, type=field.type) for col, field in zip(columns, schema, strict=True)],
            schema=schema,
        )


def _write_ogr(dataset: Dataset, queryset: QuerySet, fmt: Format, path: Path) -> None:
    import pyarrow as pa
    import pyogrio.raw

    schema = _arrow_schema(dataset)
    reader = pa.RecordBatchReader.from_batches(schema, _batches(dataset, queryset, schema))
    options: dict[str, str] = {}
    if fmt.key == "kml":
        options = {"NameField": dataset.kml_name}
    pyogrio.raw.write_arrow(
        reader,
        str(path),
        layer=dataset.layer,
        driver=fmt.driver,
        geometry_name="geometry",
        geometry_type="Unknown",
        crs=CRS,
        dataset_options=options or None,
    )


def field_table(dataset: Dataset) -> str:
    """The Shapefile field-name table (CSV): DBF name, full name, type, meaning."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["campo_shp", "campo", "tipo", "descripcion"])
    writer.writerows((f.dbf, f.name, f.kind, f.description) for f in dataset.fields)
    return out.getvalue()


GEOMETRY_TYPES_SQL = "SELECT DISTINCT GeometryType(t.geom) FROM ({rows}) t"


def _geometry_types(dataset: Dataset, queryset: QuerySet) -> set[str]:
    """The geometry types present in the selection: one cheap statement (PostgreSQL drops the
    dataset's joins, none of whose columns it reads)."""
    sql, params = with_ids(GEOMETRY_TYPES_SQL.replace("{rows}", dataset.rows_sql), queryset)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def _write_shapefile_zip(dataset: Dataset, queryset: QuerySet, path: Path) -> None:
    folder = path.parent / "shp"
    folder.mkdir()
    present = _geometry_types(dataset, queryset)
    written = []
    for suffix, ogr_type, pg_types, geometry in SHAPEFILE_FAMILIES:
        if not present & set(pg_types):
            continue  # a family with no feature: no file, and no pass over the data
        name = f"{dataset.layer}_{suffix}"
        if dataset.transform is None and ogr2ogr_binary() is not None:
            _shapefile_by_ogr2ogr(dataset, queryset, folder / f"{name}.shp", ogr_type, pg_types, geometry)
        elif not _shapefile_by_pyogrio(
            dataset, queryset, folder / f"{name}.shp", ogr_type, pg_types, geometry
        ):
            continue
        written.append(name)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, file.name)
        archive.writestr("campos.csv", field_table(dataset))
        archive.writestr("LEEME.txt", _readme(dataset, written))
    shutil.rmtree(folder)


def _shapefile_by_ogr2ogr(
    dataset: Dataset, queryset: QuerySet, path: Path, ogr_type: str, pg_types: tuple[str, ...], geometry: str
) -> None:
    """One geometry family as a Shapefile written by ogr2ogr, fields under their DBF names. The ids
    are narrowed to the family's geometry types too, so each statement aggregates (funding,
    agencies, zones…) for its own rows only, not for the whole selection once per family."""
    where = "WHERE GeometryType(t.geom) = ANY(%s)"
    family = queryset.annotate(
        family_geometry_type=Func("geom", function="GeometryType", output_field=CharField())
    ).filter(family_geometry_type__in=pg_types)
    sql, params = with_ids(dataset.select_sql(geometry, cast=True, where=where, dbf=True), family)
    command = _ogr2ogr_args(
        "shp",
        str(path),
        _literal_sql(sql, (*params, list(pg_types))),
        path.stem,
        ogr_type.upper(),
        ["-lco", "ENCODING=UTF-8"],
    )
    done = subprocess.run(  # noqa: S603 - a fixed program; the statement is one argument, never a shell
        command, env=_libpq_environment(), capture_output=True, stdin=subprocess.DEVNULL, check=False
    )
    if done.returncode != 0 or not path.exists():
        raise RuntimeError(
            f"ogr2ogr -f 'ESRI Shapefile' failed: {done.stderr[-2000:].decode(errors='replace')}"
        )


def _shapefile_by_pyogrio(
    dataset: Dataset, queryset: QuerySet, path: Path, ogr_type: str, pg_types: tuple[str, ...], geometry: str
) -> bool:
    """One geometry family as a Shapefile written through pyogrio (datasets transformed in Python);
    False when it has no feature."""
    import pyarrow as pa
    import pyogrio.raw

    schema = _arrow_schema(dataset, dbf=True)
    batches = _batches(
        dataset,
        queryset,
        schema,
        f"ST_AsBinary({geometry})",
        where="WHERE GeometryType(t.geom) = ANY(%s)",
        where_params=(list(pg_types),),
    )
    first = next(batches, None)
    if first is None:
        return False
    reader = pa.RecordBatchReader.from_batches(schema, itertools.chain([first], batches))
    pyogrio.raw.write_arrow(
        reader,
        str(path),
        layer=path.stem,
        driver="ESRI Shapefile",
        geometry_name="geometry",
        geometry_type=ogr_type,
        crs=CRS,
        encoding="UTF-8",
    )
    return True


def _readme(dataset: Dataset, layers: list[str]) -> str:
    lines = [
        dataset.title,
        "",
        dataset.description,
        "",
        f"Fuente: {dataset.source}",
        "Sistema de referencia: EPSG:4326 (WGS 84, longitud/latitud). Codificación: UTF-8 (archivo .cpg).",
        "Un Shapefile guarda un solo tipo de geometría; capas: "
        + (", ".join(layers) or "ninguna (sin datos)")
        + ".",
        "Los nombres de campo de un DBF tienen 10 caracteres como máximo: campos.csv da el nombre completo y",
        "el significado de cada uno. Un DBF guarda textos de hasta 254 caracteres: los más largos se",
        "recortan (el GeoPackage, el FlatGeobuf y el GeoParquet los guardan completos).",
        "",
        "campo_shp  campo  tipo  descripción",
    ]
    lines += [f"{f.dbf}  {f.name}  {f.kind}  {f.description}" for f in dataset.fields]
    return "\n".join(lines) + "\n"


PARQUET_FETCH_ROWS = 1000
PARQUET_ROW_GROUP = 10_000


def _write_geoparquet(dataset: Dataset, queryset: QuerySet, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    geo = {
        "version": "1.1.0",
        "primary_column": "geometry",
        # No "crs": GeoParquet's default, OGC:CRS84 (WGS 84 longitude/latitude), is the storage CRS.
        "columns": {"geometry": {"encoding": "WKB", "geometry_types": []}},
    }
    schema = _arrow_schema(dataset, metadata={b"geo": json.dumps(geo).encode()})
    # Rows arrive 1,000 at a time (a batch of Python tuples weighs far more than its Arrow columns)
    # and leave in row groups of PARQUET_ROW_GROUP rows: measured on 138,623 works, the worker grew
    # 106 MB against 141 MB with 5,000-row fetches written as they came (5,000-row groups), and
    # 148 MB with 50,000-row groups; same speed and file size.
    pending: list[pa.RecordBatch] = []
    with pq.ParquetWriter(str(path), schema, compression="zstd") as writer:
        for batch in _batches(dataset, queryset, schema, fetch_rows=PARQUET_FETCH_ROWS):
            pending.append(batch)
            if sum(b.num_rows for b in pending) >= PARQUET_ROW_GROUP:
                writer.write_table(pa.Table.from_batches(pending), row_group_size=PARQUET_ROW_GROUP)
                pending = []
        if pending:
            writer.write_table(pa.Table.from_batches(pending), row_group_size=PARQUET_ROW_GROUP)


# GeoPackage, FlatGeobuf and KML of a dataset whose columns are its fields are written by GDAL's
# own ogr2ogr (gdal-bin, which GeoDjango's libgdal comes with) reading the export statement from
# PostGIS: the rows never pass through Python, the worker neither imports pyarrow nor GDAL's second
# copy that pyogrio bundles, and the speed is ogr2ogr's by construction. The zipped Shapefile, the
# GeoParquet and datasets transformed in Python (disclosure control) go through pyogrio/pyarrow.
OGR2OGR_FORMATS = ("gpkg", "fgb", "kml")
OGR2OGR_OPTIONS = {
    # GeoPackage: the geometry column named as in every other file; its R-tree as ogr2ogr makes it.
    "gpkg": ("-lco", "GEOMETRY_NAME=geometry"),
    # FlatGeobuf: the spatial index makes GDAL hold every feature until it has sorted them along the
    # Hilbert curve (about 1 kB a work), so above EXPORT_FGB_INDEX_MAX features the file is written
    # as the rows arrive, without one (readers then scan it), and memory stays flat.
    "fgb": (),
    "kml": (),  # plus the dataset's name field (see ogr2ogr_command)
}
# Settings that change how fast ogr2ogr writes, never what it writes (the file is the same without
# them; tests/api/test_gis_exports.py compares). The GeoPackage is a temporary file that a crash
# throws away, so SQLite need not wait for the disk at each commit (OGR_SQLITE_SYNCHRONOUS=OFF), and
# one transaction holds every row (-gt unlimited) instead of one per 100,000. benchmarks/bench_exports.py
# runs ogr2ogr with and without them. (Fetching 5,000 rows a round trip instead of 500 was measured
# no faster before, and costs the child 7 MB: not used.)
OGR2OGR_SPEED = {
    "gpkg": ("--config", "OGR_SQLITE_SYNCHRONOUS", "OFF", "-gt", "unlimited"),
    "fgb": (),
    "kml": (),
}
# A FlatGeobuf written without its index is written front to back (GDAL only goes back to the start
# to fill in the feature count and extent, which the format allows to be 0 = unknown): above
# EXPORT_FGB_INDEX_MAX it is sent as ogr2ogr writes it, through a pipe, with no temporary file.
STREAM_TARGET = "/vsistdout/export.fgb"


def ogr2ogr_binary() -> str | None:
    return shutil.which("ogr2ogr")


def _literal_sql(sql: str, params: tuple) -> str:
    """The statement with its parameters bound client-side by psycopg, as Django itself sends them
    (client-side binding, its default for PostgreSQL): ogr2ogr takes a statement, not parameters."""
    return connection.ops.compose_sql(sql, params)  # type: ignore[attr-defined]  # PostgreSQL backend


CHILD_ENVIRONMENT = ("PATH", "LANG", "LC_", "TMPDIR", "GDAL_", "CPL_", "OGR_", "PROJ_")


def _libpq_environment() -> dict[str, str]:
    """The child's whole environment: how this process reaches the database, for libpq (a password
    stays out of the command line, which `ps` shows), and GDAL's own settings; nothing else of the
    worker's (its secrets, Django's TZ)."""
    connection.ensure_connection()
    info = connection.connection.info  # type: ignore[union-attr]
    env = {k: v for k, v in os.environ.items() if k.startswith(CHILD_ENVIRONMENT)}
    env.setdefault("PATH", "/usr/bin:/bin")
    env.update(
        PGHOST=info.host,
        PGPORT=str(info.port),
        PGDATABASE=info.dbname,
        PGUSER=info.user,
        PGOPTIONS=f"-c statement_timeout={settings.STATEMENT_TIMEOUT_MS} -c jit=off",
        PGAPPNAME="territorio-export",
    )
    if info.password:
        env["PGPASSWORD"] = info.password
    sslmode = info.get_parameters().get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return env


def ogr2ogr_command(
    dataset: Dataset, queryset: QuerySet, fmt: str, target: str, *, indexed: bool = True, speed: bool = True
) -> list[str]:
    """The ogr2ogr command that writes the selection in `fmt` to `target` (a path, or STREAM_TARGET):
    the export statement with its values bound, the layer options, and unless `speed` is false the
    settings that only make it faster. The benchmark runs the same command as the peer."""
    sql = _literal_sql(*with_ids(dataset.select_sql("t.geom", cast=True), queryset))
    options = list(OGR2OGR_OPTIONS[fmt])
    if fmt == "fgb" and not indexed:
        options += ["-lco", "SPATIAL_INDEX=NO"]
    if fmt == "kml":
        options += ["-dsco", f"NameField={dataset.kml_name}"]
    if speed:
        options += OGR2OGR_SPEED[fmt]
    return _ogr2ogr_args(fmt, target, sql, dataset.layer, "GEOMETRY", options)


def _ogr2ogr_args(
    fmt: str, target: str, sql: str, layer: str, geometry_type: str, options: list[str]
) -> list[str]:
    return [
        ogr2ogr_binary() or "ogr2ogr",
        "-f",
        FORMATS[fmt].driver,
        target,
        "PG:",  # everything from the environment
        "-sql",
        sql,
        "-nln",
        layer,
        "-nlt",
        geometry_type,
        "-a_srs",
        CRS,
        *options,
    ]


class ExportTooLarge(Exception):
    """The selection has more features than a file download may hold."""

    def __init__(self, count: int, limit: int):
        super().__init__(f"{count} > {limit}")
        self.count, self.limit = count, limit


def check_limit(queryset: QuerySet, limit: int | None) -> None:
    """Raise ExportTooLarge when the selection has more than `limit` rows. The count stops at
    limit + 1 rows, so it costs what the limit costs whatever the size of the register; only a
    selection over the limit is counted in full, for the message."""
    if limit is not None and queryset.order_by()[: limit + 1].count() > limit:
        raise ExportTooLarge(queryset.count(), limit)


def at_most(queryset: QuerySet, n: int) -> bool:
    return queryset.order_by()[: n + 1].count() <= n


def write_file(
    dataset: Dataset,
    queryset: QuerySet,
    fmt: str,
    folder: Path,
    *,
    limit: int | None = None,
    indexed: bool | None = None,
) -> Path:
    """Write the selection in `fmt` (a file format) inside `folder`; return the file's path. With a
    `limit`, a larger selection raises ExportTooLarge and leaves no file. `indexed`: whether a
    FlatGeobuf gets its spatial index, when the caller has counted already."""
    spec = FORMATS[fmt]
    path = folder / f"{dataset.stem}{spec.suffix}"
    if _by_ogr2ogr(dataset, fmt):
        if indexed is None:
            indexed = _indexed(queryset, fmt)
        process, errors = _start_ogr2ogr(dataset, queryset, fmt, str(path), indexed)
        try:
            _limit_while_running(queryset, limit, process)
            if process.wait() != 0 or not path.exists():
                raise _ogr2ogr_failed(fmt, errors)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        finally:
            _stop(process)
            errors.close()
        return path
    check_limit(queryset, limit)
    if fmt == "shp":
        _write_shapefile_zip(dataset, queryset, path)
    elif fmt == "parquet":
        _write_geoparquet(dataset, queryset, path)
    else:
        _write_ogr(dataset, queryset, spec, path)
    return path


def _by_ogr2ogr(dataset: Dataset, fmt: str) -> bool:
    return fmt in OGR2OGR_FORMATS and dataset.transform is None and ogr2ogr_binary() is not None


def _indexed(queryset: QuerySet, fmt: str) -> bool:
    """Whether a FlatGeobuf gets its spatial index (a count that stops past EXPORT_FGB_INDEX_MAX)."""
    return fmt != "fgb" or at_most(queryset, settings.EXPORT_FGB_INDEX_MAX)


def _start_ogr2ogr(
    dataset: Dataset, queryset: QuerySet, fmt: str, target: str, indexed: bool
) -> tuple[subprocess.Popen, IO[bytes]]:
    """ogr2ogr started on the selection, writing to `target` (its standard output for
    STREAM_TARGET), its messages going to a temporary file (a pipe nobody reads could fill and
    stop it)."""
    errors = tempfile.TemporaryFile()
    command = ogr2ogr_command(dataset, queryset, fmt, target, indexed=indexed)
    process = subprocess.Popen(  # noqa: S603 - a fixed program; the statement is one argument, never a shell
        command,
        env=_libpq_environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE if target == STREAM_TARGET else subprocess.DEVNULL,
        stderr=errors,
    )
    return process, errors


def _limit_while_running(queryset: QuerySet, limit: int | None, process: subprocess.Popen) -> None:
    """The limit checked while ogr2ogr runs (PostgreSQL is still aggregating for its first row, so
    the count costs the download nothing); over it, ogr2ogr is stopped and nothing is sent."""
    try:
        check_limit(queryset, limit)
    except BaseException:
        _stop(process)
        raise


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
    process.wait()
    if process.stdout is not None:
        process.stdout.close()


def _ogr2ogr_failed(fmt: str, errors: IO[bytes]) -> RuntimeError:
    errors.seek(0)
    text = errors.read().decode(errors="replace")
    return RuntimeError(f"ogr2ogr -f {FORMATS[fmt].driver} failed: {text[-2000:]}")


def _piped(
    process: subprocess.Popen, output: IO[bytes], first: bytes, fmt: str, errors: IO[bytes]
) -> Iterator[bytes]:
    """ogr2ogr's standard output in blocks; a failure after the first block cuts the download short
    (the client sees an unfinished chunked body) and is raised for the log."""
    try:
        yield first
        while block := output.read(FILE_BLOCK):
            yield block
        if process.wait() != 0:
            raise _ogr2ogr_failed(fmt, errors)
    finally:
        _stop(process)  # also when the client went away: no ogr2ogr left writing into a closed pipe
        errors.close()


def _streamed_fgb(
    dataset: Dataset, queryset: QuerySet, limit: int | None, filename: str
) -> StreamingHttpResponse:
    process, errors = _start_ogr2ogr(dataset, queryset, "fgb", STREAM_TARGET, indexed=False)
    output = cast("IO[bytes]", process.stdout)
    try:
        _limit_while_running(queryset, limit, process)
        first = output.read(FILE_BLOCK)
        if not first:  # nothing written: ogr2ogr failed before its first row (a feature is > 0 bytes)
            process.wait()
            raise _ogr2ogr_failed("fgb", errors)
    except BaseException:
        _stop(process)
        errors.close()
        raise
    response = StreamingHttpResponse(
        _piped(process, output, first, "fgb", errors), content_type=FORMATS["fgb"].media_type
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def file_download(
    dataset: Dataset, queryset: QuerySet, fmt: str, filename: str, *, limit: int | None = None
) -> FileResponse | StreamingHttpResponse:
    """The file written into a private temporary folder, sent, and gone: the folder is removed once
    the file is open (the open handle keeps its data until the response closes it). A FlatGeobuf
    too large for its spatial index is sent as ogr2ogr writes it. With a `limit`, a larger selection
    raises ExportTooLarge before anything is sent."""
    indexed = None
    if fmt == "fgb" and _by_ogr2ogr(dataset, fmt):
        indexed = _indexed(queryset, fmt)
        if not indexed:
            return _streamed_fgb(dataset, queryset, limit, filename)
    folder = Path(tempfile.mkdtemp(prefix="export-"))
    try:
        path = write_file(dataset, queryset, fmt, folder, limit=limit, indexed=indexed)
        handle = path.open("rb")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=FORMATS[fmt].media_type
    )
    # Granian's WSGI has no wsgi.file_wrapper, so Django hands the file over block by block: 1 MiB
    # blocks instead of 4 kB make a 100 MB file 100 round trips to the server instead of 25,000.
    response.block_size = FILE_BLOCK
    response["Cache-Control"] = "no-store"
    return response
