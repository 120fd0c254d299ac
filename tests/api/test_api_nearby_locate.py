"""What is near me (true metres, KNN-assisted) and where am I (municipio, localidad, AGEB, zones)."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from pyproj import Geod

GEOD = Geod(ellps="WGS84")
SALAMANCA = (-101.19, 20.57)


def test_it_orders_real_projects_by_geodesic_distance(client, shcp_works, shcp_import):
    lon, lat = SALAMANCA
    expected = sorted((GEOD.inv(lon, lat, row.point.x, row.point.y)[2], row.key) for row in shcp_import.kept)
    expected = [(d, key) for d, key in expected if d <= 30_000][:10]
    response = client.get(f"/api/works/nearby?lon={lon}&lat={lat}&radius_m=30000&limit=10")
    assert response.status_code == 200, response.content
    got = response.json()
    assert len(got) == len(expected) > 3
    for item, (distance, _key) in zip(got, expected, strict=True):
        assert item["distance_m"] == pytest.approx(distance, abs=0.5)
    assert [item["distance_m"] for item in got] == sorted(item["distance_m"] for item in got)
    assert {i["folio"] for i in got} == {key[:40] for _, key in expected}


def test_it_prefers_true_metres_over_degree_distance(
    client, xichu, water_category, django_assert_num_queries
):
    """East of the point 0.0100° is ~1,040 m; north 0.0095° is ~1,051 m: degrees and metres disagree."""
    from works_map.actions import do_create_work

    for folio, (dx, dy) in {"ESTE": (0.0100, 0), "NORTE": (0, 0.0095)}.items():
        do_create_work(
            folio=folio,
            fiscal_year=2026,
            name=folio,
            category=water_category,
            geom=Point(-100.05 + dx, 21.3 + dy, srid=4326),
            municipio=xichu,
        )
    # A first request pays the process's one-time lookups (e.g. the PostGIS version) whichever test
    # runs first; the second is what every request costs.
    client.get("/api/works/nearby?lon=-100.05&lat=21.3&radius_m=5000&limit=1")
    with django_assert_num_queries(2):  # KNN bound by the index; exact geography distances in that bound
        response = client.get("/api/works/nearby?lon=-100.05&lat=21.3&radius_m=5000&limit=1")
    assert [w["folio"] for w in response.json()] == ["ESTE"]


def test_it_leaves_out_works_beyond_the_radius(client, work_well_xichu):
    far = client.get("/api/works/nearby?lon=-100.05&lat=21.31&radius_m=1000").json()
    near = client.get("/api/works/nearby?lon=-100.05&lat=21.31&radius_m=1200").json()
    assert far == [] and [w["folio"] for w in near] == ["XIC-2026-001"]
    assert near[0]["distance_m"] == pytest.approx(GEOD.inv(-100.05, 21.31, -100.05, 21.3)[2], abs=0.5)


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("lat=21.3", "lon"),
        ("lon=abc&lat=21.3", "lon"),
        ("lon=-100.05&lat=91", "lat"),
        ("lon=21.3&lat=-100.05", "lon"),  # swapped axes
        ("lon=-90&lat=40", "lon"),  # outside the state
        ("lon=-100.05&lat=21.3&radius_m=0", "radius_m"),
        ("lon=-100.05&lat=21.3&radius_m=nan", "radius_m"),
        ("lon=-100.05&lat=21.3&radius_m=1e9", "radius_m"),
        ("lon=-100.05&lat=21.3&limit=5000", "limit"),
        ("lon=-100.05&lat=21.3&near=me", "near"),
    ],
)
def test_it_refuses_bad_nearby_parameters(client, work_well_xichu, query, parameter):
    response = client.get(f"/api/works/nearby?{query}")
    assert response.status_code == 400, response.content
    assert response.json()["parameter"] == parameter


@pytest.fixture
def localidad_xichu(xichu):
    """The cabecera of Xichú as a small polygon, so locate can find a localidad and an AGEB."""
    from priority_zones.models import Ageb, Localidad

    square = MultiPolygon(Polygon.from_bbox((-100.07, 21.28, -100.03, 21.32)), srid=4326)
    loc = Localidad.objects.create(
        cvegeo="110450001", municipio=xichu, name="Xichú", ambito="U", frame_version="TEST", geom=square
    )
    Ageb.objects.create(
        cvegeo="110450001001A", municipio=xichu, localidad=loc, ambito="U", frame_version="TEST", geom=square
    )
    return loc


def test_it_locates_a_point_in_municipio_localidad_ageb_and_zones(
    client, zap_xichu_2026, localidad_xichu, django_assert_num_queries
):
    with django_assert_num_queries(4):  # municipio, localidad, AGEB, zones
        body = client.get("/api/locate?lon=-100.05&lat=21.3").json()
    assert body["municipio"] == {"cvegeo": "11045", "name": "Xichú"}
    assert body["localidad"]["cvegeo"] == "110450001"
    assert body["ageb"]["cvegeo"] == "110450001001A"
    assert [(z["kind"], z["fiscal_year"]) for z in body["zones"]] == [("ZAP_RURAL", 2026)]


def test_it_locates_with_the_real_municipios(client, zap_rural_2026_real):
    body = client.get("/api/locate?lon=-101.68&lat=21.12").json()  # León centre: not a rural ZAP
    assert body["municipio"]["cvegeo"] == "11020" and body["zones"] == []
    body = client.get("/api/locate?lon=-100.0&lat=21.3").json()  # Xichú is 11045 in INEGI and the DOF
    assert body["municipio"] == {"cvegeo": "11045", "name": "Xichú"}
    assert [(z["cvegeo"], z["fiscal_year"]) for z in body["zones"]] == [("11045", 2026)]
