"""The FAIS ZAP-urbana minimum (PIZU, shared/DOMAIN.md §2.3) per municipio and the territorial flag
per work, for one fiscal year and one fund, with every expected figure worked out by hand below."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon


def square(x0, y0, x1, y1):
    return MultiPolygon(Polygon.from_bbox((x0, y0, x1, y1)), srid=4326)


@pytest.fixture
def rules(db):
    """The rule table as loaded by migration 0012 (works_map/data/fais_rules.csv)."""
    from works_map.fais_rules import load_fais_rules
    from works_map.models import FaisRule

    return load_fais_rules(FaisRule)


@pytest.fixture
def fise(db):
    from works_map.models import FundingSource

    return FundingSource.objects.create(
        code="FAIS-FISE",
        conac_code="25",
        name="FAIS estatal",
        level="FEDERAL",
        fund="FAIS-FISE",
        is_fais=True,
    )


@pytest.fixture
def pizu_case(
    rules, leon, xichu, dof_zap_2026, zap_xichu_2026, work_well_xichu, fismdf, fise, water_category
):
    """León, 2026: urban ZAP A (population 20,000 recorded) and B (no population recorded; its AGEB
    has 10,000), so PZU = 30,000; population in poverty 100,000 (2024; the 2020 figure of 50,000 is
    older and the 2027 one is later than the year), so PIZU = (30,000 / 100,000)² × 100 = 9.00 %.
    FISMDF money: 1,000,000 paving in A; 500,000 (FISMDF's share of a 900,000 work) outside; 100,000
    for a building outside the FAIS catalogue, outside: 1,600,000 in all, 62.50 % in urban ZAP.
    FISE: 200,000 in A (a FISE work, not counted in FISMDF).
    Xichú, 2026: one urban ZAP of 5,000 people, poverty 8,000, so PIZU = (5/8)² × 100 = 39.0625
    -> 39.06 %; its only FISMDF money is the well (2,500,000) outside that ZAP, inside the rural ZAP:
    0.00 % < 39.06 %."""
    from priority_zones.models import Ageb, MunicipalPoverty, Zone
    from works_map.actions import do_create_work
    from works_map.models import Category

    def urban(cvegeo, municipio, geom, population):
        return Zone.objects.create(
            kind="ZAP_URBANA",
            fiscal_year=2026,
            cvegeo=cvegeo,
            name=f"AGEB {cvegeo}",
            municipio=municipio,
            geom=geom,
            source=dof_zap_2026,
            status="PUBLISHED",
            population=population,
        )

    urban("110200001234A", leon, square(-101.8, 21.2, -101.7, 21.3), 20000)
    urban("1102000012350", leon, square(-101.7, 21.2, -101.6, 21.3), None)
    Ageb.objects.create(
        cvegeo="1102000012350",
        municipio=leon,
        ambito="U",
        population_2020=10000,
        frame_version="TEST",
        geom=square(-101.7, 21.2, -101.6, 21.3),
    )
    urban("1104500010001", xichu, square(-100.2, 21.2, -100.15, 21.25), 5000)
    for municipio, year, people in [
        (leon, 2020, 50000),
        (leon, 2024, 100000),
        (leon, 2027, 10000),
        (xichu, 2020, 8000),
    ]:
        MunicipalPoverty.objects.create(
            municipio=municipio, year=year, population_in_poverty=people, source="prueba"
        )

    paving = Category.objects.create(
        code="PAV", name="Pavimentación", level="RUBRO", fais_incidence="COMPLEMENTARIA"
    )
    office = Category.objects.create(
        code="EDIF", name="Edificio administrativo", level="RUBRO", fais_incidence="NO_APLICA"
    )

    def work(folio, category, lon, lat, amount, funding):
        return do_create_work(
            folio=folio,
            fiscal_year=2026,
            name=folio,
            category=category,
            geom=Point(lon, lat, srid=4326),
            municipio=leon,
            amount_approved=Decimal(amount),
            funding=funding,
        )

    work("LEO-PAV", paving, -101.75, 21.25, "1000000", [(fismdf, {"amount_approved": Decimal("1000000")})])
    work(
        "LEO-AGUA",
        water_category,
        -101.65,
        21.05,
        "900000",
        [(fismdf, {"amount_approved": Decimal("500000")})],
    )
    work("LEO-EDIF", office, -101.55, 21.1, "100000", [(fismdf, {"amount_approved": Decimal("100000")})])
    work(
        "LEO-FISE", water_category, -101.78, 21.22, "200000", [(fise, {"amount_approved": Decimal("200000")})]
    )


def by_cvegeo(body):
    return {m["cvegeo"]: m for m in body["municipios"]}


def test_pizu_minimum_per_municipio_from_zap_population_and_poverty(
    client, pizu_case, django_assert_num_queries
):
    with django_assert_num_queries(6):  # rule; municipios; urban ZAP population; poverty; money; works
        body = client.get("/api/summaries/fais/compliance?year=2026").json()
    assert body["rule"]["year_from"] == 2024 and body["rule"]["zap_urbana_minimum"] == "PIZU"
    assert body["rule"]["verified"] is False  # the 2024 Lineamientos are not verified: said, not hidden
    leon = by_cvegeo(body)["11020"]
    assert (leon["pzu"], leon["ppm"], leon["poverty_year"]) == (30000, 100000, 2024)
    assert leon["minimum_pct"] == "9.00"
    assert (leon["fund_aprobado"], leon["in_zap_urbana"], leon["share_pct"]) == (
        "1600000.00",
        "1000000.00",
        "62.50",
    )
    assert leon["status"] == "CUMPLE"
    xichu = by_cvegeo(body)["11045"]
    assert (xichu["minimum_pct"], xichu["share_pct"], xichu["status"]) == ("39.06", "0.00", "NO_CUMPLE")


def test_each_work_is_flagged_with_its_reason(client, pizu_case):
    works = {w["folio"]: w for w in client.get("/api/summaries/fais/compliance?year=2026").json()["works"]}
    assert set(works) == {"LEO-PAV", "LEO-AGUA", "LEO-EDIF", "XIC-2026-001"}  # FISMDF only
    assert works["LEO-PAV"]["status"] == "CUMPLE" and "110200001234A" in works["LEO-PAV"]["reason"]
    assert (
        works["XIC-2026-001"]["status"] == "CUMPLE" and "ZAP rural 11045" in works["XIC-2026-001"]["reason"]
    )
    assert works["LEO-EDIF"]["status"] == "NO_CUMPLE" and "catálogo FAIS" in works["LEO-EDIF"]["reason"]
    assert works["LEO-AGUA"]["status"] == "NO_EVALUABLE" and "CUIS" in works["LEO-AGUA"]["reason"]
    assert works["LEO-AGUA"]["fund_aprobado"] == "500000.00"  # the fund's share, not the work's 900,000


def test_fise_is_told_apart_from_fismdf(client, pizu_case):
    body = client.get("/api/summaries/fais/compliance?year=2026&fund=FAIS-FISE").json()
    assert body["rule"]["fund"] == "FAIS-FISE" and body["rule"]["zap_urbana_minimum"] == "NONE"
    leon = by_cvegeo(body)["11020"]
    assert (leon["fund_aprobado"], leon["status"]) == ("200000.00", "NO_APLICA")
    assert [w["folio"] for w in body["works"]] == ["LEO-FISE"]


def test_what_cannot_be_evaluated_says_why(client, pizu_case):
    from priority_zones.models import Ageb, MunicipalPoverty

    Ageb.objects.all().delete()  # zone B's population is now unknown
    MunicipalPoverty.objects.filter(municipio__cvegeo="11045").delete()
    body = by_cvegeo(client.get("/api/summaries/fais/compliance?year=2026").json())
    assert body["11020"]["status"] == "NO_EVALUABLE" and "1102000012350" in body["11020"]["reason"]
    assert body["11045"]["status"] == "NO_EVALUABLE" and "pobreza" in body["11045"]["reason"]
    # A year without urban ZAP declared: the minimum does not apply.
    assert (
        by_cvegeo(client.get("/api/summaries/fais/compliance?year=2025").json())["11020"]["status"]
        == "NO_APLICA"
    )


def test_the_rule_table_follows_the_year(client, rules, db):
    body = client.get("/api/summaries/fais/compliance?year=2016").json()
    assert body["rule"]["min_direct_pct"] == "70.00" and body["rule"]["verified"] is True
    assert client.get("/api/summaries/fais/compliance?year=2017").json()["rule"]["min_direct_pct"] is None
    assert client.get("/api/summaries/fais/compliance?year=2013").json()["rule"] is None


def test_the_fais_summary_of_a_municipio_checks_its_pizu_minimum(client, pizu_case):
    body = client.get("/api/summaries/fais?year=2026&municipio=11020").json()
    check = next(c for c in body["checks"] if c["rule"] == "min_zap_urbana_pct")
    assert check == {"rule": "min_zap_urbana_pct", "limit": "9.00", "value": "62.50", "ok": True}
    assert body["fais_aprobado"] == "1600000.00" and body["fund"] == "FAIS-FISMDF"


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("year=2026&fund=FAIS", "fund"), ("year=dos", "year"), ("year=2026&municipio=1", "municipio")],
)
def test_bad_parameters_are_named(client, db, query, parameter):
    response = client.get(f"/api/summaries/fais/compliance?{query}")
    assert response.status_code == 400 and response.json()["parameter"] == parameter


@pytest.fixture
def site_urls(settings):
    """The whole site (tests/api answers the API alone): the planner's pages live under /planeacion/."""
    settings.ROOT_URLCONF = "config.urls"


def test_the_planner_page_lists_municipios_and_works_by_year_and_fund(
    client, pizu_case, planner_leon, site_urls
):
    assert client.get("/planeacion/fais/?year=2026").status_code == 302  # sign in first
    client.force_login(planner_leon)
    html = client.get("/planeacion/fais/?year=2026&fund=FAIS-FISMDF").content.decode()
    assert 'data-cvegeo="11020" data-status="CUMPLE"' in html
    assert 'data-cvegeo="11045" data-status="NO_CUMPLE"' in html
    assert 'data-folio="LEO-EDIF" data-status="NO_CUMPLE"' in html and "LEO-FISE" not in html
    html = client.get("/planeacion/fais/?year=2026&fund=FAIS-FISE").content.decode()
    assert 'data-folio="LEO-FISE"' in html and "LEO-PAV" not in html
    assert client.get("/planeacion/fais/?year=dos").status_code == 400


def test_a_citizen_cannot_open_the_planner_page(client, db, citizen, site_urls):
    client.force_login(citizen)
    assert client.get("/planeacion/fais/?year=2026").status_code == 403
