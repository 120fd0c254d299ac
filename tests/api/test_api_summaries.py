"""Zone report cards, drawn-polygon summaries and the all-zones investment table, checked against an
independent geopandas/shapely computation over the same real rows (INEGI municipios, ZAP 2026, SHCP)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box, mapping

from tests.places import make_work

AREA_CRS = "EPSG:6372"


@pytest.fixture
def reference(shared_data, shcp_import):
    """The same data as the database, read straight from the files: municipios with population, and points."""
    municipios = gpd.read_file(shared_data / "gto_municipios_mg2025.geojson")[["cve_geo", "geometry"]]
    census = gpd.read_file(shared_data / "gto_municipios_censo2020_mg2024.geojson")[["cvegeo", "pob"]]
    municipios = municipios.merge(
        pd.DataFrame(census.drop(columns="geometry", errors="ignore")), left_on="cve_geo", right_on="cvegeo"
    )
    municipios["pob"] = municipios["pob"].astype(int)
    points = gpd.GeoDataFrame(
        {
            "key": [r.key for r in shcp_import.kept],
            "year": [int(r.properties["ANIO_ARCHIVO"]) for r in shcp_import.kept],
            "aprobado": [r.properties["APROBADO"] or Decimal(0) for r in shcp_import.kept],
            "ejercido": [r.properties["EJERCIDO"] or Decimal(0) for r in shcp_import.kept],
        },
        geometry=[Point(r.point.x, r.point.y) for r in shcp_import.kept],
        crs="EPSG:4326",
    )
    zap = pd.read_csv(shared_data / "zap_rural_2026_guanajuato.csv", dtype=str)["cvegeo_mun"].tolist()
    return {"municipios": municipios, "points": points, "zap": zap}


def expected_for(polygon, reference):
    points = reference["points"]
    inside = points[points.intersects(polygon)]
    # Same method as documented: intersect in lon/lat (where the polygon was drawn), measure in EPSG:6372.
    population = 0.0
    for row in reference["municipios"].itertuples():
        if row.geometry.intersects(polygon):
            shared, whole = gpd.GeoSeries([row.geometry.intersection(polygon), row.geometry], crs="EPSG:4326")
            areas = gpd.GeoSeries([shared, whole], crs="EPSG:4326").to_crs(AREA_CRS).area
            population += row.pob * areas.iloc[0] / areas.iloc[1]
    return inside, population


def money(values) -> str:
    return str(sum(values, Decimal(0)).quantize(Decimal("0.01")))


def test_zone_report_card_matches_geopandas(
    client, zap_rural_2026_real, shcp_works, reference, django_assert_num_queries
):
    zone = next(z for z in zap_rural_2026_real if z.cvegeo == "11027")  # Salamanca: the refinery projects
    polygon = reference["municipios"].set_index("cve_geo").geometry["11027"]
    inside, population = expected_for(polygon, reference)
    # zone; works by (status, category, year); by agency; by source; population; household units
    # works; agencies; sources; population rasters; municipios with their census units; ...
    with django_assert_num_queries(7):
        body = client.get(f"/api/zones/{zone.pk}/summary").json()
    assert body["zone"]["cvegeo"] == "11027"
    assert body["works"] == len(inside) > 3
    assert body["aprobado"] == money(inside.aprobado)
    assert body["ejercido"] == money(inside.ejercido)
    by_year = inside.groupby("year").size().to_dict()
    assert {row["year"]: row["works"] for row in body["by_year"]} == by_year
    assert {row["year"]: row["ejercido"] for row in body["by_year"]} == {
        year: money(group.ejercido) for year, group in inside.groupby("year")
    }
    assert body["population"]["units"] == "municipio" and body["population"]["method"] == "areal:municipio"
    assert body["population"]["value"] == pytest.approx(population, rel=1e-4)
    assert Decimal(body["per_inhabitant"]["ejercido"]) == pytest.approx(
        sum(inside.ejercido, Decimal(0)) / Decimal(round(population)), abs=Decimal("0.01")
    )
    assert body["household_needs"]["households"] is None and body["household_needs"]["suppressed"] is True


def test_drawn_polygon_summary_matches_shapely(
    client, inegi_municipios, shcp_works, reference, django_assert_num_queries
):
    polygon = box(-101.45, 20.45, -101.05, 20.75)  # Salamanca–Irapuato corridor, cutting four municipios
    # works; agencies; sources; population rasters; municipios (census units); household units
    with django_assert_num_queries(6):
        response = client.post(
            "/api/summary", data=json.dumps(mapping(polygon)), content_type="application/json"
        )
    assert response.status_code == 200, response.content
    body = response.json()
    inside, population = expected_for(polygon, reference)
    assert body["works"] == len(inside) > 3
    assert body["aprobado"] == money(inside.aprobado)
    assert body["ejercido"] == money(inside.ejercido)
    assert len(body["population"]["units_used"]) >= 3
    assert body["population"]["value"] == pytest.approx(population, rel=1e-4)
    area = gpd.GeoSeries([polygon], crs="EPSG:4326").to_crs(AREA_CRS).area.iloc[0] / 1e6
    assert body["area_km2"] == pytest.approx(area, rel=1e-6)


def test_drawn_polygon_accepts_a_feature(client, work_well_xichu):
    feature = {"type": "Feature", "properties": {}, "geometry": mapping(box(-100.1, 21.25, -100.0, 21.35))}
    body = client.post("/api/summary", data=json.dumps(feature), content_type="application/json").json()
    assert body["works"] == 1 and body["by_funding_source"][0]["code"] == "FAIS-FISMDF"
    assert body["by_agency"][0]["acronym"] == "SOP"
    assert body["avg_physical_progress"] == "40.00"
    assert body["by_status"] == [
        {"status": "EN_EJECUCION", "works": 1, "aprobado": "2500000.00", "ejercido": "1000000.00"}
    ]


def ring(*points):
    return [[list(p) for p in points]]


SQUARE = ((-101.0, 20.5), (-100.9, 20.5), (-100.9, 20.6), (-101.0, 20.6), (-101.0, 20.5))


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ("not json", "JSON"),
        ({"type": "Point", "coordinates": [-101, 20.5]}, "Polygon"),
        ({"type": "Polygon", "coordinates": ring(*SQUARE[:-1])}, "no está cerrado"),
        ({"type": "Polygon", "coordinates": ring(*SQUARE[:3])}, "4 posiciones"),
        (
            {
                "type": "Polygon",
                "coordinates": ring((-101, 20.5), (-100.9, 20.6), (-100.9, 20.5), (-101, 20.6), (-101, 20.5)),
            },
            "Self-intersection",
        ),
        ({"type": "Polygon", "coordinates": ring(*((y, x) for x, y in SQUARE))}, "invertido"),
        (
            {
                "type": "Polygon",
                "coordinates": ring((-101, 20.5), (-100.9, 95), (-100.9, 20.6), (-101, 20.5)),
            },
            "fuera de rango",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": ring((-101, 20.5), (-100.9, "x"), (-100.9, 20.6), (-101, 20.5)),
            },
            "números",
        ),
        (
            {"type": "Polygon", "coordinates": ring((-90, 40), (-89, 40), (-89, 41), (-90, 40))},
            "fuera de Guanajuato",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": ring(
                    (-102.25, 19.75), (-99.45, 19.75), (-99.45, 22.05), (-102.25, 22.05), (-102.25, 19.75)
                ),
            },
            "mucho mayor que el estado",
        ),
        ({"type": "Polygon", "coordinates": []}, "anillos"),
        ({"type": "MultiPolygon", "coordinates": []}, "coordinates"),
    ],
)
def test_it_refuses_bad_drawn_geometry_naming_the_problem(client, db, payload, fragment):
    data = payload if isinstance(payload, str) else json.dumps(payload)
    response = client.post("/api/summary", data=data, content_type="application/json")
    assert response.status_code == 400, response.content
    assert fragment in response.json()["detail"]


def test_it_refuses_too_many_vertices(client, db):
    import math

    n = 25_000
    coords = [
        [-101 + 0.05 * math.cos(2 * math.pi * i / n), 20.5 + 0.05 * math.sin(2 * math.pi * i / n)]
        for i in range(n)
    ]
    coords.append(coords[0])
    response = client.post(
        "/api/summary",
        data=json.dumps({"type": "Polygon", "coordinates": [coords]}),
        content_type="application/json",
    )
    assert response.status_code == 400 and "vértices" in response.json()["detail"]


def test_zone_summary_hides_draft_zones(client, xichu):
    from priority_zones.models import Zone

    draft = Zone.objects.create(kind="DRAWN", fiscal_year=2026, name="Borrador", geom=xichu.geom)
    assert client.get(f"/api/zones/{draft.pk}/summary").status_code == 404


def test_investment_by_zone_matches_a_spatial_join(
    client, zap_rural_2026_real, shcp_works, reference, django_assert_num_queries
):
    municipios = reference["municipios"]
    zones = municipios[municipios.cve_geo.isin(reference["zap"])]
    joined = gpd.sjoin(reference["points"], zones, predicate="intersects", how="left")
    # 2 layer versions; savepoint; SET LOCAL jit; the one statement (zones and the outside row);
    # release savepoint. The same table again comes from the cache, versions included.
    with django_assert_num_queries(6):
        body = client.get("/api/summaries/investment?by=zone&type=ZAP_RURAL").json()
    with django_assert_num_queries(0):
        assert client.get("/api/summaries/investment?by=zone&type=ZAP_RURAL").json() == body
    rows = {row["cvegeo"]: row for row in body["rows"] if not row["outside"]}
    assert len(rows) == 30
    for code, row in rows.items():
        mine = joined[joined.cve_geo == code]
        assert row["works"] == len(mine), code
        assert row["ejercido"] == money(mine.ejercido), code
        assert row["aprobado"] == money(mine.aprobado), code
    outside = joined[joined.cve_geo.isna()]
    outside_row = body["rows"][-1]
    assert outside_row["outside"] is True and outside_row["works"] == len(outside) > 0
    assert outside_row["ejercido"] == money(outside.ejercido)
    assert sum(r["works"] for r in body["rows"]) == len(reference["points"])  # ZAP rural zones do not overlap


def test_investment_by_municipio_puts_every_kept_project_in_a_municipio(client, shcp_works, reference):
    body = client.get("/api/summaries/investment?by=municipio&year=2019").json()
    in_year = reference["points"][reference["points"].year == 2019]
    joined = gpd.sjoin(in_year, reference["municipios"], predicate="intersects")
    counts = joined.groupby("cve_geo").size().to_dict()
    assert {r["cvegeo"]: r["works"] for r in body["rows"] if r["works"]} == counts
    assert len(body["rows"]) == 46


def test_investment_table_as_csv(client, zap_rural_2026_real, shcp_works):
    response = client.get("/api/summaries/investment.csv?by=zone&year=2026")
    assert response["Content-Type"].startswith("text/csv")
    assert "inversion_por_zone.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 31 and rows[-1]["outside"] == "True"
    assert all(r["works"] == "0" for r in rows)  # SHCP projects are 2015-2021; the zones are 2026


@pytest.mark.parametrize(
    "query",
    ["by=estado", "by=municipio&type=ZAP_RURAL", "by=zone&type=OTRA", "year=20x6", "year=1900", "foo=1"],
)
def test_investment_table_refuses_bad_parameters(client, db, query):
    assert client.get(f"/api/summaries/investment?{query}").status_code == 400


def test_cached_investment_table_changes_when_a_work_is_added(
    client, zap_xichu_2026, water_category, django_capture_on_commit_callbacks
):
    from django.contrib.gis.geos import Point as GeosPoint

    from works_map.actions import do_create_work

    before = client.get("/api/summaries/investment?by=zone&year=2026").json()["rows"]
    assert before[0]["works"] == 0
    with django_capture_on_commit_callbacks(execute=True):  # the layer-version bump runs on commit
        do_create_work(
            folio="NUEVA",
            fiscal_year=2026,
            name="Obra nueva",
            category=water_category,
            geom=GeosPoint(-100.05, 21.3, srid=4326),
            municipio=zap_xichu_2026.municipio,
            amount_approved=Decimal("10.00"),
        )
    after = client.get("/api/summaries/investment?by=zone&year=2026").json()["rows"]
    assert after[0]["works"] == 1 and after[0]["aprobado"] == "10.00"


def test_investment_counts_a_work_once_per_zone_even_in_a_many_vertex_zone(client, xichu, water_category):
    """A 400-vertex zone is cut into pieces for the index; a work still counts once in each zone."""
    import math

    from django.contrib.gis.geos import MultiPolygon as GeosMultiPolygon
    from django.contrib.gis.geos import Point as GeosPoint
    from django.contrib.gis.geos import Polygon as GeosPolygon

    from priority_zones.models import Zone
    from works_map.actions import do_create_work

    ring = [
        (-100.05 + 0.08 * math.cos(2 * math.pi * i / 400), 21.3 + 0.08 * math.sin(2 * math.pi * i / 400))
        for i in range(400)
    ]
    circle = GeosMultiPolygon(GeosPolygon([*ring, ring[0]]), srid=4326)
    Zone.objects.create(
        kind="ZONA_IMPULSO", fiscal_year=2026, name="Círculo", geom=circle, status="PUBLISHED"
    )
    Zone.objects.create(kind="DRAWN", fiscal_year=2026, name="Caja", geom=xichu.geom, status="PUBLISHED")
    for i, (dx, dy) in enumerate([(0, 0), (0.05, 0), (-0.03, 0.04), (0.0, -0.079), (0.12, 0.05)]):
        do_create_work(
            folio=f"C-{i}",
            fiscal_year=2026,
            name=f"Obra {i}",
            category=water_category,
            geom=GeosPoint(-100.05 + dx, 21.3 + dy, srid=4326),
            municipio=xichu,
            amount_approved=Decimal("100"),
        )
    rows = {
        r["name"]: r
        for r in client.get("/api/summaries/investment?by=zone&year=2026").json()["rows"]
        if r["name"]
    }
    assert rows["Círculo"]["works"] == 4 and rows["Círculo"]["aprobado"] == "400.00"
    assert rows["Caja"]["works"] == 5  # the box holds all five, including the four in the circle


def test_investment_csv_of_no_rows_is_an_empty_file_not_an_error(client, db):
    response = client.get("/api/summaries/investment.csv?by=municipio")
    assert response.status_code == 200
    assert response.content == b""


def test_the_works_summary_is_cached_per_filter_set_until_the_works_change(
    client,
    work_well_xichu,
    leon,
    water_category,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    url = "/api/summaries/works?year=2026"
    first = client.get(url).json()
    with django_assert_max_num_queries(2):  # the two layer versions at most: no breakdown statement
        assert client.get(url).json() == first
    assert client.get("/api/summaries/works?year=dos-mil").status_code == 400  # still checked first
    with django_capture_on_commit_callbacks(execute=True):  # the works' version is bumped on commit
        make_work(leon, water_category, folio="LEO-2026-778", published=True, point=(-101.6, 21.1))
    assert client.get(url).json()["works"] == first["works"] + 1


def test_the_works_summary_by_agency_counts_each_executing_agency_once_per_work(
    client, work_well_xichu, work_road_leon
):
    """by_agency, driven from the works: each executing agency with its works and their amounts, as
    counted one work at a time in Python."""
    from works_map.models import Work, WorkAgency

    expected: dict[str, list] = {}
    for work in Work.objects.published():
        for role in work.agency_roles.filter(role=WorkAgency.Role.EJECUTORA).select_related("agency"):
            row = expected.setdefault(role.agency.code, [role.agency.acronym, 0, Decimal(0), Decimal(0)])
            row[1] += 1
            row[2] += work.amount_approved or 0
            row[3] += work.amount_exercised or 0
    assert expected, "the fixtures have executing agencies"
    found = client.get("/api/summaries/works").json()["by_agency"]
    assert {
        r["code"]: [r["acronym"], r["works"], Decimal(r["aprobado"]), Decimal(r["ejercido"])] for r in found
    } == expected
    assert [r["acronym"] for r in found] == sorted(r["acronym"] for r in found)
