"""OGC API - Tiles over the layer registry's vector tiles: the landing page and conformance announce
them, WebMercatorQuad is described, each public collection has a tileset whose template answers MVT
(z/row/col), filters pass through, and restricted layers are never reachable."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import mapbox_vector_tile
import pytest

from gis_core.tiles import TileCoord

pytestmark = pytest.mark.django_db

TILES = "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/"


def test_landing_and_conformance_announce_the_tiles(client):
    landing = client.get("/ogc/").json()
    assert any(link["href"].endswith("/ogc/tileMatrixSets") for link in landing["links"])
    conforms = client.get("/ogc/conformance").json()["conformsTo"]
    for cls in ("core", "tileset", "tilesets-list", "geodata-tilesets", "mvt"):
        assert TILES + cls in conforms
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conforms


def test_web_mercator_quad_is_described_as_a_tms_2_document(client):
    listing = client.get("/ogc/tileMatrixSets").json()["tileMatrixSets"]
    assert [t["id"] for t in listing] == ["WebMercatorQuad"]
    tms = client.get("/ogc/tileMatrixSets/WebMercatorQuad").json()
    assert tms["crs"] == "http://www.opengis.net/def/crs/EPSG/0/3857"
    z0, z10 = tms["tileMatrices"][0], tms["tileMatrices"][10]
    assert (z0["matrixWidth"], z10["matrixWidth"], z10["tileWidth"]) == (1, 1024, 256)
    assert z0["pointOfOrigin"] == [-20037508.342789244, 20037508.342789244]
    assert abs(z0["scaleDenominator"] / z10["scaleDenominator"] - 1024) < 1e-9
    assert client.get("/ogc/tileMatrixSets/WorldCRS84Quad").status_code == 404


def test_each_public_collection_links_its_tileset_with_a_template(client, leon):
    collections = client.get("/ogc/collections").json()["collections"]
    for c in collections:
        rels = {link["rel"] for link in c["links"]}
        assert "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector" in rels, c["id"]
    listing = client.get("/ogc/collections/works/tiles").json()
    (tileset,) = listing["tilesets"]
    assert tileset["dataType"] == "vector" and tileset["tileMatrixSetURI"].endswith("/WebMercatorQuad")
    doc = client.get("/ogc/collections/works/tiles/WebMercatorQuad").json()
    item = next(link for link in doc["links"] if link["rel"] == "item")
    assert item["type"] == "application/vnd.mapbox-vector-tile" and item["templated"] is True
    assert item["href"].endswith(
        "/ogc/collections/works/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}"
    )
    assert (
        doc["layers"][0]["id"] == "works" and "status" in doc["layers"][0]["propertiesSchema"]["properties"]
    )
    z8 = next(lim for lim in doc["tileMatrixSetLimits"] if lim["tileMatrix"] == "8")
    leon_tile = TileCoord.containing(-101.68, 21.12, 8)
    assert z8["minTileCol"] <= leon_tile.x <= z8["maxTileCol"]
    assert z8["minTileRow"] <= leon_tile.y <= z8["maxTileRow"]


def test_a_tile_is_the_layers_mvt_with_row_and_column_in_ogc_order(client, work_well_xichu, work_road_leon):
    z = 14
    coord = TileCoord.containing(-100.05, 21.3, z)
    response = client.get(f"/ogc/collections/works/tiles/WebMercatorQuad/{z}/{coord.y}/{coord.x}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    same = client.get(f"/tiles/works/{z}/{coord.x}/{coord.y}.mvt")
    assert response.content == same.content  # the one tile SQL, not a copy
    decoded = mapbox_vector_tile.decode(response.content)
    assert [f["properties"]["folio"] for f in decoded["works"]["features"]] == ["XIC-2026-001"]
    swapped = client.get(f"/ogc/collections/works/tiles/WebMercatorQuad/{z}/{coord.x}/{coord.y}")
    assert swapped.status_code == 204 or swapped.content != response.content


def test_the_work_filters_pass_through_the_template_and_the_tile(client, work_well_xichu):
    doc = client.get("/ogc/collections/works/tiles/WebMercatorQuad", {"status": "TERMINADA"}).json()
    item = next(link for link in doc["links"] if link["rel"] == "item")
    assert item["href"].endswith("{tileCol}?status=TERMINADA")
    coord = TileCoord.containing(-100.05, 21.3, 14)
    url = f"/ogc/collections/works/tiles/WebMercatorQuad/14/{coord.y}/{coord.x}"
    assert client.get(url, {"status": "TERMINADA"}).status_code == 204  # the well is in execution
    bad = client.get(url, {"status": "NO_EXISTE"})
    assert bad.status_code == 400
    assert client.get("/ogc/collections/works/tiles/WebMercatorQuad", {"colour": "x"}).status_code == 400


def test_households_and_unknown_collections_have_no_tiles(client, admin_client):
    for c in (client, admin_client):
        assert c.get("/ogc/collections/households/tiles").status_code == 404
        assert c.get("/ogc/collections/households/tiles/WebMercatorQuad/12/1000/1000").status_code == 404
    assert client.get("/ogc/collections/nada/tiles").status_code == 404


def test_bad_tile_coordinates_are_a_400_naming_the_part(client, leon):
    response = client.get("/ogc/collections/works/tiles/WebMercatorQuad/3/99/0")
    assert response.status_code == 400


def test_the_ogc_works_expose_every_public_attribute_of_the_api_and_exports(client, work_well_xichu):
    from works_map.exports import WORK_PROPERTIES

    feature = client.get("/ogc/collections/works/items").json()["features"][0]
    assert {"id", *feature["properties"]} == set(WORK_PROPERTIES)
    api = client.get("/api/works/geojson").json()["features"][0]["properties"]
    assert {"id", *api} == set(WORK_PROPERTIES)  # id is the feature id on both


def test_the_works_tileset_takes_every_work_filter_tiles_can_apply(client):
    from gis_core.ogc_tiles import TILESETS
    from works_map.filters import WORK_PARAMS

    tiled = {name for name, param in WORK_PARAMS.items() if param.tile is not None}
    assert tiled <= set(TILESETS["works"].filter_params)
    for name in tiled:
        assert client.get("/ogc/collections/works/tiles/WebMercatorQuad", {name: ""}).status_code == 200


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL's ogrinfo is not installed")
def test_gdal_reads_a_tile_of_the_template_from_a_live_server(
    transactional_db, live_server, work_well_xichu, tmp_path
):
    """The tileset's item template filled in (z/row/col) and fetched over HTTP, read by GDAL's MVT
    driver placed at Z/X/Y."""
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    coord = TileCoord.containing(-100.05, 21.3, 14)
    doc = json.loads(
        subprocess.run(
            ["curl", "-sf", f"{live_server.url}/ogc/collections/works/tiles/WebMercatorQuad"],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        ).stdout
    )
    template = next(link["href"] for link in doc["links"] if link["rel"] == "item")
    url = template.format(tileMatrix=14, tileRow=coord.y, tileCol=coord.x)
    tile = tmp_path / "tile.mvt"
    fetched = subprocess.run(["curl", "-sf", "-o", str(tile), url], capture_output=True, timeout=60, env=env)
    assert fetched.returncode == 0 and tile.stat().st_size > 0
    options = ["-oo", "Z=14", "-oo", f"X={coord.x}", "-oo", f"Y={coord.y}"]
    result = subprocess.run(
        ["ogrinfo", "-ro", "-al", *options, f"MVT:{tile}"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "folio (String) = XIC-2026-001" in result.stdout
    assert "POINT (-11137" in result.stdout  # placed in EPSG:3857 at the well, x ≈ -11,137,600 m
