"""Every works_map constraint refuses a bad row: in the model and in PostGIS."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from tests.gis_core.constraint_sweep import (
    BOWTIE,
    BOWTIE_MULTI,
    Case,
    ConstraintSweepTests,
    pytest_generate_tests,  # noqa: F401 - the hook that runs the sweep once per case
)
from works_map.models import FundingSource

APP = "works_map"


@pytest.fixture
def state_fund(db):
    """A second funding source (state money, CONAC 15) so a work can have two distinct sources."""
    return FundingSource.objects.create(
        code="GTO-ESTATAL", conac_code="15", name="Recursos estatales", level="ESTATAL", fund="Estatal"
    )


def agency(f):
    return {
        "code": "GTO-SENCO",
        "acronym": "SENCO",
        "name": "Secretaría del Nuevo Comienzo",
        "level": "ESTATAL",
        "valid_from": dt.date(2024, 9, 26),
    }


def funding_source(f):
    return {
        "code": "FAIS-FISE",
        "conac_code": "25",
        "name": "FAIS estatal",
        "level": "FEDERAL",
        "fund": "FISE",
    }


def work(f):
    return {
        "folio": "XIC-2026-002",
        "fiscal_year": 2026,
        "name": "Techos firmes en Xichú",
        "category": f("water_category"),
        "geom": Point(-100.06, 21.31, srid=4326),
        "municipio": f("xichu"),
        "planned_start": dt.date(2026, 3, 1),
        "actual_start": dt.date(2026, 3, 15),
    }


def work_agency(f):
    return {"work": f("work_road_leon"), "agency": f("sop"), "role": "EJECUTORA"}


def work_funding(f):
    return {"work": f("work_road_leon"), "source": f("fismdf"), "amount_approved": Decimal("800000.00")}


def progress(f):
    return {
        "work": f("work_well_xichu"),
        "reported_on": dt.date(2026, 3, 1),
        "physical_pct": Decimal("50"),
        "financial_pct": Decimal("45"),
    }


def fais_rule(f):
    # Far in the future: the migration loads the real Lineamientos rules for recent years.
    return {
        "year_from": 2090,
        "year_to": 2095,
        "min_direct_pct": Decimal("40"),
        "max_complementary_pct": Decimal("60"),
        "max_special_pct": Decimal("15"),
        "max_roads_pct": Decimal("15"),
        "source": "Lineamientos de prueba",
    }


def public_area(f):
    return {
        "code": "abcdefgh",
        "digest": "0" * 64,
        "geom": MultiPolygon(Polygon.from_bbox((-100.1, 21.25, -100.0, 21.35)), srid=4326),
        "area_km2": 115.0,
    }


NEGATIVE = Decimal("-0.01")

CASES: dict[str, Case] = {
    "agency_validity_ordered": Case(agency, {"valid_to": dt.date(2024, 9, 25)}),
    "agency_municipal_has_municipio": Case(agency, {"level": "MUNICIPAL"}),
    "agency_not_own_predecessor": Case(
        agency,
        {"id": 424242, "predecessor_id": 424242},
        bad_update=lambda stored: {"predecessor_id": stored.pk},
    ),
    "fundingsource_conac_code_format": Case(funding_source, {"conac_code": "18"}),
    "category_tree_shape": Case({"code": "VIV", "name": "Vivienda", "level": "RUBRO"}, {"level": "TEMA"}),
    "work_unique_folio_year": Case(work, bad={"name": "Otra obra"}, other_key={"folio": "XIC-2026-003"}),
    "work_fiscal_year_range": Case(work, {"fiscal_year": 2101}),
    "work_amount_approved_non_negative": Case(work, {"amount_approved": NEGATIVE}),
    "work_amount_modified_non_negative": Case(work, {"amount_modified": NEGATIVE}),
    "work_amount_exercised_non_negative": Case(work, {"amount_exercised": NEGATIVE}),
    "work_amount_paid_non_negative": Case(work, {"amount_paid": NEGATIVE}),
    "work_physical_progress_pct_range": Case(work, {"physical_progress": Decimal("100.01")}),
    "work_financial_progress_pct_range": Case(work, {"financial_progress": Decimal("-1")}),
    "work_planned_dates_ordered": Case(work, {"planned_end": dt.date(2026, 2, 28)}),
    "work_actual_dates_ordered": Case(work, {"actual_end": dt.date(2026, 3, 14)}),
    "work_geom_valid": Case(work, {"geom": BOWTIE}),
    "workagency_unique_role": Case(work_agency, other_key={"role": "SOLICITANTE"}),
    "workfunding_unique_source": Case(
        work_funding,
        bad={"amount_approved": Decimal("1.00")},
        other_key=lambda f: {"source": f("state_fund")},
    ),
    "workfunding_amount_approved_non_negative": Case(work_funding, {"amount_approved": NEGATIVE}),
    "workfunding_amount_modified_non_negative": Case(work_funding, {"amount_modified": NEGATIVE}),
    "workfunding_amount_exercised_non_negative": Case(work_funding, {"amount_exercised": NEGATIVE}),
    "workfunding_amount_paid_non_negative": Case(work_funding, {"amount_paid": NEGATIVE}),
    "progressreport_physical_pct_pct_range": Case(progress, {"physical_pct": Decimal("150")}),
    "progressreport_financial_pct_pct_range": Case(progress, {"financial_pct": Decimal("-5")}),
    "progressreport_rejection_has_reason": Case(progress, {"state": "REJECTED", "review_reason": ""}),
    "faisrule_years_ordered": Case(fais_rule, {"year_to": 2089}),
    "faisrule_min_direct_pct_pct_range": Case(fais_rule, {"min_direct_pct": Decimal("101")}),
    "faisrule_max_complementary_pct_pct_range": Case(fais_rule, {"max_complementary_pct": Decimal("-1")}),
    "faisrule_max_special_pct_pct_range": Case(fais_rule, {"max_special_pct": Decimal("100.5")}),
    "faisrule_max_roads_pct_pct_range": Case(fais_rule, {"max_roads_pct": Decimal("-0.5")}),
    "faisrule_min_zap_pct_pct_range": Case(fais_rule, {"min_zap_pct": Decimal("120")}),
    "faisrule_unique_fund_year": Case(fais_rule, bad={"source": "Otra"}, other_key={"fund": "FAIS-FISE"}),
    "publicarea_code_format": Case(public_area, {"code": "ABC-1234"}),
    "publicarea_geom_valid": Case(public_area, {"geom": BOWTIE_MULTI}),
    "committee_members_range": Case(
        {
            "kind": "DE_OBRA",
            "name": "Comité del pozo",
            "constituted_on": dt.date(2026, 1, 15),
            "members_count": 5,
        },
        {"members_count": 0},
    ),
}


class TestConstraints(ConstraintSweepTests):
    APP = APP
    CASES = CASES
