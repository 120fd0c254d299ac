"""Investment analysis: amounts per inhabitant in the all-zones / all-municipios tables, the work
filters applied to them, and the cross-tab area x fiscal year x source / category / agency.

Expected figures are computed by hand from the three works below (see `analysis_works`)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point

from tests.places import make_work

XICHU_POPULATION = 11143  # tests/places.py
LEON_POPULATION = 1721215


@pytest.fixture
def state_source(db):
    """Recursos estatales (CONAC 15), the state's half of a 50/50 work."""
    from works_map.models import FundingSource

    return FundingSource.objects.create(
        code="EST-PROPIOS", conac_code="15", name="Recursos estatales", level="ESTATAL", fund="Propios"
    )


@pytest.fixture
def paving(db):
    from works_map.models import Category

    return Category.objects.create(
        code="PAV", name="Pavimentación", level="RUBRO", fais_incidence="COMPLEMENTARIA"
    )


@pytest.fixture
def municipal_works_agency(xichu):
    from works_map.models import Agency

    return Agency.objects.create(
        code="MUN-XICHU-OP",
        acronym="OP Xichú",
        name="Obras Públicas de Xichú",
        level="MUNICIPAL",
        municipio=xichu,
    )


@pytest.fixture
def analysis_works(
    work_well_xichu, work_road_leon, zap_xichu_2026, paving, fismdf, state_source, municipal_works_agency
):
    """Xichú (rural ZAP 2026, the whole municipio):
      the well: 2026, 2,500,000 approved / 1,000,000 exercised, all FISMDF, executed by SOP, AGUA.RED;
      a street: 2026, 1,000,000 approved / 400,000 exercised, 50/50 FISMDF and state, by OP Xichú, PAV.
    León (no zone): the pipeline, 2025, 800,000 approved, no funding row, no executing agency."""
    from works_map.actions import do_create_work

    street = do_create_work(
        folio="XIC-2026-PAV",
        fiscal_year=2026,
        name="Pavimentación de calle en Xichú",
        category=paving,
        geom=Point(-100.1, 21.25, srid=4326),
        municipio=work_well_xichu.municipio,
        amount_approved=Decimal("1000000"),
        amount_exercised=Decimal("400000"),
        funding=[
            (fismdf, {"amount_approved": Decimal("500000"), "amount_exercised": Decimal("200000")}),
            (state_source, {"amount_approved": Decimal("500000"), "amount_exercised": Decimal("200000")}),
        ],
        agencies=[(municipal_works_agency, "EJECUTORA")],
    )
    return {"well": work_well_xichu, "street": street, "pipeline": work_road_leon}


def per_head(amount: str, population: int) -> str:
    return str((Decimal(amount) / population).quantize(Decimal("0.01")))


def keyed(rows):
    return {(r["cvegeo"], r["fiscal_year"], r["key"]): r for r in rows}


def test_crosstab_by_zone_splits_money_by_funding_share(client, analysis_works, django_assert_num_queries):
    # 2 layer versions; savepoint, SET LOCAL jit, the page's areas, their cells, release
    with django_assert_num_queries(7):
        body = client.get("/api/summaries/investment/crosstab?by=zone&dim=source").json()
    with django_assert_num_queries(0):  # the same question again: from the cache, versions included
        assert client.get("/api/summaries/investment/crosstab?by=zone&dim=source").json() == body
    rows = keyed(body["rows"])
    assert set(rows) == {("11045", 2026, "FAIS-FISMDF"), ("11045", 2026, "EST-PROPIOS"), (None, 2025, None)}
    fais = rows[("11045", 2026, "FAIS-FISMDF")]
    # The well's funding row records no exercised amount: a source's share is its own row, not the work's.
    assert (fais["works"], fais["aprobado"], fais["ejercido"]) == (2, "3000000.00", "200000.00")
    assert fais["population"] == XICHU_POPULATION and fais["kind"] == "ZAP_RURAL"
    assert fais["aprobado_por_habitante"] == "269.23"  # 3,000,000 / 11,143
    state = rows[("11045", 2026, "EST-PROPIOS")]
    assert (state["works"], state["aprobado"], state["ejercido"]) == (1, "500000.00", "200000.00")
    outside = rows[(None, 2025, None)]
    assert outside["outside"] is True and outside["aprobado"] == "800000.00"
    assert outside["aprobado_por_habitante"] is None
    # Shares add up to the works' totals: no peso counted twice or lost.
    assert sum(Decimal(r["aprobado"]) for r in body["rows"]) == Decimal("4300000")


