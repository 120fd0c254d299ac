"""One query string, one set of works: the work filters mean the same on every surface.

The REST list (every page), its GeoJSON, both exports, OGC API items, the works summary, the
planner's list of works and the tiles (decoded at a zoom where each work is its own feature) must
all return the same works for each filter, and that set is the one the filter means.
"""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point

from gis_core.tiles import TileCoord
from tests.layers.conftest import fetch

FEATURE_ZOOM = 14  # works are clustered up to zoom 12, single features from 13


@pytest.fixture(autouse=True)
def api_urls(settings):
    """The whole site: tiles and the planner's list are compared with the API here."""
    settings.ROOT_URLCONF = "config.urls"


@pytest.fixture
def works(work_well_xichu, xichu, leon, water_category, fismdf, sop):
    """Five published works that the filters split in every way that once differed:

    - a subtema whose code (POZO-07) does not start with its tema's (AGUA.RED) nor its rubro's (AGUA);
    - SICOM, SOP's predecessor, executes one work and only requests another;
    - works funded by one, two or no sources.
    """
    from works_map.actions import do_create_work
    from works_map.models import Agency, Category, FundingSource

    sicom = Agency.objects.get(code="GTO-SICOM")
    well_subtheme = Category.objects.create(
        code="POZO-07", name="Pozos profundos", level="SUBTEMA", parent=water_category
    )
    roads = Category.objects.create(code="CAMINOS", name="Caminos", level="RUBRO")
    state = FundingSource.objects.create(
        code="EST-INFRA", conac_code="15", name="Infraestructura estatal", level="ESTATAL", fund="Estatal"
    )
    municipal = FundingSource.objects.create(
        code="MUN-PROPIOS", conac_code="11", name="Recursos propios", level="MUNICIPAL", fund="Propios"
    )

    def work(folio, year, name, category, lon, lat, municipio, status, funding=(), agencies=()):
        return do_create_work(
            folio=folio,
            fiscal_year=year,
            name=name,
            category=category,
            geom=Point(lon, lat, srid=4326),
            municipio=municipio,
            status=status,
            amount_approved=Decimal("100000.00"),
            funding=[(s, {"amount_approved": Decimal("50000.00")}) for s in funding],
            agencies=list(agencies),
        )

    return {
        "well": work_well_xichu,  # 2026, AGUA.RED, SOP executes, FISMDF
        "deep_well": work(
            "XIC-2025-002",
            2025,
            "Pozo profundo en Xichú",
            well_subtheme,
            -100.1,
            21.25,
            xichu,
            "TERMINADA",
            funding=(fismdf, state),
            agencies=((sicom, "EJECUTORA"),),
        ),
        "road_leon": work(
            "LEO-2024-003",
            2024,
            "Camino a la presa",
            roads,
            -101.65,
            21.2,
            leon,
            "EN_EJECUCION",
            funding=(state,),
            agencies=((sicom, "SOLICITANTE"),),
        ),
        "road_xichu": work(
            "XIC-2026-004",
            2026,
            "Camino rural",
            roads,
            -100.0,
            21.35,
            xichu,
            "TERMINADA",
            funding=(municipal,),
            agencies=((sop, "EJECUTORA"),),
        ),
        "tank_leon": work(  # AGUA.RED, no agency, no funding
            "LEO-2026-005", 2026, "Tanque elevado", water_category, -101.6, 21.1, leon, "PLANEACION"
        ),
    }


def _pages(client, url: str, next_of) -> list[dict]:
    bodies = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        bodies.append(response.json())
        url = next_of(bodies[-1])
        url = url.replace("http://testserver", "") if url else None
    return bodies


def api_list(client, query: str) -> set[int]:
    bodies = _pages(client, f"/api/works?{query}&page_size=2", lambda b: b["next"])
    return {w["id"] for b in bodies for w in b["results"]}


def api_geojson(client, query: str) -> set[int]:
    bodies = _pages(client, f"/api/works/geojson?{query}&page_size=2", lambda b: b["next"])
    return {f["id"] for b in bodies for f in b["features"]}


def export_geojson(client, query: str) -> set[int]:
    response = client.get(f"/api/export/works.geojson?{query}")
    assert response.status_code == 200
    return {f["id"] for f in json.loads(b"".join(response.streaming_content))["features"]}


def export_csv(client, query: str) -> set[int]:
    response = client.get(f"/api/export/works.csv?{query}")
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    return {int(row["id"]) for row in rows}


def ogc_items(client, query: str) -> set[int]:
    def next_of(body):
        return next((link["href"] for link in body["links"] if link["rel"] == "next"), None)

    bodies = _pages(client, f"/ogc/collections/works/items?{query}&limit=2", next_of)
    return {f["id"] for b in bodies for f in b["features"]}


def planner_list(admin_client, query: str) -> set[int]:
    response = admin_client.get(f"/planeacion/?{query}")
    assert response.status_code == 200, response.content
    return {int(pk) for pk in re.findall(r'href="/planeacion/obras/(\d+)/"', response.content.decode())}


