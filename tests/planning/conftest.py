"""Payload builders for the planner's forms, the Chromium fixtures its map tests use, and settings for
the planning tests. The actors and places they act on are in tests/actors.py and tests/places.py."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point

from tests.browser.conftest import browser, visit  # noqa: F401  (Chromium fixtures for the map tests)
from tests.places import box


@pytest.fixture
def media_root(settings, tmp_path):
    """Photos go to a throwaway MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


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
