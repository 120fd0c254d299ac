from django.contrib.gis.geos import Point

from works_map.models import Work


def test_representative_point_of_a_point_work_is_the_point(work_well_xichu):
    work_well_xichu.refresh_from_db()
    assert work_well_xichu.point.equals(Point(-100.05, 21.3, srid=4326))


def test_representative_point_of_a_line_lies_on_the_line(work_road_leon):
    work_road_leon.refresh_from_db()
    assert work_road_leon.geom.distance(work_road_leon.point) < 1e-9


def test_oc4ids_status_follows_lifecycle(work_well_xichu):
    assert work_well_xichu.oc4ids_status == "implementation"
    assert Work.objects.get(pk=work_well_xichu.pk).agencies.get().acronym == "SOP"
