"""Streamed GeoJSON and CSV exports: written by PostGIS, fetched in batches, same filters as the list."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.utils import timezone


def read_stream(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


def test_it_exports_published_works_as_rfc7946_geojson(client, work_well_xichu, work_road_leon, monkeypatch):
    from gis_core import exporters

    monkeypatch.setattr(exporters, "FETCH_ROWS", 1)  # one row per fetch: the batching is exercised
    response = client.get("/api/export/works.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="obras_guanajuato_{today}.geojson"'
    collection = json.loads(read_stream(response))
    assert collection["type"] == "FeatureCollection" and "crs" not in collection
    by_folio = {f["properties"]["folio"]: f for f in collection["features"]}
    assert by_folio["XIC-2026-001"]["geometry"] == {"type": "Point", "coordinates": [-100.05, 21.3]}
    assert by_folio["LEO-2025-010"]["geometry"]["type"] == "LineString"
    assert by_folio["XIC-2026-001"]["properties"]["amount_approved"] == 2500000.0
    assert by_folio["XIC-2026-001"]["id"] == work_well_xichu.pk


def test_it_exports_the_real_projects_and_nothing_else(client, shcp_works, shcp_import):
    collection = json.loads(read_stream(client.get("/api/export/works.geojson")))
    assert len(collection["features"]) == len(shcp_import.kept) == 115
    keys = {f["properties"]["folio"] for f in collection["features"]}
    assert keys == {row.key[:40] for row in shcp_import.kept}


def test_it_applies_the_list_filters_to_the_export(client, work_well_xichu, work_road_leon):
    collection = json.loads(read_stream(client.get("/api/export/works.geojson?year=2025&municipio=11020")))
    assert [f["properties"]["folio"] for f in collection["features"]] == ["LEO-2025-010"]
    empty = json.loads(read_stream(client.get("/api/export/works.geojson?year=2030")))
    assert empty == {"type": "FeatureCollection", "features": []}


def test_it_exports_csv_with_lon_lat(client, work_well_xichu, work_road_leon):
    response = client.get("/api/export/works.csv?bbox=-100.2,21.2,-99.9,21.4")
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="obras_guanajuato_{today}.csv"'
    rows = list(csv.DictReader(io.StringIO(read_stream(response).decode())))
    assert len(rows) == 1
    assert rows[0]["folio"] == "XIC-2026-001" and rows[0]["municipio"] == "11045"
    assert (float(rows[0]["lon"]), float(rows[0]["lat"])) == (-100.05, 21.3)
    assert rows[0]["amount_approved"] == "2500000.00"


def test_csv_quotes_names_with_commas_and_quotes(client, xichu, water_category):
    from django.contrib.gis.geos import Point

    from works_map.actions import do_create_work

    do_create_work(
        folio="Q-1",
        fiscal_year=2026,
        name='Calle "Hidalgo", tramo 2',
        category=water_category,
        geom=Point(-100.05, 21.3, srid=4326),
        municipio=xichu,
    )
    rows = list(csv.DictReader(io.StringIO(read_stream(client.get("/api/export/works.csv")).decode())))
    assert rows[0]["name"] == 'Calle "Hidalgo", tramo 2'


@pytest.mark.parametrize("query", ["bbox=1,2", "year=x", "unknown=1", "status=NOPE"])
def test_it_refuses_bad_export_filters_before_streaming(client, db, query):
    for path in ("/api/export/works.geojson", "/api/export/works.csv"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400 and not response.streaming


def test_the_exports_describe_a_work_as_the_geojson_endpoint_does_and_more(client, work_well_xichu):
    from works_map.exports import WORK_FIELDS, WORK_PROPERTIES

    exported = json.loads(read_stream(client.get("/api/export/works.geojson")))["features"][0]
    served = client.get("/api/works/geojson").json()["features"][0]
    assert list(exported["properties"]) == [f.name for f in WORK_FIELDS]
    assert set(WORK_PROPERTIES) <= set(exported["properties"])
    assert exported["id"] == served["id"]
    assert {"id", *served["properties"]} == set(WORK_PROPERTIES)
    for name in served["properties"]:
        assert exported["properties"][name] == served["properties"][name] or (
            float(exported["properties"][name]) == float(served["properties"][name])
        )
    header = read_stream(client.get("/api/export/works.csv")).decode().splitlines()[0]
    assert header.split(",") == [*(f.name for f in WORK_FIELDS), "wkt", "lon", "lat"]
