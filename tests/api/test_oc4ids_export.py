"""OC4IDS project packages: valid against the official 0.9.5 schema (offline), closed codelists
respected, the work filters applied, streamed in a constant number of queries."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.contrib.gis.geos import GeometryCollection, MultiPolygon, Point, Polygon
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.oc4ids_schema import codelist, errors
from tests.places import make_work

URL = "/api/export/oc4ids.json"


def read_package(response) -> dict:
    assert response.status_code == 200, response.content
    assert response.streaming
    return json.loads(b"".join(response.streaming_content))


def by_folio(package: dict) -> dict[str, dict]:
    return {p["identifiers"][0]["id"].split("/")[0]: p for p in package["projects"]}


@pytest.fixture
def oc4ids_places(shared_data, work_well_xichu, work_road_leon, supervisor_leon, planner_leon, xichu, leon):
    """The well in Xichú with two approved reports and one pending; a suspended polygon work in
    León, planned and under way, with an AGEB and a localidad around it."""
    from priority_zones.models import Ageb, Localidad
    from works_map.actions import do_create_work, do_record_progress, do_review_progress

    for day, physical, financial, approve in (
        (dt.date(2026, 2, 1), "20", "10", True),
        (dt.date(2026, 4, 1), "40", "25", True),
        (dt.date(2026, 5, 1), "60", "30", None),
    ):
        report = do_record_progress(
            work_well_xichu,
            reported_on=day,
            physical_pct=Decimal(physical),
            financial_pct=Decimal(financial),
            acting_user=planner_leon,
        )
        if approve:
            do_review_progress(report, approve=True, acting_user=supervisor_leon)
    localidad = Localidad.objects.create(
        cvegeo="110200001",
        municipio=leon,
        name="León de los Aldama",
        ambito="U",
        frame_version="TEST",
        point=Point(-101.68, 21.12, srid=4326),
    )
    Ageb.objects.create(
        cvegeo="1102000010123",
        municipio=leon,
        localidad=localidad,
        ambito="U",
        frame_version="TEST",
        geom=MultiPolygon(Polygon.from_bbox((-101.70, 21.10, -101.66, 21.14)), srid=4326),
    )
    park = do_create_work(
        folio="LEO-2026-PARQUE",
        fiscal_year=2026,
        name="Parque lineal",
        description="Rehabilitación del parque lineal del arroyo",
        category=work_road_leon.category,
        modality="REHABILITACION",
        geom=Polygon.from_bbox((-101.69, 21.11, -101.68, 21.12)),
        municipio=leon,
        localidad=localidad,
        address="Blvd. Adolfo López Mateos s/n",
        status="SUSPENDIDA",
        amount_approved=Decimal("1000000.00"),
        amount_modified=Decimal("1200000.00"),
        planned_start=dt.date(2026, 1, 15),
        planned_end=dt.date(2026, 11, 30),
        actual_start=dt.date(2026, 2, 1),
    )
    return {"well": work_well_xichu, "road": work_road_leon, "park": park}


def test_the_whole_register_is_a_valid_oc4ids_package(client, oc4ids_places):
    package = read_package(client.get(URL))
    assert errors(package) == []
    assert package["version"] == "0.9"
    assert package["uri"] == "http://testserver/api/export/oc4ids.json"
    assert package["publisher"]["name"] and package["license"].startswith("https://")
    assert len(package["projects"]) == 3


def test_a_project_carries_budget_by_source_parties_and_approved_progress(client, oc4ids_places, settings):
    well = by_folio(read_package(client.get(URL)))["XIC-2026-001"]
    assert well["id"] == f"{settings.OC4IDS_PREFIX}-XIC-2026-001-2026"
    assert well["status"] == "implementation" and well["localStatus"]["code"] == "EN_EJECUCION"
    assert well["type"] == "construction"
    assert well["budget"]["amount"] == {"amount": 2500000.0, "currency": "MXN"}
    (line,) = well["budget"]["budgetBreakdowns"][0]["budgetBreakdown"]
    assert line["id"] == "FAIS-FISMDF" and line["conacSourceCode"] == "25"
    assert line["amount"] == {"amount": 2500000.0, "currency": "MXN"}
    parties = {p["id"]: p for p in well["parties"]}
    assert parties[line["sourceParty"]["id"]]["roles"] == ["funder"]  # the federal government
    sop = parties[well["publicAuthority"]["id"]]
    assert sop["identifier"]["id"] == "GTO-SOP" and sop["roles"] == ["publicAuthority"]
    assert sop["localRoles"] == ["EJECUTORA"] and sop["predecessor"]["name"].startswith("Secretaría de Infra")
    metrics = {m["id"]: m for m in well["metrics"]}
    # Two approved reports over time; the pending 60% is not published.
    assert [o["measure"] for o in metrics["physicalProgress"]["observations"]] == [20.0, 40.0]
    assert [o["measure"] for o in metrics["financialProgress"]["observations"]] == [10.0, 25.0]
    assert (
        metrics["physicalProgress"]["observations"][1]["period"]["startDate"] == "2026-04-01T00:00:00-06:00"
    )
    location = well["locations"][0]
    assert location["geometry"] == {"type": "Point", "coordinates": [-100.05, 21.3]}  # lon, lat
    assert location["gazetteer"] == {"scheme": "MX-INEGI-CVEGEO", "identifiers": ["11045"]}


def test_a_suspended_work_is_in_implementation_and_keeps_its_local_status(client, oc4ids_places):
    park = by_folio(read_package(client.get(URL)))["LEO-2026-PARQUE"]
    assert park["status"] == "implementation"
    assert park["localStatus"] == {"code": "SUSPENDIDA", "title": "Suspendida"}
    assert park["type"] == "rehabilitation"
    assert park["budget"]["amount"]["amount"] == 1200000.0  # the modified amount
    assert park["period"] == {
        "startDate": "2026-01-15T00:00:00-06:00",
        "endDate": "2026-11-30T00:00:00-06:00",
    }
    assert park["implementationPeriod"] == {"startDate": "2026-02-01T00:00:00-06:00"}
    location = park["locations"][0]
    assert location["geometry"]["type"] == "Polygon"
    assert location["gazetteer"]["identifiers"] == ["11020", "110200001", "1102000010123"]
    assert location["address"]["streetAddress"] == "Blvd. Adolfo López Mateos s/n"
    assert "metrics" not in park and "completion" not in park


def test_every_local_status_maps_to_a_code_of_the_closed_project_status_codelist(shared_data):
    from works_map.models import OC4IDS_STATUS, WorkStatus

    codes = codelist("projectStatus")
    assert set(OC4IDS_STATUS) == set(WorkStatus.values)
    assert {OC4IDS_STATUS[s] for s in WorkStatus.values} <= codes
    # DOMAIN.md §4.1: suspension is a side state of execution; finiquito is close-out (completion).
    assert OC4IDS_STATUS["SUSPENDIDA"] == "implementation"
    assert OC4IDS_STATUS["FINIQUITADA"] == "completion"


def test_every_modality_maps_to_the_closed_project_type_codelist_or_to_nothing(shared_data):
    from works_map.oc4ids import PARTY_ROLES, PROJECT_TYPE, SECTOR_BY_CARENCIA, SECTOR_BY_SUBFUNCTION

    assert set(PROJECT_TYPE.values()) <= codelist("projectType")
    sectors = codelist("projectSector")
    assert {*SECTOR_BY_SUBFUNCTION.values(), *SECTOR_BY_CARENCIA.values()} <= sectors
    assert {"publicAuthority", "funder"} <= set(PARTY_ROLES.values())


@pytest.mark.parametrize("status", ["PLANEACION", "SUSPENDIDA", "FINIQUITADA", "CANCELADA", "CERRADA"])
def test_a_package_of_each_status_validates(client, shared_data, xichu, water_category, status):
    from works_map.actions import do_update_work

    work = make_work(xichu, water_category, folio=f"S-{status}", published=True, point=(-100.0, 21.3))
    do_update_work(work, status=status, actual_start=dt.date(2026, 1, 1), actual_end=dt.date(2026, 6, 30))
    package = read_package(client.get(URL))
    assert errors(package) == []
    project = package["projects"][0]
    assert project["localStatus"]["code"] == status
    assert ("completion" in project) == (project["status"] == "completion")


def test_parties_are_the_agencies_then_the_funders_whichever_of_them_a_work_has(
    client, shared_data, xichu, water_category, fismdf, sop
):
    """The package is written as text by PostgreSQL: a work with agencies and no funding, with
    funding and no agencies, with both and with neither each give valid JSON and a valid project."""
    from works_map.actions import do_create_work

    for folio, funding, agencies in (
        ("P-AGENCY", [], [(sop, "EJECUTORA"), (sop, "NORMATIVA")]),
        ("P-FUNDS", [(fismdf, {"amount_approved": Decimal("10")})], []),
        ("P-BOTH", [(fismdf, {"amount_approved": Decimal("10")})], [(sop, "EJECUTORA")]),
        ("P-NONE", [], []),
    ):
        do_create_work(
            folio=folio,
            fiscal_year=2026,
            name=f'Obra {folio} «comillas» \\ "y" barra',
            category=water_category,
            geom=Point(-100.0, 21.3, srid=4326),
            municipio=xichu,
            funding=funding,
            agencies=agencies,
        )
    package = read_package(client.get(URL))
    assert errors(package) == []
    projects = by_folio(package)
    parties = {f: [p["id"] for p in projects[f].get("parties", [])] for f in projects}
    assert parties == {
        "P-AGENCY": ["MX-GTO-TA-DEPENDENCIA-GTO-SOP"],
        "P-FUNDS": ["MX-GOB-FEDERAL"],
        "P-BOTH": ["MX-GTO-TA-DEPENDENCIA-GTO-SOP", "MX-GOB-FEDERAL"],
        "P-NONE": [],
    }
    sop_party = projects["P-AGENCY"]["parties"][0]
    assert sorted(sop_party["roles"]) == ["normativeEntity", "publicAuthority"]
    assert sop_party["localRoles"] == ["EJECUTORA", "NORMATIVA"]
    assert projects["P-AGENCY"]["publicAuthority"]["id"] == "MX-GTO-TA-DEPENDENCIA-GTO-SOP"
    assert (
        "publicAuthority" not in projects["P-FUNDS"]
        and "budgetBreakdowns" not in projects["P-NONE"]["budget"]
    )
    assert projects["P-NONE"]["title"] == 'Obra P-NONE «comillas» \\ "y" barra'


def test_a_geometry_collection_is_published_as_its_representative_point(
    client, shared_data, xichu, water_category
):
    from works_map.actions import do_create_work

    do_create_work(
        folio="GC-1",
        fiscal_year=2026,
        name="Obra en dos partes",
        category=water_category,
        geom=GeometryCollection(Point(-100.0, 21.3), Point(-100.01, 21.31), srid=4326),
        municipio=xichu,
    )
    package = read_package(client.get(URL))
    assert errors(package) == []
    assert package["projects"][0]["locations"][0]["geometry"]["type"] == "Point"


def test_the_work_filters_select_the_projects(client, oc4ids_places, zap_xichu_2026):
    folios = lambda q: sorted(by_folio(read_package(client.get(f"{URL}?{q}"))))  # noqa: E731
    assert folios("municipio=11020") == ["LEO-2025-010", "LEO-2026-PARQUE"]
    assert folios("year=2026&status=SUSPENDIDA,EN_EJECUCION") == ["LEO-2026-PARQUE", "XIC-2026-001"]
    assert folios(f"zone={zap_xichu_2026.pk}") == ["XIC-2026-001"]
    assert folios("source=FAIS-FISMDF") == ["XIC-2026-001"]
    assert folios("agency=GTO-SOP") == ["XIC-2026-001"]
    assert folios("bbox=-101.9,21.0,-101.4,21.3&q=Parque") == ["LEO-2026-PARQUE"]


def test_one_work_has_its_own_package_and_drafts_have_none(client, oc4ids_places, unpublished_work_leon):
    well = oc4ids_places["well"]
    package = read_package(client.get(f"/api/export/oc4ids/{well.pk}.json"))
    assert errors(package) == [] and [p["title"] for p in package["projects"]] == [well.name]
    assert client.get(f"/api/export/oc4ids/{unpublished_work_leon.pk}.json").status_code == 404
    assert client.get(f"/api/export/oc4ids/{well.pk}.json?year=2026").status_code == 400
    assert "LEO-2026-999" not in by_folio(read_package(client.get(URL)))


def test_an_empty_selection_is_a_404_not_an_invalid_package(client, oc4ids_places):
    response = client.get(f"{URL}?year=2030")
    assert response.status_code == 404 and not response.streaming


@pytest.mark.parametrize(
    ("query", "parameter"), [("year=x", "year"), ("color=red", "color"), ("status=NOPE", "status")]
)
def test_a_bad_filter_is_refused_naming_it(client, db, query, parameter):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400 and not response.streaming
    assert response.json()["parameter"] == parameter


def test_the_query_count_does_not_grow_with_the_number_of_works(
    client, shared_data, xichu, water_category, fismdf, sop
):
    from works_map.actions import do_create_work

    def export_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            read_package(client.get(URL))
        return len(queries)

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            do_create_work(
                folio=f"N-{i}",
                fiscal_year=2026,
                name=f"Obra {i}",
                category=water_category,
                geom=Point(-100.0, 21.3, srid=4326),
                municipio=xichu,
                funding=[(fismdf, {"amount_approved": Decimal("10")})],
                agencies=[(sop, "EJECUTORA")],
            )

    add(2, 0)
    few = export_queries()
    add(20, 2)
    assert export_queries() == few


def test_the_package_streams_in_batches(client, oc4ids_places, monkeypatch):
    from gis_core import exporters
    from works_map import oc4ids

    monkeypatch.setattr(oc4ids, "FETCH_ROWS", 1)
    monkeypatch.setattr(exporters, "FETCH_ROWS", 1)
    package = read_package(client.get(URL))
    assert errors(package) == [] and len(package["projects"]) == 3


def test_the_validator_catches_a_broken_package(shared_data):
    example = json.loads((shared_data / "oc4ids_example_fictional.json").read_text())
    assert errors(example) == []
    example["projects"][0]["status"] = "suspended"  # not in the closed codelist
    del example["publisher"]
    problems = errors(example)
    assert any("publisher" in p for p in problems) and any("suspended" in p for p in problems)
