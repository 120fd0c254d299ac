"""OGC API - Features Part 1 (Core + GeoJSON) at /ogc/, read by our own tests and by GDAL's client."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


def test_landing_page_links_to_definition_conformance_and_collections(client, db):
    body = client.get("/ogc/").json()
    rels = {link["rel"]: link["href"] for link in body["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= set(rels)
    conformance = client.get(rels["conformance"]).json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conformance
    definition = client.get(rels["service-desc"])
    assert definition.json()["openapi"].startswith("3.0")
    assert "/collections/works/items" in definition.json()["paths"]


def test_it_lists_the_three_collections_in_crs84(client, db):
    collections = client.get("/ogc/collections").json()["collections"]
    assert [c["id"] for c in collections] == ["works", "zones", "municipios"]
    for c in collections:
        assert c["crs"] == ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"]
        assert any(link["rel"] == "items" for link in c["links"])
    assert client.get("/ogc/collections/works").json()["id"] == "works"
    assert client.get("/ogc/collections/households").status_code == 404


def test_items_page_with_limit_offset_and_next_links(client, shcp_works):
    first = client.get("/ogc/collections/works/items?limit=50")
    assert first["Content-Type"] == "application/geo+json"
    page = first.json()
    assert page["numberReturned"] == 50
    seen = [f["id"] for f in page["features"]]
    while (nxt := next((link["href"] for link in page["links"] if link["rel"] == "next"), None)) is not None:
        page = client.get(nxt.replace("http://testserver", "")).json()
        seen += [f["id"] for f in page["features"]]
    assert len(seen) == len(set(seen)) == 115
    assert page["numberReturned"] == 15


def test_items_filter_by_bbox_datetime_and_properties(client, work_well_xichu, work_road_leon):
    def folios(query):
        body = client.get(f"/ogc/collections/works/items?{query}").json()
        return sorted(f["properties"]["folio"] for f in body["features"])

    assert folios("bbox=-100.2,21.2,-99.9,21.4") == ["XIC-2026-001"]
    assert folios("datetime=2025-06-01T00:00:00Z") == ["LEO-2025-010"]
    assert folios("datetime=2026-01-01/..") == ["XIC-2026-001"]
    assert folios("datetime=../2026-12-31") == ["LEO-2025-010", "XIC-2026-001"]
    assert folios("status=TERMINADA") == ["LEO-2025-010"]
    assert folios("municipio=11045&fiscal_year=2026") == ["XIC-2026-001"]


def test_single_item_is_a_feature_with_links(client, work_road_leon):
    body = client.get(f"/ogc/collections/works/items/{work_road_leon.pk}").json()
    assert body["type"] == "Feature" and body["id"] == work_road_leon.pk
    assert body["geometry"]["coordinates"][0] == [-101.7, 21.1]
    assert {link["rel"] for link in body["links"]} == {"self", "collection"}
    assert client.get("/ogc/collections/works/items/999999").status_code == 404
    assert client.get("/ogc/collections/works/items/abc").status_code == 404


def test_zones_and_municipios_collections(client, zap_xichu_2026):
    zones = client.get("/ogc/collections/zones/items?datetime=2026").json()["features"]
    assert [z["properties"]["cvegeo"] for z in zones] == ["11045"]
    municipios = client.get("/ogc/collections/municipios/items?cvegeo=11045").json()["features"]
    assert municipios[0]["properties"]["population_2020"] == 11143
    assert client.get("/ogc/collections/municipios/items?datetime=2026").status_code == 400


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("bbox=1,2,3", "bbox"),
        ("limit=0", "limit"),
        ("limit=100000", "limit"),
        ("offset=-1", "offset"),
        ("datetime=ayer", "datetime"),
        ("datetime=2026/2025", "datetime"),
        ("fiscal_year=dos", "fiscal_year"),
        ("bbox-crs=EPSG:3857", "bbox-crs"),
        ("colour=red", "colour"),
        ("f=html", "f"),
    ],
)
def test_items_refuse_bad_parameters(client, db, query, parameter):
    response = client.get(f"/ogc/collections/works/items?{query}")
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL's ogrinfo is not installed")
def test_gdal_reads_the_collections_and_features(
    transactional_db, live_server, work_well_xichu, zap_xichu_2026
):
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    url = f"OAPIF:{live_server.url}/ogc"
    listing = subprocess.run(["ogrinfo", "-ro", url], capture_output=True, text=True, timeout=60, env=env)
    assert listing.returncode == 0, listing.stderr
    for name in ("works", "zones", "municipios"):
        assert name in listing.stdout
    features = subprocess.run(
        ["ogrinfo", "-ro", "-al", url, "works"], capture_output=True, text=True, timeout=60, env=env
    )
    assert features.returncode == 0, features.stderr
    assert "Feature Count: 1" in features.stdout or "XIC-2026-001" in features.stdout
    assert "folio (String) = XIC-2026-001" in features.stdout
    assert "POINT (-100.05 21.3)" in features.stdout


def test_items_page_is_one_query(client, shcp_works, django_assert_num_queries):
    with django_assert_num_queries(1):  # features with their GeoJSON geometry and joined properties
        body = client.get("/ogc/collections/works/items?limit=100&datetime=2019").json()
    assert body["numberReturned"] == sum(1 for w in shcp_works if w.fiscal_year == 2019)
