"""Public growth figures: thresholds, rounding, Wilson intervals, complementary suppression, and no
child singled out by differencing two areas."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.urls import reverse

from growth.actions import refresh_units
from growth.disclosure import area_summary, protect, wilson
from growth.models import GrowthUnit, Measurement

from .conftest import make_child

CLUSTER = (-100.050, 21.300)


def square(x0, y0, x1, y1):
    return MultiPolygon(Polygon.from_bbox((x0, y0, x1, y1)), srid=4326)


def measured(child, *, stunted=False, wasted=False, overweight=False, obese=False):
    return Measurement.objects.create(
        child=child,
        measured_on=dt.date(2026, 6, 1),
        age_days=(dt.date(2026, 6, 1) - child.birth_date).days,
        weight_kg=10,
        height_cm=75,
        position="L",
        z_wfa=0,
        z_lhfa=-2.5 if stunted else 0,
        z_wflh=0,
        stunted=stunted,
        wasted=wasted,
        underweight=False,
        overweight=overweight or obese,
        obese=obese,
    )


def cluster(municipio, n, at=CLUSTER, **classes):
    children = [make_child(municipio, at=(at[0] + i * 1e-5, at[1])) for i in range(n)]
    for c in children:
        measured(c, **classes)
    return children


def test_wilson_interval_matches_the_textbook_value():
    low, high = wilson(10, 100)
    assert (round(low, 4), round(high, 4)) == (0.0552, 0.1744)


def test_areas_under_10_children_publish_nothing():
    out = protect({"children": 9, "stunted": 5, "known_lhfa": 9})
    assert out["children"] is None and out["indicators"]["stunted"]["rate"] is None and out["suppressed"]


def test_small_cells_and_complements_are_suppressed_and_counts_rounded():
    raw = {
        "children": 40,
        "known_lhfa": 40,
        "stunted": 12,
        "known_wflh": 40,
        "wasted": 2,
        "overweight": 38,
        "obese": 3,
        "known_wfa": 40,
        "underweight": 0,
        "screened": 20,
        "referred": 4,
    }
    out = protect(raw)["indicators"]
    assert out["stunted"] == {"count": 10, "rate": 30, "ci_low": 18, "ci_high": 45}
    assert out["wasted"]["count"] is None  # 2 < 3
    assert out["overweight"]["count"] is None  # complement 40 - 38 = 2
    assert out["referred"]["count"] == 5 and out["referred"]["rate"] == 20


def test_obesity_is_suppressed_when_overweight_minus_obesity_would_reveal_a_small_cell():
    raw = {"children": 50, "known_wflh": 50, "overweight": 12, "obese": 10}
    out = protect(raw)["indicators"]
    assert out["overweight"]["count"] == 10 and out["obese"]["count"] is None


def test_differencing_two_drawn_polygons_cannot_isolate_one_child(xichu):
    """Twenty children in one 1 km square, three of them stunted: a polygon around all of them and a
    polygon leaving out the one stunted child at the edge publish the same figures."""
    children = cluster(xichu, 17, stunted=False)
    children += cluster(xichu, 3, at=(CLUSTER[0] + 0.0003, CLUSTER[1]), stunted=True)
    refresh_units()
    everyone = square(-100.06, 21.29, -100.04, 21.31)
    # The same area with a tiny hole around the last stunted child's exact spot.
    spot = children[-1].location
    hole = Polygon.from_bbox((spot.x - 2e-6, spot.y - 2e-6, spot.x + 2e-6, spot.y + 2e-6))
    but_one = MultiPolygon(everyone[0].difference(hole), srid=4326)
    assert not but_one.intersects(spot) and not hole.intersects(GrowthUnit.objects.get().centre)
    a, b = area_summary(everyone), area_summary(but_one)
    assert a == b
    assert a["children"] == 20 and a["indicators"]["stunted"]["count"] == 5


def test_a_cell_of_fewer_than_10_children_is_never_published_even_alone(xichu):
    cluster(xichu, 6, stunted=True)
    refresh_units()
    out = area_summary(square(-100.2, 21.2, -99.9, 21.4))
    assert out["children"] is None


def test_the_public_api_serves_zone_municipio_polygon_and_by_municipio(client, xichu):
    cluster(xichu, 12)
    refresh_units()
    assert client.get(reverse("growth:indicators"), {"municipio": "11045"}).json()["children"] == 10
    rows = client.get(reverse("growth:indicators"), {"by": "municipio"}).json()["results"]
    assert rows[0]["cvegeo"] == "11045" and rows[0]["children"] == 10
    poly = json.dumps(
        {
            "type": "Polygon",
            "coordinates": [
                [[-100.06, 21.29], [-100.04, 21.29], [-100.04, 21.31], [-100.06, 21.31], [-100.06, 21.29]]
            ],
        }
    )
    assert (
        client.post(reverse("growth:indicators"), poly, content_type="application/json").json()["children"]
        == 10
    )
    assert client.get(reverse("growth:indicators"), {"by": "hogar"}).status_code == 400
    assert (
        client.post(reverse("growth:indicators"), "{bad", content_type="application/json").status_code == 400
    )
    assert client.get(reverse("growth:indicators"), {"zone": "999999"}).status_code == 404


@pytest.mark.parametrize("by", ["zone", "municipio"])
def test_all_areas_at_once_take_one_query(client, xichu, django_assert_max_num_queries, by):
    cluster(xichu, 12)
    refresh_units()
    with django_assert_max_num_queries(4):  # areas with their unit sums, names, keys (+ session-less)
        assert client.get(reverse("growth:indicators"), {"by": by}).status_code == 200
