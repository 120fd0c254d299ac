"""Querysets -> streamed GeoJSON (RFC 7946) and CSV, built by PostGIS, in constant memory.

The filtered queryset only contributes its `id` subquery; each feature is written by the database
(`ST_AsGeoJSON`, `json_build_object`) and fetched in batches from a server-side cursor, so a
million rows never sit in Python at once. Identifiers in the SQL below are constants of this
module; user input reaches it only as bind parameters inside the queryset's own SQL.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import StreamingHttpResponse

FETCH_ROWS = 5000
COORD_DECIMALS = 6  # ~0.1 m; RFC 7946 §11.2 recommends not exceeding what the data support

# A work's properties in both exports, in this order; /api/works/geojson (WorkFeatureSerializer)
# serves the same ones, so a file and the API describe a work alike.
WORK_PROPERTIES = (
    "id",
    "folio",
    "fiscal_year",
    "name",
    "status",
    "category",
    "municipio",
    "amount_approved",
    "amount_exercised",
    "physical_progress",
)

# One GeoJSON Feature per row, as text. Amounts stay exact (numeric -> JSON number).
WORKS_GEOJSON_SQL = """
SELECT '{"type":"Feature","id":' || w.id
    || ',"geometry":' || ST_AsGeoJSON(w.geom, %s)
    || ',"properties":' || json_build_object(
        'id', w.id, 'folio', w.folio, 'fiscal_year', w.fiscal_year, 'name', w.name,
        'status', w.status, 'category', c.code, 'municipio', m.cvegeo,
        'amount_approved', w.amount_approved, 'amount_exercised', w.amount_exercised,
        'physical_progress', w.physical_progress)::text
    || '}'
FROM works_map_work w
JOIN works_map_category c ON c.id = w.category_id
JOIN priority_zones_municipio m ON m.id = w.municipio_id
WHERE w.id IN ({ids})
"""

WORKS_CSV_COLUMNS = [*WORK_PROPERTIES, "lon", "lat"]
WORKS_CSV_SQL = """
COPY (
    SELECT w.id, w.folio, w.fiscal_year, w.name, w.status, c.code, m.cvegeo,
           w.amount_approved, w.amount_exercised, w.physical_progress,
           round(ST_X(w.point)::numeric, 6), round(ST_Y(w.point)::numeric, 6)
    FROM works_map_work w
    JOIN works_map_category c ON c.id = w.category_id
    JOIN priority_zones_municipio m ON m.id = w.municipio_id
    WHERE w.id IN ({ids})
) TO STDOUT WITH (FORMAT csv)
"""


def _ids_sql(queryset: QuerySet) -> tuple[str, tuple]:
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return sql, tuple(params)


def geojson_features(queryset: QuerySet) -> Iterator[bytes]:
    """The FeatureCollection of the works in `queryset`, in chunks of bytes."""
    ids, params = _ids_sql(queryset)
    sql = WORKS_GEOJSON_SQL.replace("{ids}", ids)
    yield b'{"type":"FeatureCollection","features":[\n'
    first = True
    # Without a transaction Django declares the cursor WITH HOLD, which makes PostgreSQL
    # materialise the whole result before the first row; inside one, rows flow as fetched.
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(sql, (COORD_DECIMALS, *params))
        while rows := cursor.fetchmany(FETCH_ROWS):
            chunk = ",\n".join(row[0] for row in rows).encode()
            yield chunk if first else b",\n" + chunk
            first = False
    yield b"\n]}\n"


def csv_rows(queryset: QuerySet) -> Iterator[bytes]:
    """A CSV (header + one row per work, lon/lat of the representative point) via COPY TO STDOUT."""
    header = io.StringIO()
    csv.writer(header).writerow(WORKS_CSV_COLUMNS)
    yield header.getvalue().encode()
    ids, params = _ids_sql(queryset)
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor: COPY streams without buffering the result
        with raw.copy(WORKS_CSV_SQL.replace("{ids}", ids), params) as copy:
            yield from (bytes(block) for block in copy)


def streaming_download(chunks: Iterator[bytes], content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
