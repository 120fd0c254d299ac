"""Every change to a zone or a work keeps a version (who, when, what); a revert goes through the action."""

from __future__ import annotations

from django.urls import reverse

from tests.places import box, make_zone
from tests.planning.conftest import zone_payload


def test_each_save_of_a_zone_keeps_a_version_with_who_and_what(client, planner_leon, leon):
    from gis_core.models import Version

    client.force_login(planner_leon)
    client.post(reverse("planning:zone-create"), zone_payload(leon, name="Colonia Las Joyas"))
    zone = leon.zones.model.objects.get(name="Colonia Las Joyas")
    moved = box(-101.70, 21.10, -101.65, 21.16)
    client.post(
        reverse("planning:zone-edit", args=[zone.pk]),
        zone_payload(zone, name="Las Joyas", geom=moved.geojson),
    )
    versions = list(Version.objects.filter(model="priority_zones.zone", object_id=zone.pk).order_by("number"))
    assert [(v.number, v.change, v.user) for v in versions] == [
        (1, "CREATE", planner_leon),
        (2, "UPDATE", planner_leon),
    ]
    assert versions[1].changed_fields == ["geom", "name"]

    page = client.get(reverse("planning:versions", args=["zone", zone.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Colonia Las Joyas" in text and "Las Joyas" in text and "geometría nueva" in text
    geometries = page.context["geometries"]
    assert geometries[0]["version"] == 2 and geometries[0]["new"]["type"] == "MultiPolygon"


def test_a_revert_restores_the_geometry_bumps_the_tiles_and_is_itself_a_version(
    client, planner_leon, leon, django_capture_on_commit_callbacks
):
    from django.contrib.gis.geos import GEOSGeometry

    from gis_core.models import Version
    from gis_core.versions import layer_version
    from priority_zones.actions import do_update_zone

    zone = make_zone(leon, name="Zona a revertir", published=False)
    original = zone.geom.clone()
    do_update_zone(zone, acting_user=planner_leon, geom=box(-101.75, 21.05, -101.70, 21.08))
    client.force_login(planner_leon)
    before = layer_version("zones")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("planning:revert", args=["zone", zone.pk, 1]))
    assert response.status_code == 302
    zone.refresh_from_db()
    assert zone.geom.equals_exact(GEOSGeometry(original.geojson, srid=4326), 1e-9)
    assert layer_version("zones") > before
    latest = (
        Version.objects.filter(model="priority_zones.zone", object_id=zone.pk).order_by("-number").first()
    )
    assert (latest.number, latest.change, latest.changed_fields) == (3, "REVERT", ["geom"])
    assert "versión 1" in latest.note


def test_reverting_to_the_current_state_is_a_clear_400(client, planner_leon, leon):
    zone = make_zone(leon, name="Sin cambios", published=False)
    client.force_login(planner_leon)
    response = client.post(reverse("planning:revert", args=["zone", zone.pk, 1]))
    assert response.status_code == 400 and "ya está como en la versión 1" in response.content.decode()


def test_a_work_change_and_its_revert_are_versions_too(client, planner_leon, leon, water_category):
    from gis_core.models import Version
    from tests.places import make_work
    from tests.planning.conftest import work_payload

    work = make_work(leon, water_category, folio="LEO-V-1", published=True, point=(-101.65, 21.15))
    client.force_login(planner_leon)
    client.post(
        reverse("planning:work-edit", args=[work.pk]),
        work_payload(work, water_category, amount_approved="7.50"),
    )
    work.refresh_from_db()
    assert str(work.amount_approved) == "7.50"
    assert client.post(reverse("planning:revert", args=["work", work.pk, 1])).status_code == 302
    work.refresh_from_db()
    assert str(work.amount_approved) == "100000.00" and work.name == "Obra LEO-V-1"
    assert list(
        Version.objects.filter(model="works_map.work", object_id=work.pk).values_list("change", flat=True)
    ) == [
        "REVERT",
        "UPDATE",
        "CREATE",
    ]


def test_an_analyst_reads_versions_but_cannot_revert(client, analyst, planner_leon, leon):
    from priority_zones.actions import do_update_zone

    zone = make_zone(leon, name="Zona vista", published=True)
    do_update_zone(zone, acting_user=planner_leon, name="Zona vista 2")
    client.force_login(analyst)
    page = client.get(reverse("planning:versions", args=["zone", zone.pk]))
    assert page.status_code == 200 and "Revertir" not in page.content.decode()
    assert client.post(reverse("planning:revert", args=["zone", zone.pk, 1])).status_code == 403


def test_a_deletion_leaves_its_last_state_in_the_history(client, supervisor_leon, leon):
    from gis_core.models import Version

    zone = make_zone(leon, name="Zona borrada", published=True)
    client.force_login(supervisor_leon)
    assert client.post(reverse("planning:zone-delete", args=[zone.pk])).status_code == 302
    last = Version.objects.filter(model="priority_zones.zone", object_id=zone.pk).order_by("-number").first()
    assert last.change == "DELETE" and last.state["name"] == "Zona borrada" and last.user == supervisor_leon


def test_a_zone_takes_a_bare_polygon_and_refuses_a_line_with_a_reason(client, planner_leon, leon):
    from django.contrib.gis.geos import LineString, Polygon

    from priority_zones.models import Zone

    client.force_login(planner_leon)
    square = Polygon.from_bbox((-101.7, 21.1, -101.69, 21.11))
    ok = client.post(reverse("planning:zone-create"), zone_payload(leon, name="Cuadro", geom=square.geojson))
    assert ok.status_code == 302 and Zone.objects.get(name="Cuadro").geom.num_geom == 1
    line = LineString((-101.7, 21.1), (-101.69, 21.11))
    refused = client.post(
        reverse("planning:zone-create"),
        zone_payload(leon, name="Línea", geom=line.geojson),
        HTTP_ACCEPT="application/json",
    )
    assert refused.status_code == 400 and "polígono" in refused.json()["detail"]
    garbage = client.post(reverse("planning:zone-create"), zone_payload(leon, geom="{not json"))
    assert garbage.status_code == 400 and "GeoJSON ni WKT" in garbage.content.decode()


def test_a_buffer_refuses_bad_input_with_the_parameter_named(client, planner_leon):
    client.force_login(planner_leon)
    url = reverse("planning:buffer")
    line = {"type": "LineString", "coordinates": [[-101.7, 21.1], [-101.69, 21.1]]}
    ok = client.post(url, {"geometry": line, "metres": 100}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["geometry"]["type"] == "Polygon"
    for body, word in [
        ({"geometry": line, "metres": 0}, "metres"),
        ({"geometry": line, "metres": "x"}, "metres"),
        ({"geometry": {"type": "Point", "coordinates": [-101.7, 21.1]}, "metres": 10}, "geometry"),
        (
            {
                "geometry": {"type": "LineString", "coordinates": [[21.1, -101.7], [21.2, -101.7]]},
                "metres": 10,
            },
            "orden",
        ),
    ]:
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 400 and word in response.json()["detail"]
    assert client.post(url, b"{oops", content_type="application/json").status_code == 400


def test_the_history_of_an_unknown_kind_of_object_is_a_404(client, planner_leon, work_road_leon):
    # Before, any kind other than "work" was read as a zone id.
    client.force_login(planner_leon)
    assert client.get(f"/planeacion/obra/{work_road_leon.pk}/versiones/").status_code == 404
    assert client.get(f"/planeacion/work/{work_road_leon.pk}/versiones/").status_code == 200
