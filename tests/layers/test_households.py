"""Household points are restricted; the public need layer never shows fewer than 10 households."""

from __future__ import annotations

import pytest

from gis_core.tiles import TileCoord
from tests.layers.conftest import fetch, tile_url
from tests.places import CLUSTER, LONELY, diagnosed_household


def test_household_points_are_403_for_anonymous_visitors(client, households_xichu):
    response = client.get(tile_url("households", TileCoord.containing(*CLUSTER, 14)))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_household_points_are_403_for_a_user_without_the_permission(
    client, django_user_model, households_xichu
):
    client.force_login(
        django_user_model.objects.create_user("citizen", "c@example.org", "una-clave-larga-123")
    )
    assert client.get(tile_url("households", TileCoord.containing(*CLUSTER, 14))).status_code == 403
    assert client.get("/tiles/households.json").status_code == 403


def test_a_planner_sees_household_points_in_scope_and_the_read_is_logged(
    client, planner_xichu, households_xichu
):
    from priority_zones.models import AccessLog

    client.force_login(planner_xichu)
    response = client.get(tile_url("households", TileCoord.containing(*CLUSTER, 14)))
    found = fetch(client, "households", TileCoord.containing(*CLUSTER, 14))
    assert len(found) == 12
    assert response["Cache-Control"].startswith("private")
    assert AccessLog.objects.filter(user=planner_xichu, query__startswith="/tiles/households/").count() == 2


def test_a_planner_sees_no_household_outside_the_scope(client, planner_xichu, leon):
    diagnosed_household(leon, -101.65, 21.15)
    client.force_login(planner_xichu)
    coord = TileCoord.containing(-101.65, 21.15, 14)
    assert client.get(tile_url("households", coord)).status_code == 204
    assert client.get(tile_url("households", coord), {"municipio": "11020"}).status_code == 204


def test_the_households_layer_is_not_in_the_public_style(client, db):
    style = client.get("/tiles/style.json").json()
    assert "households" not in style["sources"]
    assert "need" in style["sources"]


def test_need_hexagons_show_rounded_counts_and_safe_rates_only(client, households_xichu):
    coord = TileCoord.containing(*CLUSTER, 10)
    [hexagon] = fetch(client, "need", coord)
    props = hexagon["properties"]
    assert props["households"] == 10  # 12, rounded to base 5
    assert props["servicios_basicos"] == 33  # 4 of 12
    assert props["pobreza_moderada"] == 50
    assert "alimentacion" not in props  # 1 of 12: would single someone out
    assert "pobreza_extrema" not in props  # 0 of 12: a 0% cell is withheld too
    assert hexagon["geometry"]["type"] == "Polygon"


@pytest.mark.parametrize("z", [6, 8, 10, 12])
def test_no_need_hexagon_has_fewer_than_ten_households(client, households_xichu, z):
    for where in (CLUSTER, LONELY):
        for hexagon in fetch(client, "need", TileCoord.containing(*where, z)):
            assert hexagon["properties"]["households"] >= 10
    # The five lonely households are in no tile at any zoom.
    lonely = fetch(client, "need", TileCoord.containing(*LONELY, 12))
    assert all(h["properties"]["households"] >= 10 for h in lonely)
    assert sum(
        h["properties"]["households"] for h in fetch(client, "need", TileCoord.containing(*CLUSTER, z))
    ) in (
        10,
        15,
    )


def test_nine_households_alone_make_no_hexagon(client, xichu):
    from priority_zones.actions import refresh_disclosure_units

    for i in range(9):
        diagnosed_household(xichu, CLUSTER[0] + i * 0.00001, CLUSTER[1])
    refresh_disclosure_units()
    for z in (6, 9, 12):
        assert client.get(tile_url("need", TileCoord.containing(*CLUSTER, z))).status_code == 204
