"""TileJSON, the MapLibre style, and every bad tile request refused with its 4xx before any SQL."""

from __future__ import annotations

import pytest

from gis_core.versions import layer_version
from layers.registry import LAYERS, public_layers


def test_tilejson_describes_the_layer_with_a_versioned_tile_url(client, db):
    doc = client.get("/tiles/works.json").json()
    assert doc["tilejson"] == "3.0.0"
    assert doc["minzoom"] == LAYERS["works"].minzoom
    assert doc["maxzoom"] == LAYERS["works"].maxzoom
    assert doc["bounds"] == [-102.3, 19.7, -99.4, 22.1]
    assert doc["tiles"] == [f"http://testserver/tiles/works/{{z}}/{{x}}/{{y}}.mvt?v={layer_version('works')}"]
    [vector_layer] = doc["vector_layers"]
    assert vector_layer["id"] == "works"
    assert {"count", "amount", "status", "year", "folio"} <= set(vector_layer["fields"])


def test_tilejson_carries_validated_filters_into_the_tile_url(client, db):
    doc = client.get("/tiles/works.json", {"status": "TERMINADA", "year": "2025"}).json()
    assert doc["tiles"][0].endswith("/tiles/works/{z}/{x}/{y}.mvt?status=TERMINADA&year=2025&v=1")
    assert client.get("/tiles/works.json", {"status": "NOPE"}).status_code == 400


def test_the_tile_url_version_changes_after_a_write(
    client, work_well_xichu, django_capture_on_commit_callbacks
):
    from works_map.actions import do_update_work

    before = client.get("/tiles/works.json").json()["tiles"][0]
    with django_capture_on_commit_callbacks(execute=True):
        do_update_work(work_well_xichu, name="Red de agua potable ampliada")
    after = client.get("/tiles/works.json").json()["tiles"][0]
    assert before != after
    assert after.endswith(f"v={layer_version('works')}")


def test_the_style_has_every_public_layer_and_no_basemap_by_default(client, db, settings):
    settings.BASEMAP_URL = ""
    style = client.get("/tiles/style.json").json()
    assert style["version"] == 8
    assert {layer.name for layer in public_layers()} <= set(style["sources"])
    assert "basemap" not in style["sources"]
    assert style["layers"][0]["type"] == "background"
    drawn = {lyr.get("source") for lyr in style["layers"]}
    assert {layer.name for layer in public_layers()} <= drawn
    # Offline: no glyphs or sprites that would need the network.
    assert "glyphs" not in style and "sprite" not in style


def test_the_style_uses_the_configured_basemap(client, db, settings):
    settings.BASEMAP_URL = "https://tile.example.org/{z}/{x}/{y}.png"
    style = client.get("/tiles/style.json").json()
    assert style["sources"]["basemap"]["tiles"] == ["https://tile.example.org/{z}/{x}/{y}.png"]
    assert style["layers"][1] == {"id": "basemap", "type": "raster", "source": "basemap"}


@pytest.mark.parametrize(
    "path, param",
    [
        ("/tiles/works/4/3/7.mvt", "z"),  # below the layer's minzoom
        ("/tiles/works/17/0/0.mvt", "z"),  # above its maxzoom
        ("/tiles/work_footprints/9/0/0.mvt", "z"),
        ("/tiles/works/8/256/0.mvt", "x"),  # x >= 2^z
        ("/tiles/works/8/0/256.mvt", "y"),
        ("/tiles/works/a/0/0.mvt", "z"),
        ("/tiles/works/8/-1/0.mvt", "x"),
        ("/tiles/works/8/1.5/0.mvt", "x"),
        ("/tiles/works/8/0/0x1.mvt", "y"),
        ("/tiles/works/8/0/0.mvt?status=NOPE", "status"),
        ("/tiles/works/8/0/0.mvt?status=", "status"),
        ("/tiles/works/8/0/0.mvt?year=19", "year"),
        ("/tiles/works/8/0/0.mvt?year=2026,abc", "year"),
        ("/tiles/works/8/0/0.mvt?kind=ZAP_RURAL", "kind"),  # a zones filter, not a works one
        ("/tiles/works/8/0/0.mvt?bbox=1,2,3,4", "bbox"),
        ("/tiles/zones/8/0/0.mvt?kind=PARQUE", "kind"),
        ("/tiles/zones/8/0/0.mvt?status=TERMINADA", "status"),
    ],
)
def test_bad_requests_are_400_naming_the_parameter_before_any_sql(
    client, db, django_assert_num_queries, path, param
):
    layer_version("works")
    with django_assert_num_queries(0):
        response = client.get(path)
    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == param
    assert param in body["detail"] or param in ("x", "y", "z")


@pytest.mark.parametrize(
    "query, param",
    [
        ({"category": "NO-EXISTE"}, "category"),
        ({"agency": "NO-EXISTE"}, "agency"),
        ({"source": "NO-EXISTE"}, "source"),
        ({"municipio": "99999"}, "municipio"),
    ],
)
def test_unknown_catalogue_codes_are_400_and_no_tile_is_made(
    client, leon, django_assert_max_num_queries, query, param
):
    with django_assert_max_num_queries(1):  # at most the catalogue lookup, never the tile query
        response = client.get("/tiles/works/8/57/111.mvt", query)
    assert response.status_code == 400
    assert response.json()["parameter"] == param
    assert "NO-EXISTE" in response.json()["detail"] or "99999" in response.json()["detail"]


def test_an_unknown_layer_is_404(client, db):
    assert client.get("/tiles/obras/8/0/0.mvt").status_code == 404
    assert client.get("/tiles/obras.json").status_code == 404


def test_writes_to_tiles_are_refused(client, db):
    assert client.post("/tiles/works/8/0/0.mvt").status_code == 405


def test_a_block_that_writes_a_layer_many_times_bumps_it_once(transactional_db):
    from django.db import transaction

    from gis_core.versions import bump_layers, bumps_once

    works, zones = layer_version("works"), layer_version("zones")
    with transaction.atomic(), bumps_once():
        for _ in range(5):
            bump_layers("works")
        with bumps_once():  # nested: the outer block bumps
            bump_layers("zones", "works")
    assert (layer_version("works"), layer_version("zones")) == (works + 1, zones + 1)
    with transaction.atomic(), bumps_once():
        pass
    assert layer_version("works") == works + 1  # nothing written, nothing bumped
