from __future__ import annotations

from decimal import Decimal

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import Point

from gis_core.tiles import TileCoord
from gis_core.versions import layer_version
from tests.layers.conftest import fetch, neighbours, tile_url

WELL = (-100.05, 21.3)


def test_it_puts_a_point_work_in_its_tile_and_nowhere_else(client, work_well_xichu):
    coord = TileCoord.containing(*WELL, 14)
    [feature] = fetch(client, "works", coord)
    props = feature["properties"]
    assert props["id"] == work_well_xichu.pk
    assert props["folio"] == "XIC-2026-001"
    assert props["status"] == "EN_EJECUCION"
    assert props["year"] == 2026
    assert props["category"] == "AGUA.RED"
    assert props["municipio"] == "11045"
    assert props["amount"] == 2500000.0
    assert props["count"] == 1
    assert feature["geometry"]["type"] == "Point"
    for other in neighbours(coord):
        assert client.get(tile_url("works", other)).status_code == 204


def test_it_clusters_works_at_low_zoom_with_counts_and_amounts(client, works_cluster_xichu):
    coord = TileCoord.containing(*WELL, 8)
    [cluster] = fetch(client, "works", coord)
    props = cluster["properties"]
    assert props["count"] == 4
    assert props["amount"] == 2500000.0 + 3 * 100000.0
    assert props["status"] == "EN_EJECUCION"  # two of the four
    assert "id" not in props  # a group has no single id
    for other in neighbours(coord):
        assert fetch(client, "works", other) == []


def test_a_single_work_at_low_zoom_keeps_its_id(client, work_well_xichu):
    [cluster] = fetch(client, "works", TileCoord.containing(*WELL, 7))
    assert cluster["properties"]["count"] == 1
    assert cluster["properties"]["id"] == work_well_xichu.pk


def test_footprints_draw_lines_and_leave_point_works_out(client, work_road_leon, work_well_xichu):
    [line] = fetch(client, "work_footprints", TileCoord.containing(-101.65, 21.125, 12))
    assert line["properties"]["folio"] == "LEO-2025-010"
    assert line["geometry"]["type"] == "LineString"
    assert fetch(client, "work_footprints", TileCoord.containing(*WELL, 12)) == []


def test_unpublished_works_are_in_no_public_tile(client, unpublished_work_leon):
    for z in (7, 14):
        assert fetch(client, "works", TileCoord.containing(-101.65, 21.2, z)) == []


def test_it_answers_204_for_an_empty_tile(client, work_well_xichu):
    response = client.get(tile_url("works", TileCoord.containing(-101.0, 20.5, 14)))
    assert response.status_code == 204
    assert response.content == b""
    assert response["ETag"]
    assert response["Cache-Control"]