def test_crosstab_by_category_and_by_agency_count_whole_works(client, analysis_works):
    by_category = keyed(client.get("/api/summaries/investment/crosstab?dim=category").json()["rows"])
    assert by_category[("11045", 2026, "AGUA.RED")]["aprobado"] == "2500000.00"
    assert by_category[("11045", 2026, "PAV")]["aprobado"] == "1000000.00"
    by_agency = keyed(client.get("/api/summaries/investment/crosstab?dim=agency").json()["rows"])
    assert by_agency[("11045", 2026, "GTO-SOP")]["label"] == "SOP"
    assert by_agency[("11045", 2026, "MUN-XICHU-OP")]["ejercido"] == "400000.00"
    assert by_agency[(None, 2025, None)]["works"] == 1  # no executing agency recorded


def test_crosstab_by_municipio_with_work_filters(client, analysis_works):
    body = client.get("/api/summaries/investment/crosstab?by=municipio&dim=source&year=2025").json()
    assert [(r["cvegeo"], r["key"], r["aprobado"]) for r in body["rows"]] == [("11020", None, "800000.00")]
    assert body["rows"][0]["aprobado_por_habitante"] == per_head("800000", LEON_POPULATION)  # 0.46
    # source=EST-PROPIOS keeps the works it funds; the dimension still splits each one by source.
    rows = client.get("/api/summaries/investment/crosstab?by=municipio&dim=source&source=EST-PROPIOS").json()
    assert {(r["key"], r["aprobado"]) for r in rows["rows"]} == {
        ("FAIS-FISMDF", "500000.00"),
        ("EST-PROPIOS", "500000.00"),
    }


def test_crosstab_as_csv(client, analysis_works):
    from works_map.analysis import CROSSTAB_COLUMNS

    response = client.get("/api/summaries/investment/crosstab?dim=category&format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "inversion_zone_category.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert list(rows[0]) == CROSSTAB_COLUMNS
    assert {(r["key"], r["aprobado"]) for r in rows} == {
        ("AGUA.RED", "2500000.00"),
        ("PAV", "1000000.00"),
        ("AGUA.RED", "800000.00"),  # the León pipeline, outside every zone
    }


def test_a_cached_crosstab_changes_when_a_work_is_added(
    client, analysis_works, water_category, django_capture_on_commit_callbacks
):
    from works_map.actions import do_create_work

    path = "/api/summaries/investment/crosstab?by=municipio&dim=category&year=2025"
    assert [r["aprobado"] for r in client.get(path).json()["rows"]] == ["800000.00"]
    with django_capture_on_commit_callbacks(execute=True):  # the layer-version bump runs on commit
        do_create_work(
            folio="LEO-2025-NUEVA",
            fiscal_year=2025,
            name="Obra nueva",
            category=water_category,
            geom=Point(-101.6, 21.1, srid=4326),
            municipio=analysis_works["pipeline"].municipio,
            amount_approved=Decimal("200000"),
        )
    assert [r["aprobado"] for r in client.get(path).json()["rows"]] == ["1000000.00"]


def test_crosstab_of_no_works_is_an_empty_table_not_an_error(client, db):
    assert client.get("/api/summaries/investment/crosstab?dim=source").json()["rows"] == []
    response = client.get("/api/summaries/investment/crosstab?dim=source&format=csv")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode().startswith("area_id,")


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("", "dim"),
        ("dim=fuente", "dim"),
        ("dim=source&by=estado", "by"),
        ("dim=source&by=municipio&type=ZAP_RURAL", "type"),
        ("dim=source&type=OTRA", "type"),
        ("dim=source&zone_year=20x6", "zone_year"),
        ("dim=source&by=municipio&zone_year=2026", "zone_year"),
        ("dim=source&year=20x6", "year"),
        ("dim=source&source=NO-EXISTE", "source"),
        ("dim=source&color=rojo", "color"),
    ],
)
def test_crosstab_refuses_bad_parameters_by_name(client, db, query, parameter):
    response = client.get(f"/api/summaries/investment/crosstab?{query}")
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter


