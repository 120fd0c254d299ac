"""Public household figures: thresholds, complementary suppression, and no recovery by differencing."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.urls import reverse

from priority_zones.actions import do_compute_diagnostics
from priority_zones.disclosure import household_need_summary, protect, round_base
from priority_zones.models import Household, Zone
from tests.places import make_household

# A tight cluster in Xichú (same 1 km square) and two isolated dwellings 8 km away.
CLUSTER = (-100.050, 21.300)
ISOLATED = (-99.97, 21.36)


def square(x0, y0, x1, y1) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((x0, y0, x1, y1)), srid=4326)


def cluster(municipio, n: int, **fields) -> list[Household]:
    return [make_household(municipio, CLUSTER[0] + i * 1e-5, CLUSTER[1], **fields) for i in range(n)]


def test_round_base_is_deterministic_half_up():
    assert [round_base(v) for v in (0, 2, 3, 7, 8, 12, 13)] == [0, 0, 5, 5, 10, 10, 15]


def test_areas_under_10_households_publish_nothing():
    out = protect({"households": 9, "calidad_vivienda": 5, "known_calidad_vivienda": 9})
    assert out["suppressed"] is True and out["households"] is None
    assert out["carencias"]["calidad_vivienda"] == {"count": None, "rate": None}


def test_small_cells_and_their_complements_are_suppressed():
    raw = {"households": 40, "no_pobre": 40}
    raw.update({"calidad_vivienda": 2, "known_calidad_vivienda": 40})  # small cell
    raw.update({"servicios_basicos": 38, "known_servicios_basicos": 40})  # small complement (2 without)
    raw.update({"alimentacion": 12, "known_alimentacion": 40})
    out = protect(raw)
    assert out["carencias"]["calidad_vivienda"]["count"] is None
    assert out["carencias"]["servicios_basicos"]["count"] is None
    assert out["carencias"]["alimentacion"] == {"count": 10, "rate": 30}
    assert out["households"] == 40 and out["suppressed"] is True


def test_a_single_hidden_class_triggers_complementary_suppression():
    classes = {
        "pobreza_extrema": 2,
        "pobreza_moderada": 20,
        "vulnerable_carencias": 8,
        "vulnerable_ingresos": 5,
        "no_pobre": 0,
        "indeterminado": 0,
    }
    out = protect({"households": 35, **classes})
    hidden = {c for c, v in out["classes"].items() if v is None}
    assert hidden == {"pobreza_extrema", "no_pobre", "indeterminado"}
    classes.update(no_pobre=10, indeterminado=10)  # now exactly one small cell
    out = protect({"households": 55, **classes})
    hidden = {c for c, v in out["classes"].items() if v is None}
    assert hidden == {"pobreza_extrema", "vulnerable_ingresos"}  # the next smallest goes too


def test_rates_need_10_determined_households():
    out = protect({"households": 20, "alimentacion": 4, "known_alimentacion": 9})
    assert out["carencias"]["alimentacion"]["rate"] is None


@pytest.fixture
def xichu_households(xichu, poverty_lines):
    """12 sound dwellings in one square plus 2 earth-floor dwellings alone far away."""
    good = cluster(xichu, 12)
    lonely = [make_household(xichu, ISOLATED[0] + i * 1e-4, ISOLATED[1], floor="TIERRA") for i in range(2)]
    do_compute_diagnostics(good + lonely)
    return good, lonely


def test_differencing_two_overlapping_zones_cannot_recover_the_isolated_households(xichu_households):
    whole = square(-100.2, 21.2, -99.9, 21.4)  # both groups
    without_lonely = square(-100.2, 21.2, -99.99, 21.4)  # overlaps `whole`, excludes the two
    a, b = household_need_summary(whole), household_need_summary(without_lonely)
    assert a == b  # the pair never reaches a unit, so no difference exists to exploit
    assert a["households"] == 10  # 12 rounded to base 5
    assert a["carencias"]["calidad_vivienda"]["count"] is None  # 0 with it: a small cell


def test_a_drawn_polygon_differs_from_a_zone_by_whole_units_only(xichu, xichu_households, poverty_lines):
    # Add a second square of 11 earth-floor dwellings ~2 km east; a zone holds both squares.
    others = [make_household(xichu, -100.03 + i * 1e-5, 21.30, floor="TIERRA") for i in range(11)]
    do_compute_diagnostics(others)
    zone = Zone.objects.create(
        kind="DRAWN",
        fiscal_year=2026,
        name="Dos barrios",
        municipio=xichu,
        geom=square(-100.06, 21.29, -100.02, 21.31),
        status="PUBLISHED",
    )
    # A drawn polygon that cuts one dwelling off each square (but no unit centre) gives the zone's figures.
    nibbled = square(-100.0499, 21.29, -100.0201, 21.31)
    assert household_need_summary(nibbled) == household_need_summary(zone)
    # One that leaves out the second square differs by that whole unit (11 households), never by one.
    west = household_need_summary(square(-100.06, 21.29, -100.04, 21.31))
    assert (household_need_summary(zone)["households"], west["households"]) == (25, 10)


def test_the_need_summary_endpoint_answers_for_a_zone_and_a_drawn_polygon(client, xichu, xichu_households):
    zone = Zone.objects.create(
        kind="DRAWN",
        fiscal_year=2026,
        name="Centro",
        municipio=xichu,
        geom=square(-100.06, 21.29, -100.04, 21.31),
        status="PUBLISHED",
    )
    by_zone = client.get(reverse("priority_zones:need-summary"), {"zone": zone.pk}).json()
    polygon = {
        "type": "Polygon",
        "coordinates": [
            [[-100.06, 21.29], [-100.04, 21.29], [-100.04, 21.31], [-100.06, 21.31], [-100.06, 21.29]]
        ],
    }
    by_polygon = client.post(
        reverse("priority_zones:need-summary"), json.dumps(polygon), content_type="application/json"
    ).json()
    assert by_zone == by_polygon and by_zone["households"] == 10
    bad = client.get(reverse("priority_zones:need-summary"), {"geom": "{nope"})
    assert bad.status_code == 400


def test_need_versus_investment_table_flags_high_need_and_low_investment(
    client, xichu, xichu_households, water_category, work_well_xichu
):
    zone = Zone.objects.create(
        kind="ZONA_IMPULSO",
        fiscal_year=2026,
        name="Impulso Xichú",
        municipio=xichu,
        geom=xichu.geom,
        status="PUBLISHED",
    )
    response = client.get(reverse("works_map:need-investment"), {"year": 2026})
    assert response.status_code == 200
    row = next(r for r in response.json()["zones"] if r["zone_id"] == zone.pk)
    assert Decimal(row["carencias"]["servicios_basicos"]["investment"]) == Decimal("2500000.00")
    assert row["households"] == 10
    csv_text = client.get(
        reverse("works_map:need-investment"), {"year": 2026, "format": "csv"}
    ).content.decode()
    assert "servicios_basicos_inversion" in csv_text.splitlines()[0]
    assert client.get(reverse("works_map:need-investment"), {"year": "dos mil"}).status_code == 400


def test_a_zone_with_high_need_and_no_investment_is_flagged(xichu, poverty_lines, work_well_xichu):
    from works_map.need_investment import need_versus_investment

    households = cluster(xichu, 8, floor="TIERRA") + cluster(xichu, 4)
    do_compute_diagnostics(households)
    zone = Zone.objects.create(
        kind="ZONA_IMPULSO",
        fiscal_year=2026,
        name="Impulso",
        municipio=xichu,
        geom=xichu.geom,
        status="PUBLISHED",
    )
    row = next(r for r in need_versus_investment(2026) if r["zone_id"] == zone.pk)
    dwelling = row["carencias"]["calidad_vivienda"]
    assert (dwelling["rate"], dwelling["investment"], dwelling["high_need_low_investment"]) == (67, 0, True)
    water = row["carencias"]["servicios_basicos"]
    assert water["rate"] is None and water["high_need_low_investment"] is False
