"""A work and a zone that covers it, inserted at the same moment by two transactions, must still
meet in works_map_workzone (and so in the investment table): the membership triggers serialise on
one advisory lock, and the second one, once the first has committed, sees its row."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.db import connection, transaction

from priority_zones.actions import do_create_zone
from works_map.actions import do_create_work
from works_map.models import WorkZone

SPOT = (-100.2, 21.1)


def _square(x: float, y: float, half: float) -> MultiPolygon:
    ring = (
        (x - half, y - half),
        (x + half, y - half),
        (x + half, y + half),
        (x - half, y + half),
        (x - half, y - half),
    )
    return MultiPolygon(Polygon(ring, srid=4326), srid=4326)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["work", "zone"])
def test_a_work_and_a_zone_inserted_at_once_still_meet(first, xichu, water_category):
    written = threading.Event()
    made: dict[str, int] = {}
    errors: list[BaseException] = []

    def add_work() -> None:
        made["work"] = do_create_work(
            folio="CONC-1",
            fiscal_year=2026,
            name="Obra concurrente",
            category=water_category,
            geom=Point(*SPOT, srid=4326),
            municipio=xichu,
            amount_approved=Decimal("10.00"),
        ).pk

    def add_zone() -> None:
        made["zone"] = do_create_zone(
            kind="DRAWN",
            fiscal_year=2026,
            name="Zona concurrente",
            geom=_square(*SPOT, 0.01),
            status="PUBLISHED",
        ).pk

    steps = {"work": add_work, "zone": add_zone}
    second = "zone" if first == "work" else "work"

    def run_first() -> None:
        try:
            with transaction.atomic():
                steps[first]()
                written.set()  # written, not committed: the other transaction starts now
                threading.Event().wait(0.5)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
            written.set()
        finally:
            connection.close()

    def run_second() -> None:
        try:
            written.wait(10)
            with transaction.atomic():
                steps[second]()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert WorkZone.objects.filter(work_id=made["work"], zone_id=made["zone"]).exists()
