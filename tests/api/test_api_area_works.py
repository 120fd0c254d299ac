"""The works inside a drawn polygon: listed (paginated, the fields and filters of /api/works) and
exported (GeoJSON, CSV), not only counted."""

from __future__ import annotations

import csv
import io
import json

import pytest

XICHU_BOX = {
    "type": "Polygon",
    "coordinates": [[[-100.1, 21.25], [-100.0, 21.25], [-100.0, 21.35], [-100.1, 21.35], [-100.1, 21.25]]],
}


def post(client, path, body=XICHU_BOX):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_it_lists_the_works_inside_with_the_fields_of_the_works_list(
    client, works_cluster_xichu, work_road_leon
):
    body = post(client, "/api/summary/works").json()
    assert sorted(w["folio"] for w in body["results"]) == sorted(w.folio for w in works_cluster_xichu)
    listed = {w["id"]: w for w in client.get("/api/works?municipio=11045").json()["results"]}
    assert body["results"] == [listed[w["id"]] for w in body["results"]]  # same fields, same values


def test_it_pages_by_cursor_posting_the_same_polygon(client, works_cluster_xichu, django_assert_num_queries):
    with django_assert_num_queries(1):  # the page (category and municipio joined)
        first = post(client, "/api/summary/works?page_size=3").json()
    assert len(first["results"]) == 3 and first["next"]
    second = post(client, first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    seen = {w["id"] for w in first["results"] + second["results"]}
    assert seen == {w.pk for w in works_cluster_xichu}


def test_the_work_filters_apply_inside_the_polygon(client, works_cluster_xichu):
    body = post(client, "/api/summary/works?status=TERMINADA").json()
    assert [w["folio"] for w in body["results"]] == ["XIC-2026-002"]
    summary = post(client, "/api/summary?status=TERMINADA,PLANEACION").json()
    assert summary["works"] == 2


def test_it_exports_the_works_inside_as_geojson_and_csv(client, works_cluster_xichu, work_road_leon):
    response = post(client, "/api/export/area/works.geojson?source=FAIS-FISMDF")
    assert response["Content-Type"] == "application/geo+json"
    features = json.loads(b"".join(response.streaming_content))["features"]
    assert [f["properties"]["folio"] for f in features] == ["XIC-2026-001"]  # the only FAIS-funded one
    response = post(client, "/api/export/area/works.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(r["folio"] for r in rows) == sorted(w.folio for w in works_cluster_xichu)
    assert "lon" in rows[0] and "obras_area.csv" in response["Content-Disposition"]


@pytest.mark.parametrize(
    "path", ["/api/summary/works", "/api/export/area/works.geojson", "/api/export/area/works.csv"]
)
def test_a_malformed_polygon_is_a_400_naming_the_geometry(client, db, path):
    open_ring = {
        "type": "Polygon",
        "coordinates": [[[-100.1, 21.25], [-100.0, 21.25], [-100.0, 21.35], [-100.1, 21.3]]],
    }
    response = post(client, path, open_ring)
    assert response.status_code == 400
    assert response.json()["parameter"] == "geometry" and "cerrado" in response.json()["detail"]
    response = client.post(path, data=b"\xff\xfe", content_type="application/json")
    assert response.status_code == 400 and response.json()["parameter"] == "geometry"


@pytest.mark.parametrize("path", ["/api/summary/works", "/api/export/area/works.csv", "/api/summary"])
def test_a_bad_work_filter_is_a_400_naming_it(client, db, path):
    response = post(client, f"{path}?status=ROTA")
    assert response.status_code == 400 and response.json()["parameter"] == "status"
