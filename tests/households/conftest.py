"""Households, income lines and actors for the household-diagnostics tests."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point

_folios = itertools.count(1)

HEAD_WITH_IMSS = {
    "number": 1,
    "relationship": "JEFE",
    "sex": "H",
    "age": 45,
    "education_level": "SECUNDARIA",
    "education_completed": True,
    "attends_school": False,
    "health_affiliations": ["IMSS"],
    "works": True,
    "job_type": "SUBORDINADO",
    "has_medical_benefit": True,
    "has_sick_leave": True,
    "has_retirement_savings": True,
    "is_pensioner": False,
    "monthly_income": Decimal("12000"),
}
GOOD_DWELLING = {
    "floor": "CEMENTO",
    "roof": "LOSA",
    "wall": "TABIQUE",
    "rooms": 3,
    "residents": 1,
    "water": "DENTRO",
    "drainage": "RED_PUBLICA",
    "electricity": "RED",
    "cooking_fuel": "GAS",
    "food_security": {f"a{i}": False for i in range(1, 7)},
}


def make_household(municipio, lon, lat, persons=(HEAD_WITH_IMSS,), **fields):
    """A consented household at (lon, lat) with the given persons (dicts of Person fields)."""
    from priority_zones.models import Household, Person

    values = {
        "folio": f"T-{next(_folios):06d}",
        "survey_date": dt.date(2026, 3, 1),
        "location": Point(lon, lat, srid=4326),
        "municipio": municipio,
        "ambito": "U",
        "consent": True,
        **GOOD_DWELLING,
    }
    values.update(fields)
    household = Household.objects.create(**values)
    Person.objects.bulk_create(Person(household=household, **p) for p in persons)
    return household


@pytest.fixture
def poverty_lines(db):
    """The income lines of DOMAIN.md §3.2: Aug 2020, Jul 2025 and Dec 2025, urban and rural."""
    from priority_zones.models import PovertyLine

    rows = [
        (dt.date(2020, 8, 1), "U", "1544.07", "3325.40"),
        (dt.date(2020, 8, 1), "R", "1164.75", "2316.57"),
        (dt.date(2025, 7, 1), "U", "2453.34", "4718.55"),
        (dt.date(2025, 7, 1), "R", "1856.91", "3396.71"),
        (dt.date(2025, 12, 1), "U", "2467.15", "4818.14"),
        (dt.date(2025, 12, 1), "R", "1854.39", "3451.13"),
    ]
    return {
        (d, a): PovertyLine.objects.create(
            reference_date=d, ambito=a, extreme=Decimal(e), poverty=Decimal(p), source="INEGI (test)"
        )
        for d, a, e, p in rows
    }


@pytest.fixture
def household_xichu(xichu, poverty_lines):
    """One well-off urban household in Xichú, surveyed March 2026: no carencias, not poor."""
    return make_household(xichu, -100.05, 21.3)


@pytest.fixture
def analyst_xichu(db, django_user_model, xichu):
    """A SENCO analyst allowed to see household data, scoped to Xichú only."""
    from django.contrib.auth.models import Permission

    from works_map.models import UserScope

    user = django_user_model.objects.create_user("analista", "a@example.org", "una-clave-larga-123")
    user.user_permissions.add(Permission.objects.get(codename="view_household_data"))
    scope = UserScope.objects.create(user=user, note="SENCO Xichú")
    scope.municipios.add(xichu)
    return user


@pytest.fixture
def citizen(db, django_user_model):
    """A signed-up citizen with no special permission."""
    return django_user_model.objects.create_user("ciudadana", "c@example.org", "una-clave-larga-123")


@pytest.fixture
def staff_without_scope(db, django_user_model):
    """Staff who holds the permission but no scope: still sees nothing."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(
        "sinambito", "s@example.org", "una-clave-larga-123", is_staff=True
    )
    user.user_permissions.add(Permission.objects.get(codename="view_household_data"))
    return user
