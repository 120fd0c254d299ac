"""The growth tests' actors and places: a health worker of Xichú (the dedicated role, scoped), a
centre, and children registered with consent."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.contrib.gis.geos import Point

from tests.actors import staff

TODAY = dt.date(2026, 6, 30)
XICHU_SPOT = (-100.05, 21.30)  # inside tests.places.xichu
_codes = itertools.count(1)


def health_worker(django_user_model, username: str, municipios=()):
    """A user in the "salud_infantil" role. The migration gives the group its permission; a
    transactional test flushes that row, so the permission is (re)attached here."""
    from django.contrib.auth.models import Group, Permission

    user = staff(django_user_model, username, "salud_infantil", municipios)
    Group.objects.get(name="salud_infantil").permissions.add(
        Permission.objects.get(codename="view_child_data")
    )
    return user


@pytest.fixture
def health_worker_xichu(db, django_user_model, xichu):
    """A nurse of Xichú's health centre: the "salud_infantil" role, scoped to Xichú."""
    return health_worker(django_user_model, "enfermera_xichu", [xichu])


@pytest.fixture
def health_worker_leon(db, django_user_model, leon):
    """The same role in León: must not see Xichú's children."""
    return health_worker(django_user_model, "enfermera_leon", [leon])


@pytest.fixture
def centre_xichu(xichu):
    """Xichú's (synthetic) health centre, the nearest to every test child."""
    from growth.models import Centre

    return Centre.objects.create(
        name="Centro de salud Xichú (sintético)",
        kind="SALUD",
        location=Point(-100.06, 21.30, srid=4326),
        municipio=xichu,
        synthetic=True,
    )


def make_child(municipio, *, sex="H", birth=dt.date(2025, 6, 30), at=XICHU_SPOT, code=None):
    """A consented child counted at `at` (no household: registered at a centre)."""
    from growth.actions import retention_date
    from growth.models import Child

    return Child.objects.create(
        code=code or f"T-{next(_codes):05d}",
        sex=sex,
        birth_date=birth,
        municipio=municipio,
        location=Point(*at, srid=4326),
        consent_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        privacy_notice_version="2026-01",
        caregiver_relationship="madre",
        retain_until=retention_date(birth),
    )


@pytest.fixture
def child_xichu(xichu, centre_xichu):
    """A boy born 30 June 2025 in Xichú, no measurement yet."""
    return make_child(xichu)
