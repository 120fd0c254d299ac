"""The public growth layer: hexagons of whole units with rounded counts and safe rates only; no tile
carries a child."""

from __future__ import annotations

import datetime as dt

import pytest

from gis_core.tiles import TileCoord
from growth.actions import refresh_units
from growth.models import Measurement
from tests.layers.conftest import fetch

from .conftest import make_child

CLUSTER = (-100.05, 21.30)
LONELY = (-100.15, 21.38)


@pytest.fixture
def children_xichu(xichu):
    """Twelve children in one spot (4 stunted, 1 wasted) and five alone, never enough for a unit."""
    made = []
    for i in range(12):
        made.append(make_child(xichu, at=(CLUSTER[0] + i * 1e-5, CLUSTER[1])))
    for i in range(5):
        made.append(make_child(xichu, at=(LONELY[0] + i * 1e-5, LONELY[1])))
    for i, c in enumerate(made):
        Measurement.objects.create(
            child=c,
            measured_on=dt.date(2026, 6, 1),
            age_days=300,
            weight_kg=9,
            height_cm=72,
            position="L",
            stunted=i < 4,
            wasted=i == 4,
            underweight=False,
            overweight=False,
            obese=False,
        )
    refresh_units()
    return made


def test_growth_hexagons_show_rounded_counts_and_safe_rates_only(client, children_xichu):
    [hexagon] = fetch(client, "growth", TileCoord.containing(*CLUSTER, 10))
    props = hexagon["properties"]
    assert props["children"] == 10  # 12 rounded to base 5
    assert props["stunted"] == 33  # 4 of 12
    assert "wasted" not in props  # 1 of 12 would single a child out
    assert "overweight" not in props  # 0 of 12: withheld too
    assert set(props) <= {"children", "stunted", "wasted", "overweight", "referred"}


@pytest.mark.parametrize("z", [6, 9, 12])
def test_lonely_children_are_in_no_tile_and_no_hexagon_has_fewer_than_ten(client, children_xichu, z):
    for where in (CLUSTER, LONELY):
        for hexagon in fetch(client, "growth", TileCoord.containing(*where, z)):
            assert hexagon["properties"]["children"] >= 10
    assert (
        sum(h["properties"]["children"] for h in fetch(client, "growth", TileCoord.containing(*CLUSTER, z)))
        == 10
    )


def test_the_centres_layer_is_public_and_carries_no_child(client, children_xichu, centre_xichu):
    [centre] = fetch(
        client, "centres", TileCoord.containing(centre_xichu.location.x, centre_xichu.location.y, 12)
    )
    assert centre["properties"]["name"] == centre_xichu.name
