"""Every constraint on geography, zones and households refuses a bad row, in the model and in PostGIS."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point

from priority_zones.models import Household
from tests.gis_core.constraint_sweep import (
    BOWTIE_MULTI,
    Case,
    ConstraintSweepTests,
    pytest_generate_tests,  # noqa: F401 - the hook that runs the sweep once per case
)
from tests.places import box

APP = "priority_zones"


@pytest.fixture
def household_xichu(xichu):
    """A surveyed household in Xichú: the parent row of the person and diagnostic cases."""
    return Household.objects.create(
        folio="XIC-H-0001",
        survey_date=dt.date(2026, 2, 1),
        location=Point(-100.05, 21.3, srid=4326),
        municipio=xichu,
        ambito="R",
        consent=True,
    )


def municipio(f):
    return {
        "cvegeo": "11020",
        "name": "León",
        "frame_version": "TEST",
        "geom": box(-101.8, 21.0, -101.5, 21.3),
    }


def localidad(f):
    return {
        "cvegeo": "110450001",
        "municipio": f("xichu"),
        "name": "Xichú",
        "ambito": "R",
        "frame_version": "TEST",
        "point": Point(-100.05, 21.3, srid=4326),
    }


def ageb(f):
    return {
        "cvegeo": "110200001123A",
        "municipio": f("leon"),
        "ambito": "U",
        "frame_version": "TEST",
        "geom": box(-101.7, 21.1, -101.69, 21.11),
    }


def zap_rural(f):
    return {
        "kind": "ZAP_RURAL",
        "fiscal_year": 2026,
        "cvegeo": "11045",
        "name": "Xichú",
        "municipio": f("xichu"),
        "geom": f("xichu").geom,
        "source": f("dof_zap_2026"),
    }


def zap_urbana(f):
    return {**zap_rural(f), "kind": "ZAP_URBANA", "cvegeo": "110200001123A", "municipio": f("leon")}


def household(f):
    return {
        "folio": "XIC-H-0002",
        "survey_date": dt.date(2026, 2, 1),
        "location": Point(-100.05, 21.3, srid=4326),
        "municipio": f("xichu"),
        "ambito": "R",
    }


def person(f):
    return {"household": f("household_xichu"), "number": 1, "relationship": "JEFE", "sex": "M", "age": 40}


def poverty_line(f):
    return {
        "reference_date": dt.date(2026, 1, 1),
        "ambito": "U",
        "extreme": Decimal("2400.00"),
        "poverty": Decimal("4700.00"),
        "source": "CONEVAL, enero 2026",
    }


def municipal_poverty(f):
    return {"municipio": f("xichu"), "year": 2020, "population_in_poverty": 8000, "source": "CONEVAL 2020"}


def diagnostic(f):
    return {
        "household": f("household_xichu"),
        "version": 1,
        "methodology_version": "CONEVAL-2020",
        "poverty_class": "INDETERMINADO",
    }


CASES: dict[str, Case] = {
    "municipio_cvegeo_format": Case(municipio, {"cvegeo": "11O20"}),
    "municipio_geom_valid": Case(municipio, {"geom": BOWTIE_MULTI}),
    "localidad_cvegeo_format": Case(localidad, {"cvegeo": "11045001"}),
    "localidad_has_location": Case(localidad, {"point": None, "geom": None}),
    "localidad_geom_valid": Case(localidad, {"geom": BOWTIE_MULTI}),
    "ageb_cvegeo_format": Case(ageb, {"ambito": "R"}),  # a 13-character key is urban only
    "ageb_geom_valid": Case(ageb, {"geom": BOWTIE_MULTI}),
    "sourcedocument_unique_reference": Case(
        {"kind": "DOF", "title": "Declaratoria", "reference": "DOF 1", "published_on": dt.date(2025, 11, 21)},
        bad={"title": "Otra declaratoria"},
        other_key={"reference": "DOF 2"},
    ),
    "zone_unique_official_key": Case(
        zap_rural, bad={"name": "Xichú (repetida)"}, other_key={"fiscal_year": 2025}
    ),
    "zone_official_needs_key_and_source": Case(zap_rural, {"source": None}),
    "zone_zap_rural_is_municipio": Case(zap_rural, {"cvegeo": "110450001"}),
    "zone_zap_urbana_is_ageb": Case(zap_urbana, {"cvegeo": "11020"}),
    "zone_fiscal_year_range": Case(zap_rural, {"fiscal_year": 1999}),
    "zone_geom_valid": Case(zap_rural, {"geom": BOWTIE_MULTI}),
    "household_rooms_positive": Case(household, {"rooms": 0}),
    "household_residents_positive": Case(household, {"residents": 0}),
    "person_unique_number": Case(person, bad={"relationship": "HIJO"}, other_key={"number": 2}),
    "person_age_range": Case(person, {"age": 121}),
    "person_birth_year_range": Case(person, {"birth_year": 1899}),
    "person_income_non_negative": Case(person, {"monthly_income": Decimal("-1.00")}),
    "person_elder_amount_non_negative": Case(person, {"elder_programme_amount": Decimal("-0.01")}),
    "povertyline_unique_date_ambito": Case(poverty_line, bad={"source": "otra"}, other_key={"ambito": "R"}),
    "povertyline_ordered": Case(poverty_line, {"poverty": Decimal("2000.00")}),
    "municipalpoverty_unique_year": Case(
        municipal_poverty, bad={"population_in_poverty": 5000}, other_key={"year": 2022}
    ),
    # Diagnostics are immutable (a trigger refuses every UPDATE), so only inserts are swept.
    "diagnostic_unique_version": Case(diagnostic, bad={"poverty_class": "NO_POBRE"}, update=False),
    "diagnostic_carencias_range": Case(diagnostic, {"carencias_count": 7}, update=False),
}


class TestConstraints(ConstraintSweepTests):
    APP = APP
    CASES = CASES
