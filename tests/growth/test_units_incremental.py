"""The disclosure units refreshed per 5 km square after each write equal a refresh of everything:
measurements, a same-day class change, screenings, an import, an erasure and the retention purge, on
children spread over several 1 km and 5 km squares (some cells just under and just over 10)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection

from growth.actions import (
    do_erase_child,
    do_import_measurements,
    do_purge_expired,
    do_record_measurement,
    refresh_units,
    refresh_units_at,
)
from growth.models import Child, GrowthUnit

from .conftest import TODAY, make_child

# Points in Xichú: a dense 1 km cell, a sparse cell pooled into its 5 km square, and a far square.
DENSE = (-100.0500, 21.3000)
SPARSE = (-100.0300, 21.3150)
FAR = (-100.1800, 21.2200)
FIELDS = [f.attname for f in GrowthUnit._meta.fields]


def stored_units() -> list[tuple]:
    return sorted(GrowthUnit.objects.values_list(*FIELDS))


def full_units() -> list[tuple]:
    """What a refresh of everything gives, computed in a savepoint and rolled back."""
    with connection.cursor() as cursor:
        cursor.execute("SAVEPOINT full_units")
        refresh_units()
        everything = stored_units()
        cursor.execute("ROLLBACK TO SAVEPOINT full_units")
    return everything


def values(day: int, height: str = "75.7") -> dict:
    return {"fecha_medicion": f"2026-06-{day:02d}", "peso_kg": "9.6", "talla_cm": height, "posicion": "L"}


@pytest.fixture
def spread(xichu, centre_xichu, health_worker_xichu, settings):
    settings.GROWTH_REFRESH_ON_WRITE = True
    rng = random.Random(7)  # noqa: S311 - fixed test positions
    children = []
    for centre, n, spread_deg in ((DENSE, 12, 0.002), (SPARSE, 9, 0.004), (FAR, 11, 0.003)):
        for _ in range(n):
            at = (centre[0] + rng.uniform(0, spread_deg), centre[1] + rng.uniform(0, spread_deg))
            children.append(make_child(xichu, at=at))
    for child in children:
        do_record_measurement(child, values(1), health_worker_xichu, today=TODAY)
    return children


def test_each_write_leaves_the_units_a_full_refresh_would(spread, health_worker_xichu, xichu):
    assert stored_units() == full_units() and len(stored_units()) >= 2

    # A second measurement that makes a child stunted changes its unit's counts.
    do_record_measurement(spread[0], values(20, "66.0"), health_worker_xichu, today=TODAY)
    assert stored_units() == full_units()

    # A new child in the sparse cell: 10 there, so it may become a 1 km unit of its own.
    extra = make_child(xichu, at=(SPARSE[0] + 0.0005, SPARSE[1] + 0.0005))
    do_record_measurement(extra, values(2), health_worker_xichu, today=TODAY)
    assert stored_units() == full_units()

    # An import of measurements for children of two squares.
    csv = "clave,fecha_medicion,peso_kg,talla_cm,posicion\n" + "".join(
        f"{c.code},2026-06-25,9.9,76.0,L\n" for c in (spread[3], spread[-1])
    )
    report = do_import_measurements(csv.encode(), health_worker_xichu, today=TODAY)
    assert report.errors == [] and report.created == 2
    assert stored_units() == full_units()

    # Erasing a child of the dense cell drops it to 11, then to 10, then below: pooled or gone.
    for child in spread[1:4]:
        do_erase_child(Child.objects.get(pk=child.pk), health_worker_xichu)
        assert stored_units() == full_units()


def test_the_retention_purge_refreshes_the_squares_of_the_children_it_erases(spread):
    Child.objects.filter(pk__in=[c.pk for c in spread[-3:]]).update(retain_until=dt.date(2026, 1, 1))
    assert do_purge_expired(TODAY) == 3
    assert stored_units() == full_units()


def test_a_write_recomputes_only_its_own_square(spread, health_worker_xichu):
    far = [u for u in GrowthUnit.objects.all() if u.centre.x < -100.15]
    assert far, "the far square has a unit"
    with connection.cursor() as cursor:  # tamper with the far unit: a write elsewhere leaves it be
        cursor.execute("UPDATE growth_growthunit SET screened = 99 WHERE unit = %s", [far[0].unit])
    do_record_measurement(spread[0], values(21), health_worker_xichu, today=TODAY)
    assert GrowthUnit.objects.get(unit=far[0].unit).screened == 99
    assert refresh_units_at([spread[-1].location]) == 1  # its own square: recomputed
    assert GrowthUnit.objects.get(unit=far[0].unit).screened == 0


def test_with_refresh_on_write_off_the_units_wait_for_the_timer(spread, health_worker_xichu, settings):
    settings.GROWTH_REFRESH_ON_WRITE = False
    before = stored_units()
    do_record_measurement(spread[0], values(22, "66.0"), health_worker_xichu, today=TODAY)
    assert stored_units() == before != full_units()
    refresh_units()
    assert stored_units() != before