def test_it_sends_a_strong_etag_and_answers_304_when_it_matches(client, work_well_xichu):
    url = tile_url("works", TileCoord.containing(*WELL, 14))
    first = client.get(url)
    etag = first["ETag"]
    assert first.status_code == 200
    assert first["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_cache_control_is_long_only_for_the_current_data_version(client, work_well_xichu):
    url = tile_url("works", TileCoord.containing(*WELL, 14))
    version = layer_version("works")
    assert client.get(url, {"v": version})["Cache-Control"] == "public, max-age=86400"
    assert client.get(url)["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert client.get(url, {"v": version - 1})["Cache-Control"] == "public, max-age=0, must-revalidate"


def test_a_write_through_an_action_bumps_the_version_and_changes_the_tile(
    client, work_well_xichu, django_capture_on_commit_callbacks
):
    from works_map.actions import do_update_work

    url = tile_url("works", TileCoord.containing(*WELL, 14))
    before = client.get(url)
    version = layer_version("works")
    assert (
        mapbox_vector_tile.decode(before.content)["works"]["features"][0]["properties"]["status"]
        == "EN_EJECUCION"
    )

    with django_capture_on_commit_callbacks(execute=True):
        do_update_work(work_well_xichu, status="TERMINADA", amount_modified=Decimal("2600000.00"))

    assert layer_version("works") == version + 1
    assert layer_version("work_footprints") > 1
    after = client.get(url, headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    props = mapbox_vector_tile.decode(after.content)["works"]["features"][0]["properties"]
    assert props["status"] == "TERMINADA"
    assert props["amount"] == 2600000.0


def test_moving_a_work_empties_its_old_tile(client, work_well_xichu, django_capture_on_commit_callbacks):
    from works_map.actions import do_update_work

    coord = TileCoord.containing(*WELL, 14)
    assert len(fetch(client, "works", coord)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        do_update_work(work_well_xichu, geom=Point(-100.1, 21.35, srid=4326))
    assert fetch(client, "works", coord) == []
    assert len(fetch(client, "works", TileCoord.containing(-100.1, 21.35, 14))) == 1


@pytest.fixture
def two_works_apart_in_xichu(work_well_xichu, xichu, sop, fismdf):
    """A 2024 road in Xichú, another category, only requested by SOP, unfunded: filters split them."""
    from works_map.actions import do_create_work
    from works_map.models import Category, WorkAgency

    roads = Category.objects.create(code="CAMINOS", name="Caminos", level="RUBRO")
    road = do_create_work(
        folio="XIC-2024-007",
        fiscal_year=2024,
        name="Camino rural",
        category=roads,
        geom=Point(-100.0502, 21.3002, srid=4326),
        municipio=xichu,
        status="TERMINADA",
    )
    # SOP only requested the road: the agency filter means "executed by", on tiles as in the API.
    WorkAgency.objects.create(work=road, agency=sop, role="SOLICITANTE")


@pytest.mark.parametrize(
    "query, folios",
    [
        ({}, {"XIC-2026-001", "XIC-2024-007"}),
        ({"year": "2026"}, {"XIC-2026-001"}),
        ({"year": "2024,2026"}, {"XIC-2026-001", "XIC-2024-007"}),
        ({"status": "TERMINADA"}, {"XIC-2024-007"}),
        ({"status": "en_ejecucion"}, {"XIC-2026-001"}),
        ({"category": "AGUA"}, {"XIC-2026-001"}),  # a rubro selects its temas
        ({"category": "CAMINOS"}, {"XIC-2024-007"}),
        ({"agency": "GTO-SOP"}, {"XIC-2026-001"}),
        ({"source": "FAIS-FISMDF"}, {"XIC-2026-001"}),
        ({"municipio": "11045"}, {"XIC-2026-001", "XIC-2024-007"}),
        ({"municipio": "11020"}, set()),
        ({"year": "2024", "source": "FAIS-FISMDF"}, set()),
    ],
)
def test_filters_narrow_the_features(client, two_works_apart_in_xichu, leon, query, folios):
    found = fetch(client, "works", TileCoord.containing(*WELL, 14), **query)
    assert {f["properties"]["folio"] for f in found} == folios


def test_filters_apply_to_clusters_too(client, two_works_apart_in_xichu):
    coord = TileCoord.containing(*WELL, 8)
    assert [f["properties"]["count"] for f in fetch(client, "works", coord)] == [2]
    assert [f["properties"]["count"] for f in fetch(client, "works", coord, year="2024")] == [1]


def test_an_uncached_tile_costs_exactly_one_query(client, work_well_xichu, django_assert_num_queries):
    layer_version("works")  # the version lookup is cached (and dropped by every bump)
    with django_assert_num_queries(1):
        assert client.get(tile_url("works", TileCoord.containing(*WELL, 14))).status_code == 200
    with django_assert_num_queries(1):
        assert client.get(tile_url("works", TileCoord.containing(*WELL, 8))).status_code == 200


def test_a_filtered_uncached_tile_costs_one_query_once_the_catalogue_is_warm(
    client, work_well_xichu, django_assert_num_queries
):
    coord = TileCoord.containing(*WELL, 14)
    client.get(tile_url("works", TileCoord(14, 0, 0)), {"agency": "GTO-SOP", "municipio": "11045"})
    with django_assert_num_queries(1):
        assert (
            client.get(tile_url("works", coord), {"agency": "GTO-SOP", "municipio": "11045"}).status_code
            == 200
        )


def test_a_cached_tile_costs_no_query(client, work_well_xichu, django_assert_num_queries):
    url = tile_url("works", TileCoord.containing(*WELL, 14))
    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


def test_zones_carry_kind_and_year_and_leave_drafts_out(client, zap_xichu_2026):
    from priority_zones.actions import do_create_zone

    do_create_zone(
        kind="ZONA_IMPULSO",
        fiscal_year=2025,
        name="Borrador en Xichú",
        geom=zap_xichu_2026.geom,
        status="DRAFT",
    )
    coord = TileCoord.containing(*WELL, 10)
    [zone] = fetch(client, "zones", coord)
    assert zone["properties"]["kind"] == "ZAP_RURAL"
    assert zone["properties"]["year"] == 2026
    assert zone["properties"]["cvegeo"] == "11045"
    assert zone["geometry"]["type"] == "Polygon"
    assert fetch(client, "zones", coord, year="2025") == []
    assert fetch(client, "zones", coord, kind="ZONA_IMPULSO") == []
    assert len(fetch(client, "zones", coord, kind="ZAP_RURAL", year="2026")) == 1


def test_publishing_a_zone_shows_it_on_the_next_request(
    client, zap_xichu_2026, django_capture_on_commit_callbacks
):
    from priority_zones.actions import do_create_zone, do_update_zone

    coord = TileCoord.containing(*WELL, 10)
    draft = do_create_zone(
        kind="ZONA_IMPULSO", fiscal_year=2026, name="Zona Impulso Xichú", geom=zap_xichu_2026.geom
    )
    assert {z["properties"]["kind"] for z in fetch(client, "zones", coord)} == {"ZAP_RURAL"}
    with django_capture_on_commit_callbacks(execute=True):
        do_update_zone(draft, status="PUBLISHED")
    assert {z["properties"]["kind"] for z in fetch(client, "zones", coord)} == {"ZAP_RURAL", "ZONA_IMPULSO"}


def test_municipios_carry_their_key_and_name(client, leon, xichu):
    [muni] = fetch(client, "municipios", TileCoord.containing(-101.65, 21.15, 9))
    assert muni["properties"] == {"cvegeo": "11020", "name": "León", "population": 1721215}
    state = TileCoord.containing(-101.0, 21.2, 4)
    assert {m["properties"]["cvegeo"] for m in fetch(client, "municipios", state)} == {"11020", "11045"}
    assert [m["properties"]["cvegeo"] for m in fetch(client, "municipios", state, municipio="11045")] == [
        "11045"
    ]


def test_localidades_and_agebs_are_tiled(client, leon):
    from django.contrib.gis.geos import MultiPolygon, Polygon

    from priority_zones.models import Ageb, Localidad

    area = MultiPolygon(Polygon.from_bbox((-101.70, 21.10, -101.69, 21.11)), srid=4326)
    loc = Localidad.objects.create(
        cvegeo="110200001",
        municipio=leon,
        name="León de los Aldama",
        ambito="U",
        frame_version="T",
        geom=area,
    )
    Ageb.objects.create(
        cvegeo="1102000010010", municipio=leon, localidad=loc, ambito="U", frame_version="T", geom=area
    )
    coord = TileCoord.containing(-101.695, 21.105, 12)
    assert [f["properties"]["name"] for f in fetch(client, "localidades", coord)] == ["León de los Aldama"]
    assert [f["properties"]["cvegeo"] for f in fetch(client, "agebs", coord)] == ["1102000010010"]


def test_with_a_process_local_cache_other_workers_see_a_write_within_seconds(db):
    import time

    from django.core.cache import cache

    from gis_core.models import LayerVersion
    from gis_core.versions import LOCAL_TTL, layer_version

    layer_version("works")
    # Another worker's bump reaches the database but not this process's local-memory cache.
    LayerVersion.objects.bump("works")
    expires = cache._expire_info[cache.make_and_validate_key("layer-version:works")]
    assert expires - time.time() <= LOCAL_TTL
    cache.delete("layer-version:works")  # what expiry does after LOCAL_TTL seconds
    assert layer_version("works") == 2