def tiles(client, query: str, all_works) -> set[int]:
    params = dict(pair.split("=", 1) for pair in query.split("&"))
    coords = {TileCoord.containing(w.geom.x, w.geom.y, FEATURE_ZOOM) for w in all_works}
    return {f["properties"]["id"] for coord in coords for f in fetch(client, "works", coord, **params)}


def summary_count(client, query: str) -> int:
    response = client.get(f"/api/summaries/works?{query}")
    assert response.status_code == 200, response.content
    return response.json()["works"]


# (query, the works it means, whether tiles take it: a tile is its own bbox; zone and q are not
# tile filters)
CASES = [
    ("year=2026", {"well", "road_xichu", "tank_leon"}, True),
    ("year=2024,2025", {"deep_well", "road_leon"}, True),
    ("status=TERMINADA", {"deep_well", "road_xichu"}, True),
    ("status=EN_EJECUCION,PLANEACION", {"well", "road_leon", "tank_leon"}, True),
    # The rubro, its tema and the subtema whose code shares neither prefix.
    ("category=AGUA", {"well", "deep_well", "tank_leon"}, True),
    ("category=AGUA.RED", {"well", "deep_well", "tank_leon"}, True),
    ("category=POZO-07", {"deep_well"}, True),
    ("category=CAMINOS", {"road_leon", "road_xichu"}, True),
    # SOP and its predecessor SICOM as executors; SICOM only requested the road in León.
    ("agency=GTO-SOP", {"well", "deep_well", "road_xichu"}, True),
    ("agency=GTO-SICOM", {"deep_well"}, True),
    ("source=FAIS-FISMDF", {"well", "deep_well"}, True),
    ("source=EST-INFRA", {"deep_well", "road_leon"}, True),
    ("source=MUN-PROPIOS", {"road_xichu"}, True),
    ("municipio=11045", {"well", "deep_well", "road_xichu"}, True),
    ("municipio=11020", {"road_leon", "tank_leon"}, True),
    ("zone={zone}", {"well", "deep_well", "road_xichu"}, False),
    ("bbox=-101.7,21.0,-101.55,21.15", {"tank_leon"}, False),
    ("q=pozo", {"deep_well"}, False),
    ("category=AGUA&agency=GTO-SOP&year=2025", {"deep_well"}, True),
]


@pytest.mark.parametrize(("query", "meant", "on_tiles"), CASES, ids=[c[0] for c in CASES])
def test_each_filter_selects_the_same_works_on_every_surface(
    client, admin_client, works, zap_xichu_2026, query, meant, on_tiles
):
    query = query.format(zone=zap_xichu_2026.pk)
    expected = {works[name].pk for name in meant}
    found = {
        "api list": api_list(client, query),
        "api geojson": api_geojson(client, query),
        "export geojson": export_geojson(client, query),
        "export csv": export_csv(client, query),
        "ogc items": ogc_items(client, query),
        "planner list": planner_list(admin_client, query),
    }
    if on_tiles:
        found["tiles"] = tiles(client, query, works.values())
    assert {surface: ids for surface, ids in found.items() if ids != expected} == {}
    assert summary_count(client, query) == len(expected)


def test_without_filters_every_surface_has_every_work(client, admin_client, works):
    expected = {w.pk for w in works.values()}
    assert api_list(client, "") == expected
    assert ogc_items(client, "") == expected
    assert tiles(client, "v=1", works.values()) == expected
    assert planner_list(admin_client, "") == expected
    assert summary_count(client, "") == len(expected)


def test_a_new_subcategory_counts_for_its_parent_at_once(client, works, water_category):
    """The code -> ids catalogue is cached; a category saved later must not be missed by it."""
    from works_map.actions import do_update_work
    from works_map.models import Category

    assert api_list(client, "category=AGUA") == {works[n].pk for n in ("well", "deep_well", "tank_leon")}
    cistern = Category.objects.create(
        code="CISTERNA", name="Cisternas", level="SUBTEMA", parent=water_category
    )
    do_update_work(works["road_leon"], category=cistern)
    expected = {works[n].pk for n in ("well", "deep_well", "tank_leon", "road_leon")}
    assert api_list(client, "category=AGUA") == expected
    assert tiles(client, "category=AGUA", works.values()) == expected


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/works?agency=NO-EXISTE", "agency"),
        ("/api/export/works.csv?category=NO-EXISTE", "category"),
        ("/api/summaries/works?source=NO-EXISTE", "source"),
        ("/ogc/collections/works/items?agency=NO-EXISTE", "agency"),
        ("/ogc/collections/works/items?fiscal_year=1999", "fiscal_year"),
        ("/ogc/collections/works/items?status=ROTA", "status"),
        ("/tiles/works/14/0/0.mvt?municipio=99999", "municipio"),
        ("/api/works?zone=999999", "zone"),
    ],
)
def test_an_unknown_value_is_refused_naming_the_parameter_everywhere(client, works, url, param):
    response = client.get(url)
    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == param


def test_the_planner_list_refuses_a_bad_or_unknown_filter(admin_client, works):
    assert admin_client.get("/planeacion/?year=dos").status_code == 400
    assert admin_client.get("/planeacion/?colour=red").status_code == 400
    assert admin_client.get("/planeacion/?year=&status=").status_code == 200  # an empty form field
