"""The works' export SQL: what a work is in a GeoJSON or CSV download (streamed by gis_core.exporters).

Table names are this app's (and the municipios' of priority_zones); user input reaches the SQL only
as bind parameters inside the filtered queryset's own SQL.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet

from gis_core.exporters import csv_rows, geojson_features

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


def works_geojson(works: QuerySet) -> Iterator[bytes]:
    return geojson_features(works, WORKS_GEOJSON_SQL)


def works_csv(works: QuerySet) -> Iterator[bytes]:
    """One row per work, with lon/lat of its representative point."""
    return csv_rows(works, WORKS_CSV_COLUMNS, WORKS_CSV_SQL)
