"""works_map_workzone: the precomputed zone membership the all-zones investment table aggregates through.

Database triggers keep it exact; these tests move works and reshape zones through the actions and
check the table against a fresh spatial join.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon
from django.db import connection

from priority_zones.actions import do_update_zone
from priority_zones.models import Zone
from works_map.actions import do_create_work, do_update_work
from works_map.models import Work, WorkZone

SPATIAL_JOIN = """
    SELECT z.id, w.id FROM priority_zones_zone z JOIN works_map_work w ON ST_Intersects(w.point, z.geom)
"""


def members() -> set[tuple[int, int]]:
    return set(WorkZone.objects.values_list("zone_id", "work_id"))


def spatial_join() -> set[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(SPATIAL_JOIN)
        return set(cursor.fetchall())


def square(x: float, y: float, half: float = 0.05) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((x - half, y - half, x + half, y + half)), srid=4326)


def test_a_new_work_joins_the_zones_holding_its_point(work_well_xichu, zap_xichu_2026, work_road_leon):
    assert members() == {(zap_xichu_2026.pk, work_well_xichu.pk)} == spatial_join()


def test_membership_follows_a_work_moved_through_do_update_work(work_well_xichu, zap_xichu_2026, leon):
    do_update_work(work_well_xichu, geom=Point(-101.68, 21.12, srid=4326), municipio=leon)  # to León
    assert members() == set() == spatial_join()
    do_update_work(work_well_xichu, geom=LineString((-100.06, 21.3), (-100.04, 21.3), srid=4326))
    assert members() == {(zap_xichu_2026.pk, work_well_xichu.pk)} == spatial_join()


def test_membership_follows_a_zone_reshaped_through_do_update_zone(zap_xichu_2026, work_well_xichu, leon):
    do_update_zone(zap_xichu_2026, geom=leon.geom)
    assert members() == set() == spatial_join()
    do_update_zone(zap_xichu_2026, geom=square(work_well_xichu.geom.x, work_well_xichu.geom.y))
    assert members() == {(zap_xichu_2026.pk, work_well_xichu.pk)} == spatial_join()


def test_a_zone_edit_that_keeps_the_shape_keeps_the_membership(zap_xichu_2026, work_well_xichu):
    do_update_zone(zap_xichu_2026, name="ZAP Xichú (renombrada)")
    do_update_work(work_well_xichu, name="Red de agua (renombrada)")
    assert members() == {(zap_xichu_2026.pk, work_well_xichu.pk)}


def test_overlapping_zones_each_hold_the_work_and_bulk_updates_are_followed(zap_xichu_2026, work_well_xichu):
    p = work_well_xichu.geom
    box = Zone.objects.create(kind="DRAWN", fiscal_year=2026, name="Caja", geom=square(p.x, p.y))
    assert members() == {(zap_xichu_2026.pk, work_well_xichu.pk), (box.pk, work_well_xichu.pk)}
    Work.objects.filter(pk=work_well_xichu.pk).update(geom=Point(-101.68, 21.12, srid=4326))  # no ORM save
    assert members() == set() == spatial_join()


def test_deleting_a_work_or_a_zone_deletes_its_memberships(
    zap_xichu_2026, work_well_xichu, xichu, water_category
):
    other = do_create_work(
        folio="OTRA",
        fiscal_year=2026,
        name="Otra obra",
        category=water_category,
        geom=Point(-100.05, 21.3, srid=4326),
        municipio=xichu,
        amount_approved=Decimal("1"),
    )
    assert len(members()) == 2
    work_well_xichu.delete()
    assert members() == {(zap_xichu_2026.pk, other.pk)}
    zap_xichu_2026.delete()
    assert members() == set()


def test_membership_equals_the_spatial_join_on_the_real_data(zap_rural_2026_real, shcp_works):
    expected = spatial_join()
    assert len(expected) > 50
    assert members() == expected
