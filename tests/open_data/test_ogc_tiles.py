"""OGC API - Tiles over the layer registry's vector tiles: the landing page and conformance announce
them, WebMercatorQuad is described, each public collection has a tileset whose template answers MVT
(z/row/col), filters pass through, and restricted layers are never reachable."""

from __future__ import annotations

import json
import os
import re
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


def test_the_tileset_links_the_same_tiles_tilejson_keeping_the_filters(client):
    doc = client.get("/ogc/collections/works/tiles/WebMercatorQuad", {"status": "TERMINADA"}).json()
    (alternate,) = [link for link in doc["links"] if link["rel"] == "alternate"]
    assert alternate["type"] == "application/json"
    assert alternate["href"].endswith("/tiles/works.json?status=TERMINADA")
    tilejson = client.get(alternate["href"].removeprefix("http://testserver")).json()
    assert tilejson["tiles"][0].split("?")[0].endswith("/tiles/works/{z}/{x}/{y}.mvt")
    assert "status=TERMINADA" in tilejson["tiles"][0]
    assert set(tilejson["vector_layers"][0]["fields"]) == set(
        doc["layers"][0]["propertiesSchema"]["properties"]
    )


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


def _run(args: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    return subprocess.run(args, capture_output=True, text=True, timeout=180, env=env)


def _gdal_version() -> str:
    return _run(["ogrinfo", "--version"]).stdout


# Central León in EPSG:3857 (lon -101.75..-101.55, lat 21.05..21.20): the road work lies inside.
LEON_3857 = ["-11326758", "2397790", "-11304494", "2415715"]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL's ogrinfo is not installed")
def test_gdal_mvt_driver_reads_the_layer_through_the_tilesets_tilejson(
    transactional_db, live_server, work_well_xichu, work_road_leon
):
    """GDAL's MVT driver opens one zoom level of the XYZ tiles with the TileJSON the OGC tileset links
    (fields from its vector_layers, extent from its bounds) and reads features over HTTP."""
    tileset = json.loads(
        _run(["curl", "-sf", f"{live_server.url}/ogc/collections/works/tiles/WebMercatorQuad"]).stdout
    )
    tilejson_url = next(link["href"] for link in tileset["links"] if link["rel"] == "alternate")
    tiles = json.loads(_run(["curl", "-sf", tilejson_url]).stdout)["tiles"][0]
    directory = tiles.split("{z}/{x}/{y}.mvt")[0]
    source = [
        "-oo",
        "TILE_EXTENSION=mvt",
        "-oo",
        f"METADATA_FILE=/vsicurl/{tilejson_url}",
        f"MVT:{directory}14",
    ]
    listed = _run(["ogrinfo", "-ro", "-so", *source])
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert "1: works" in listed.stdout
    # With a spatial filter only the tiles under it are fetched (a whole zoom level is thousands).
    read = _run(["ogrinfo", "-ro", *source, "works", "-spat", *LEON_3857])
    assert read.returncode == 0, read.stderr[-2000:]
    for name in ("folio", "status", "year", "municipio", "amount"):
        assert f"{name}: String" in read.stdout
    assert 'ID["EPSG",3857]]' in read.stdout
    folios = re.findall(r"folio \(String\) = (\S+)", read.stdout)
    assert folios and set(folios) == {"LEO-2025-010"}, read.stdout[-2000:]
    assert "XIC-2026-001" not in read.stdout  # the Xichú well is outside the filter's tiles


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL's ogrinfo is not installed")
@pytest.mark.skipif(not _gdal_version().startswith("GDAL 3.6."), reason="documents GDAL 3.6's OGCAPI driver")
def test_gdal_3_6_ogcapi_driver_accepts_every_tiles_document_then_has_no_vector_path(
    transactional_db, live_server, work_well_xichu
):
    """GDAL 3.6's OGCAPI driver follows our links (collection → tilesets-vector → tileset self →
    tiling-scheme) and parses each document without an error: the tileset's MVT item template, limits
    and the TMS are accepted. It then opens nothing because 3.6 builds no layer from vector tiles
    (README, OGC API – Tiles); this test notices when an upgraded GDAL changes that."""
    url = f"OGCAPI:{live_server.url}/ogc/collections/works"
    result = _run(["ogrinfo", "--debug", "on", "-ro", "-so", "-oo", "API=TILES", url])
    fetched = re.findall(r"HTTP: Fetch\((\S+)\)", result.stderr)
    assert [f.removeprefix(live_server.url) for f in fetched] == [
        "/ogc/collections/works",
        "/ogc/collections/works/tiles",
        "/ogc/collections/works/tiles/WebMercatorQuad",
        "/ogc/tileMatrixSets/WebMercatorQuad",
    ]
    assert "ERROR" not in result.stderr, result.stderr[-2000:]
    assert result.returncode != 0 and "Zoom level" not in result.stdout
