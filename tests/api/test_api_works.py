"""REST list/detail/GeoJSON of works: filters, cursor pages, published only, refusals naming the parameter."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point


@pytest.fixture
def work_hidden_xichu(xichu, water_category):
    """An unpublished work: must never appear in any public endpoint."""
    from works_map.actions import do_create_work

    return do_create_work(
        folio="XIC-2026-999",
        fiscal_year=2026,
        name="Obra no publicada",
        category=water_category,
        geom=Point(-100.06, 21.31, srid=4326),
        municipio=xichu,
        published=False,
    )


def test_it_lists_published_works_in_one_query(
    client, django_assert_num_queries, work_well_xichu, work_road_leon, work_hidden_xichu
):
    with django_assert_num_queries(1):  # the page of works joined to category and municipio; no COUNT
        response = client.get("/api/works")
    assert response.status_code == 200
    folios = {w["folio"] for w in response.json()["results"]}
    assert folios == {"XIC-2026-001", "LEO-2025-010"}
    well = next(w for w in response.json()["results"] if w["folio"] == "XIC-2026-001")
    assert (well["lon"], well["lat"]) == (-100.05, 21.3)
    assert well["municipio"] == "11045" and well["category"] == "AGUA.RED"
    assert "count" not in response.json()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("year=2026", {"XIC-2026-001"}),
        ("status=TERMINADA", {"LEO-2025-010"}),
        ("municipio=11020", {"LEO-2025-010"}),
        ("category=AGUA", {"XIC-2026-001", "LEO-2025-010"}),
        ("agency=GTO-SOP", {"XIC-2026-001"}),
        ("source=FAIS-FISMDF", {"XIC-2026-001"}),
        ("bbox=-101.9,20.9,-101.4,21.4", {"LEO-2025-010"}),
        ("q=conducción", {"LEO-2025-010"}),
        ("q=XIC-2026-001", {"XIC-2026-001"}),
    ],
)
def test_it_filters_works(client, work_well_xichu, work_road_leon, query, expected):
    response = client.get(f"/api/works?{query}")
    assert response.status_code == 200, response.content
    assert {w["folio"] for w in response.json()["results"]} == expected


def test_it_filters_works_by_published_zone(client, zap_xichu_2026, work_well_xichu, work_road_leon):
    response = client.get(f"/api/works?zone={zap_xichu_2026.pk}")
    assert {w["folio"] for w in response.json()["results"]} == {"XIC-2026-001"}


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("bbox=1,2,3", "bbox"),
        ("bbox=-101,21,-102,22", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=-200,21,-100,22", "bbox"),
        ("year=dosmil", "year"),
        ("year=1999", "year"),
        ("status=ROTA", "status"),
        ("colour=red", "colour"),
        ("page_size=0", "page_size"),
        ("page_size=abc", "page_size"),
    ],
)
def test_it_refuses_bad_filters_naming_the_parameter(client, work_well_xichu, query, parameter):
    response = client.get(f"/api/works?{query}")
    assert response.status_code == 400
    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert body["parameter"] == parameter
    assert parameter in body["detail"]


def test_it_pages_with_a_cursor(client, xichu, water_category):
    from works_map.actions import do_create_work

    for i in range(5):
        do_create_work(
            folio=f"P-{i}",
            fiscal_year=2026,
            name=f"Obra {i}",
            category=water_category,
            geom=Point(-100.05 + i / 1000, 21.3, srid=4326),
            municipio=xichu,
        )
    first = client.get("/api/works?page_size=2").json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    seen = [w["folio"] for page in (first, second, third) for w in page["results"]]
    assert sorted(seen) == [f"P-{i}" for i in range(5)]
    assert third["next"] is None


def test_it_shows_a_work_with_geometry_agencies_and_funding(
    client, django_assert_num_queries, work_well_xichu
):
    with django_assert_num_queries(3):  # the work; its agency roles; its funding rows
        response = client.get(f"/api/works/{work_well_xichu.pk}")
    body = response.json()
    assert body["geometry"] == {"type": "Point", "coordinates": [-100.05, 21.3]}
    assert body["agencies"] == [{"code": "GTO-SOP", "acronym": "SOP", "role": "EJECUTORA"}]
    assert body["funding"][0]["code"] == "FAIS-FISMDF" and body["funding"][0]["is_fais"] is True
    assert body["oc4ids_status"] == "implementation"


def test_it_hides_unpublished_works(client, work_hidden_xichu):
    assert client.get(f"/api/works/{work_hidden_xichu.pk}").status_code == 404


def test_it_serves_works_as_a_geojson_feature_collection(client, work_well_xichu, work_road_leon):
    response = client.get("/api/works/geojson?year=2025")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert [f["geometry"]["type"] for f in body["features"]] == ["LineString"]
    assert body["features"][0]["properties"]["folio"] == "LEO-2025-010"


def test_it_lists_catalogues(client, work_well_xichu):
    assert client.get("/api/categories").json()[0]["code"] == "AGUA"
    assert {a["acronym"] for a in client.get("/api/agencies").json()} == {"SICOM", "SOP"}
    assert client.get("/api/funding-sources").json()[0]["is_fais"] is True
    municipios = client.get("/api/municipios").json()
    assert municipios == [
        {
            "id": municipios[0]["id"],
            "cvegeo": "11045",
            "name": "Xichú",
            "population_2020": 11143,
            "frame_version": "TEST",
        }
    ]
    detail = client.get(f"/api/municipios/{municipios[0]['id']}").json()
    assert detail["geometry"]["type"] == "MultiPolygon"


def test_it_lists_only_published_zones(client, zap_xichu_2026, xichu):
    from priority_zones.models import Zone

    Zone.objects.create(kind="DRAWN", fiscal_year=2026, name="Borrador", geom=xichu.geom, status="DRAFT")
    names = [z["name"] for z in client.get("/api/zones").json()["results"]]
    assert names == ["Xichú"]
    assert client.get("/api/zones?kind=ZAP_RURAL&year=2026").json()["results"][0]["source"] == "DOF 5773718"
    assert client.get("/api/zones?kind=NOPE").status_code == 400


def test_it_answers_503_when_the_statement_timeout_cuts_a_query(client, work_well_xichu, monkeypatch):
    from django.db import connection

    real_cursor = connection.cursor

    def slow_cursor(*args, **kwargs):
        cursor = real_cursor(*args, **kwargs)
        cursor.execute("SET LOCAL statement_timeout = 1")
        cursor.execute("SELECT pg_sleep(0.05)")
        return cursor

    monkeypatch.setattr(connection, "cursor", slow_cursor)
    response = client.get("/api/works")
    assert response.status_code == 503
    assert response.json()["status"] == 503
