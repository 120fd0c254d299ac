"""Saved public areas: a polygon drawn on the citizen map saved with a short permanent link to its
report card; the same polygon gives the same link; limits, Guanajuato only, throttled."""

from __future__ import annotations

import json
import math
import re

import pytest

RING = [[-100.1, 21.25], [-100.0, 21.25], [-100.0, 21.35], [-100.1, 21.35], [-100.1, 21.25]]
SQUARE = {"type": "Polygon", "coordinates": [RING]}


def save(client, body):
    return client.post("/api/areas", data=json.dumps(body), content_type="application/json")


def test_it_saves_an_area_with_a_short_link_to_its_report_card(client, works_cluster_xichu):
    response = save(client, SQUARE)
    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"[a-z2-7]{8}", body["code"]) and body["created"] is True
    assert body["url"] == f"http://testserver/areas/{body['code']}/"
    page = client.get(f"/areas/{body['code']}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"Área {body['code']}" in html and "XIC-2026-003" in html  # a work inside, listed
    assert 'id="por-anio"' in html and 'id="necesidad"' in html  # the zone card's sections
    detail = client.get(f"/api/areas/{body['code']}").json()
    assert detail["summary"]["works"] == 4 and detail["geometry"]["type"] == "MultiPolygon"
    assert detail["summary"]["population"]["method"] == "areal:municipio"  # no raster, no AGEB loaded


def test_the_same_polygon_drawn_another_way_gives_the_same_link(client, xichu):
    from works_map.models import PublicArea

    first = save(client, SQUARE).json()
    # Another starting vertex, the other winding, a Feature wrapper and sub-micro-degree noise.
    other = [list(p) for p in reversed(RING[1:] + RING[1:2])]
    other[0][0] += 1e-8
    other[-1] = list(other[0])
    again = save(
        client, {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [other]}}
    )
    assert again.status_code == 200 and again.json()["code"] == first["code"]
    assert again.json()["created"] is False and PublicArea.objects.count() == 1
    shifted = [[x + 0.001, y] for x, y in RING]
    assert save(client, {"type": "Polygon", "coordinates": [shifted]}).json()["code"] != first["code"]


def test_a_code_collision_moves_the_new_area_to_the_next_window(xichu):
    from django.contrib.gis.geos import GEOSGeometry

    from works_map import public_areas
    from works_map.actions import do_save_public_area
    from works_map.models import PublicArea

    geom = public_areas.parse_area(SQUARE)
    candidates = public_areas.code_candidates(public_areas.digest(public_areas.normalised(geom)))
    squatter = GEOSGeometry(
        json.dumps(
            {
                "type": "MultiPolygon",
                "coordinates": [[[[-100.2, 21.2], [-100.15, 21.2], [-100.15, 21.25], [-100.2, 21.2]]]],
            }
        ),
        srid=4326,
    )
    PublicArea.objects.create(code=candidates[0], digest="0" * 64, geom=squatter, area_km2=1)
    area, created = do_save_public_area(geom)
    assert created and area.code == candidates[1]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("{no es json", "JSON"),
        ({"type": "Polygon", "coordinates": [RING[:-1]]}, "no está cerrado"),
        ({"type": "Point", "coordinates": [-100.05, 21.3]}, "Polygon"),
        # 2,001 vertices: more than a saved area may keep
        (
            {
                "type": "Polygon",
                "coordinates": [
                    [
                        [
                            -100.05 + 0.05 * math.cos(2 * math.pi * i / 2000),
                            21.3 + 0.05 * math.sin(2 * math.pi * i / 2000),
                        ]
                        for i in range(2000)
                    ]
                    + [[-100.0, 21.3]]
                ],
            },
            "vértices",
        ),
        # about 25,000 km²: more than a saved area may cover
        (
            {
                "type": "Polygon",
                "coordinates": [[[-102, 20], [-100.5, 20], [-100.5, 21.5], [-102, 21.5], [-102, 20]]],
            },
            "km²",
        ),
        # inside the state's box but in no municipio loaded (only Xichú is)
        (
            {
                "type": "Polygon",
                "coordinates": [[[-101.8, 21.0], [-101.7, 21.0], [-101.7, 21.1], [-101.8, 21.0]]],
            },
            "municipio",
        ),
    ],
)
def test_it_refuses_bad_areas_naming_the_geometry_and_saves_nothing(client, xichu, body, fragment):
    from works_map.models import PublicArea

    response = client.post(
        "/api/areas",
        data=body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["parameter"] == "geometry" and fragment in response.json()["detail"]
    assert PublicArea.objects.count() == 0


def test_saving_is_throttled_per_address(client, xichu, monkeypatch):
    from works_map.api.views import AreaSaveThrottle

    monkeypatch.setattr(AreaSaveThrottle, "rate", "2/hour")
    shapes = [[[x + i * 0.01, y] for x, y in RING] for i in range(3)]
    codes = [save(client, {"type": "Polygon", "coordinates": [s]}).status_code for s in shapes]
    assert codes == [201, 201, 429]


def test_an_unknown_code_is_a_404(client, db):
    assert client.get("/areas/aaaaaaaa/").status_code == 404
    assert client.get("/api/areas/aaaaaaaa").status_code == 404