@pytest.mark.parametrize(
    "query",
    ["by=zone&dim=source", "by=municipio&dim=category", "by=zone&dim=agency&category=AGUA"],
)
def test_crosstab_pages_followed_through_next_give_the_whole_table(client, analysis_works, query):
    """One area a page (the last one of by=zone: the outside rows) through the `next` links: the same
    rows, in the same order, as one page holding everything and as the whole CSV."""
    whole = client.get(f"/api/summaries/investment/crosstab?{query}").json()
    assert whole["next"] is None and whole["page_size"] == 20
    rows, url, pages = [], f"/api/summaries/investment/crosstab?{query}&page_size=1", 0
    while url:
        body = client.get(url).json()
        assert body["page_size"] == 1 and len({(r["outside"], r["area_id"]) for r in body["rows"]}) == 1
        rows += body["rows"]
        url, pages = body["next"], pages + 1
    assert pages == 2 and rows == whole["rows"]
    response = client.get(f"/api/summaries/investment/crosstab?{query}&format=csv")
    streamed = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [
        (r["cvegeo"] or None, int(r["fiscal_year"]), r["key"] or None, r["aprobado"]) for r in streamed
    ] == [(r["cvegeo"], r["fiscal_year"], r["key"], r["aprobado"]) for r in rows]


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("dim=source&page_size=0", "page_size"),
        ("dim=source&page_size=501", "page_size"),
        ("dim=source&page_size=diez", "page_size"),
        ("dim=source&cursor=no-es-un-cursor", "cursor"),
        ("dim=source&cursor=W3RydWUsbnVsbCwxLDEsMV0", "cursor"),  # after the outside rows: never written
        ("dim=source&cursor=W2ZhbHNlLG51bGwsMV0", "cursor"),  # no data versions
        ("dim=source&format=csv&cursor=W2ZhbHNlLG51bGwsMSwxLDFd", "cursor"),  # the CSV is the whole table
        ("dim=source&format=csv&page_size=10", "page_size"),
    ],
)
def test_crosstab_refuses_bad_paging_by_name(client, analysis_works, query, parameter):
    response = client.get(f"/api/summaries/investment/crosstab?{query}")
    assert response.status_code == 400 and response.json()["parameter"] == parameter


def test_a_crosstab_page_asked_for_after_the_data_changed_is_a_409_naming_the_cursor(
    client, analysis_works, leon, water_category, django_capture_on_commit_callbacks
):
    """A `next` link carries the data versions of its first page: following it after works changed
    would join two states of the data, so it is refused; the first page again gives a fresh link."""
    url = "/api/summaries/investment/crosstab?by=municipio&dim=source&page_size=1"
    following = client.get(url).json()["next"]
    assert client.get(following).status_code == 200  # the data unchanged: the link works
    with django_capture_on_commit_callbacks(execute=True):  # the works' version is bumped on commit
        make_work(leon, water_category, folio="LEO-2026-777", published=True, point=(-101.6, 21.1))
    refused = client.get(following)
    assert refused.status_code == 409
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["parameter"] == "cursor" and "primera" in refused.json()["detail"]
    fresh = client.get(url).json()["next"]
    assert fresh != following and client.get(fresh).status_code == 200


def test_investment_tables_have_population_and_amounts_per_inhabitant(client, analysis_works):
    rows = client.get("/api/summaries/investment?by=municipio").json()["rows"]
    xichu = next(r for r in rows if r["cvegeo"] == "11045")
    assert xichu["population"] == XICHU_POPULATION and xichu["aprobado"] == "3500000.00"
    assert xichu["aprobado_por_habitante"] == "314.10"  # 3,500,000 / 11,143
    assert xichu["ejercido_por_habitante"] == "125.64"  # 1,400,000 / 11,143
    zones = client.get("/api/summaries/investment?by=zone&year=2026").json()["rows"]
    assert zones[0]["cvegeo"] == "11045" and zones[0]["population"] == XICHU_POPULATION
    assert zones[0]["aprobado_por_habitante"] == "314.10"
    assert zones[-1]["outside"] is True and zones[-1]["aprobado_por_habitante"] is None


def test_investment_tables_take_every_work_filter(client, analysis_works):
    rows = client.get("/api/summaries/investment?by=municipio&category=AGUA").json()["rows"]
    assert {r["cvegeo"]: r["aprobado"] for r in rows} == {"11020": "800000.00", "11045": "2500000.00"}
    zones = client.get("/api/summaries/investment?by=zone&agency=MUN-XICHU-OP").json()["rows"]
    assert [(r["cvegeo"], r["works"], r["aprobado"]) for r in zones] == [
        ("11045", 1, "1000000.00"),
        (None, 0, "0.00"),  # the outside row is always there
    ]
    unfiltered = client.get("/api/summaries/investment?by=zone").json()["rows"]
    filtered = client.get("/api/summaries/investment?by=zone&status=PLANEACION,EN_EJECUCION,TERMINADA").json()
    assert filtered["rows"] == unfiltered  # every status present: the filtered path equals the totals
    csv_body = client.get("/api/summaries/investment.csv?by=municipio&source=FAIS-FISMDF").content.decode()
    assert "aprobado_por_habitante" in csv_body.splitlines()[0]


def test_investment_table_names_a_bad_work_filter(client, db):
    response = client.get("/api/summaries/investment?by=zone&category=NO-EXISTE")
    assert response.status_code == 400 and response.json()["parameter"] == "category"


def test_crosstab_is_in_the_openapi_document(client, db):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/summaries/investment/crosstab"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"dim", "by", "type", "zone_year", "format", "source", "category", "agency", "year"} <= names
