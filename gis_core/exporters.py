"""Querysets -> streamed GeoJSON (RFC 7946) and CSV, built by PostGIS, in constant memory.

The app that owns the rows writes the SQL (works_map/exports.py for works): one Feature per row as
text, or a `COPY (...) TO STDOUT` of the CSV columns, with `{ids}` where the filtered queryset's
`id` subquery goes. Each feature is written by the database and fetched in batches from a
server-side cursor, so a million rows never sit in Python at once. The SQL templates are the
apps' constants; user input reaches them only as bind parameters inside the queryset's own SQL.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import StreamingHttpResponse

FETCH_ROWS = 5000
COORD_DECIMALS = 6  # ~0.1 m; RFC 7946 §11.2 recommends not exceeding what the data support


def ids_sql(queryset: QuerySet) -> tuple[str, tuple]:
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return sql, tuple(params)


def geojson_features(queryset: QuerySet, feature_sql: str) -> Iterator[bytes]:
    """The FeatureCollection of the rows of `queryset`, in chunks of bytes. `feature_sql` selects one
    Feature per row as text, takes the coordinate decimals as its first parameter, and has `{ids}`
    where the queryset's ids go."""
    ids, params = ids_sql(queryset)
    sql = feature_sql.replace("{ids}", ids)
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


def csv_rows(queryset: QuerySet, columns: Sequence[str], copy_sql: str) -> Iterator[bytes]:
    """A CSV (the `columns` header, then one row per row of `queryset`) via `copy_sql`, a COPY TO
    STDOUT with `{ids}` where the queryset's ids go."""
    header = io.StringIO()
    csv.writer(header).writerow(columns)
    yield header.getvalue().encode()
    ids, params = ids_sql(queryset)
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor: COPY streams without buffering the result
        with raw.copy(copy_sql.replace("{ids}", ids), params) as copy:
            yield from (bytes(block) for block in copy)


def streaming_download(chunks: Iterator[bytes], content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
