"""Helpers and places for the tile tests: fetch a tile, decode it, and works placed on purpose."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import mapbox_vector_tile
import pytest
from django.contrib.auth.models import Permission
from django.contrib.gis.geos import Point
from django.core.cache import cache

from gis_core.tiles import TileCoord


@pytest.fixture(autouse=True)
def _empty_cache():
    """Tiles, versions and catalogues are cached: every test starts from a cold cache."""
    cache.clear()
    yield
    cache.clear()


def tile_url(layer: str, coord: TileCoord) -> str:
    return f"/tiles/{layer}/{coord.z}/{coord.x}/{coord.y}.mvt"


def features(response, layer: str) -> list[dict]:
    """The decoded features of `layer` in a tile response (204 = none)."""
    if response.status_code == 204:
        return []
    assert response.status_code == 200, response.content
    decoded = mapbox_vector_tile.decode(response.content)
    return decoded.get(layer, {}).get("features", [])


def fetch(client, layer: str, coord: TileCoord, **query) -> list[dict]:
    return features(client.get(tile_url(layer, coord), query), layer)


def neighbours(coord: TileCoord) -> list[TileCoord]:
    return [
        TileCoord(coord.z, coord.x + dx, coord.y + dy)
        for dx in (-1, 0, 1)
        for dy in (-1, 0, 1)
        if (dx, dy) != (0, 0)
    ]


@pytest.fixture
def works_cluster_xichu(work_well_xichu, xichu, water_category):
    """Three more works a few hundred metres from the well in Xichú: one cluster at low zoom."""
    from works_map.actions import do_create_work

    made = [work_well_xichu]
    for i, status in enumerate(("TERMINADA", "EN_EJECUCION", "PLANEACION"), start=2):
        made.append(
            do_create_work(
                folio=f"XIC-2026-00{i}",
                fiscal_year=2026,
                name=f"Obra {i} en Xichú",
                category=water_category,
                geom=Point(-100.05 + i * 0.001, 21.3 + i * 0.001, srid=4326),
                municipio=xichu,
                status=status,
                amount_approved=Decimal("100000.00"),
            )
        )
    return made


@pytest.fixture
def unpublished_work_leon(leon, water_category):
    """A draft work in León that no public tile may show."""
    from works_map.actions import do_create_work

    return do_create_work(
        folio="LEO-2026-999",
        fiscal_year=2026,
        name="Obra no publicada",
        category=water_category,
        geom=Point(-101.65, 21.2, srid=4326),
        municipio=leon,
        published=False,
    )


# --- households: twelve diagnosed in one spot, five alone, a planner scoped to Xichú -------------

CLUSTER = (-100.05, 21.30)  # twelve households within a few metres, in Xichú
LONELY = (-100.15, 21.38)  # five households more than 10 km away: never enough for a unit
_folios = itertools.count(1)


def diagnosed_household(municipio, lon, lat, **diagnosis):
    from priority_zones.models import Diagnostic, Household

    household = Household.objects.create(
        folio=f"TL-{next(_folios):05d}",
        survey_date=dt.date(2026, 3, 1),
        location=Point(lon, lat, srid=4326),
        municipio=municipio,
        ambito="R",
        consent=True,
    )
    Diagnostic.objects.create(
        household=household,
        methodology_version="TEST",
        poverty_class=diagnosis.pop("poverty_class", "NO_POBRE"),
        **diagnosis,
    )
    return household


@pytest.fixture
def households_xichu(xichu):
    """Twelve diagnosed households in one spot (4 lack basic services, 1 lacks food) and five alone."""
    from priority_zones.actions import refresh_disclosure_units

    made = []
    for i in range(12):
        made.append(
            diagnosed_household(
                xichu,
                CLUSTER[0] + i * 0.00001,
                CLUSTER[1],
                servicios_basicos=i < 4,
                alimentacion=i == 0,
                poverty_class="POBREZA_MODERADA" if i < 6 else "NO_POBRE",
            )
        )
    for i in range(5):
        made.append(diagnosed_household(xichu, LONELY[0] + i * 0.00001, LONELY[1], servicios_basicos=True))
    refresh_disclosure_units()
    return made


@pytest.fixture
def planner_xichu(db, django_user_model, xichu):
    """A planner allowed to see household data in Xichú only."""
    from works_map.models import UserScope

    user = django_user_model.objects.create_user("planner", "p@example.org", "una-clave-larga-123")
    user.user_permissions.add(Permission.objects.get(codename="view_household_data"))
    scope = UserScope.objects.create(user=user)
    scope.municipios.add(xichu)
    return user
