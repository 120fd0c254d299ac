"""Staff actors with roles and scopes, and the objects the permission matrix acts on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.contrib.gis.geos import Point

from tests.browser.conftest import browser, visit  # noqa: F401  (Chromium fixtures for the map tests)
from tests.conftest import box

PASSWORD = "una-clave-larga-123"  # noqa: S105  (test accounts only)


def staff(django_user_model, username: str, role: str | None, municipios=(), agency=None):
    from works_map.models import UserScope

    user = django_user_model.objects.create_user(username, f"{username}@example.org", PASSWORD)
    if role:
        # get_or_create: a transactional test (browser) flushes the groups the migration made.
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    if municipios or agency:
        scope = UserScope.objects.create(user=user, agency=agency)
        scope.municipios.set(municipios)
    return user


@pytest.fixture
def media_root(settings, tmp_path):
    """Photos go to a throwaway MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def analyst(db, django_user_model, leon):
    """An analyst: reads drafts everywhere, writes nothing (a scope does not change that)."""
    return staff(django_user_model, "analista", "analyst", [leon])


@pytest.fixture
def planner_leon(db, django_user_model, leon):
    """A planner of León's municipal planning office: writes only inside León."""
    return staff(django_user_model, "planeador_leon", "planner", [leon])


@pytest.fixture
def supervisor_leon(db, django_user_model, leon):
    """León's supervisor: approves progress and deletes published objects, only inside León."""
    return staff(django_user_model, "supervisor_leon", "supervisor", [leon])


@pytest.fixture
def administrator(db, django_user_model):
    """An administrator by group (not a superuser): everything, everywhere."""
    return staff(django_user_model, "administrador", "administrator")


@pytest.fixture
def planner_sop(db, django_user_model, sop):
    """A planner of the state's SOP: scoped by agency, no municipio of its own."""
    return staff(django_user_model, "planeador_sop", "planner", agency=sop)


@pytest.fixture
def planner_without_scope(db, django_user_model):
    """A planner nobody has given a scope yet: writes nothing."""
    return staff(django_user_model, "planeador_sin_ambito", "planner")


@pytest.fixture
def nobody(db, django_user_model):
    """A logged-in account with no role (e.g. a citizen who registered somewhere else)."""
    return staff(django_user_model, "sin_papel", None)


def make_work(municipio, category, *, folio: str, published: bool, point: tuple[float, float]):
    from works_map.actions import do_create_work

    return do_create_work(
        folio=folio,
        fiscal_year=2026,
        name=f"Obra {folio}",
        category=category,
        geom=Point(*point, srid=4326),
        municipio=municipio,
        status="EN_EJECUCION",
        amount_approved=Decimal("100000.00"),
        published=published,
    )


def make_zone(municipio, *, name: str, published: bool):
    from priority_zones.actions import do_create_zone

    x0, y0, x1, y1 = municipio.geom.extent
    return do_create_zone(
        kind="DRAWN",
        fiscal_year=2026,
        name=name,
        municipio=municipio,
        geom=box(x0 + 0.05, y0 + 0.05, x0 + 0.1, y0 + 0.1),
        status="PUBLISHED" if published else "DRAFT",
    )


def make_report(work, author):
    from works_map.actions import do_record_progress

    return do_record_progress(
        work,
        reported_on=dt.date(2026, 3, 1),
        physical_pct=Decimal("55"),
        financial_pct=Decimal("40"),
        acting_user=author,
    )


def work_payload(work_or_municipio, category, **overrides) -> dict:
    """A complete, valid work form for a municipio (a work's own values when given a work)."""
    from works_map.models import Work

    if isinstance(work_or_municipio, Work):
        w = work_or_municipio
        data = {
            "folio": w.folio,
            "fiscal_year": w.fiscal_year,
            "name": w.name + " (cambio)",
            "category": w.category_id,
            "municipio": w.municipio_id,
            "status": w.status,
            "amount_approved": str(w.amount_approved),
            "geom": w.geom.geojson,
        }
        if w.published:
            data["published"] = "on"
    else:
        m = work_or_municipio
        c = m.geom.point_on_surface
        data = {
            "folio": f"NEW-{m.cvegeo}",
            "fiscal_year": 2026,
            "name": "Obra nueva",
            "category": category.pk,
            "municipio": m.pk,
            "status": "PLANEACION",
            "amount_approved": "5000.00",
            "geom": Point(c.x, c.y, srid=4326).geojson,
        }
    data.update(overrides)
    return data


def zone_payload(zone_or_municipio, **overrides) -> dict:
    from priority_zones.models import Zone

    if isinstance(zone_or_municipio, Zone):
        z = zone_or_municipio
        data = {
            "name": z.name + " (cambio)",
            "kind": z.kind,
            "fiscal_year": z.fiscal_year,
            "status": z.status,
            "municipio": z.municipio_id or "",
            "geom": z.geom.geojson,
        }
    else:
        m = zone_or_municipio
        x0, y0, _x1, _y1 = m.geom.extent
        data = {
            "name": "Zona nueva",
            "kind": "DRAWN",
            "fiscal_year": 2026,
            "status": "DRAFT",
            "municipio": "",
            "geom": box(x0 + 0.01, y0 + 0.01, x0 + 0.03, y0 + 0.03).geojson,
        }
    data.update(overrides)
    return data


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hundreds of accounts are created here; the slow production hasher adds nothing to these tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
