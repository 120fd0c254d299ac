"""Every write path x actor x the object's place before and after the write, from one table.

Issue 13: the scope check must cover both the object as stored and the object as it will stand, on
every path that writes (forms, imports, revert, admin). Places: "leon" and "xichu" are where a work or
zone stands (municipio and geometry); "+sop" adds the SOP agency to a work; None means the object
does not exist (before: a create; after: a delete). For a revert, "before" is where the object
stands now and "after" where the restored version put it.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.contrib.gis.geos import Point
from django.urls import reverse

from tests.actors import staff
from tests.gis_core.test_admin import _post_data_of
from tests.places import box, make_work
from tests.planning.conftest import work_payload, zone_payload

OK, NO = "allowed", "refused"

MATRIX = [
    # path, actor, before, after, expected
    ("work_form", "planner_leon", None, "leon", OK),
    ("work_form", "planner_leon", None, "xichu", NO),
    ("work_form", "planner_leon", "leon", "leon", OK),
    ("work_form", "planner_leon", "leon", "xichu", NO),  # moving a work out of one's scope
    ("work_form", "planner_leon", "xichu", "leon", NO),  # taking over someone else's work
    ("work_form", "admin_user", "leon", "xichu", OK),
    ("work_form", "planner_sop", "xichu+sop", "leon+sop", OK),  # the agency keeps it in scope
    ("work_form", "planner_sop", "xichu+sop", "xichu", NO),  # dropping one's own agency
    ("zone_form", "planner_leon", None, "leon", OK),
    ("zone_form", "planner_leon", None, "xichu", NO),
    ("zone_form", "planner_leon", "leon", "xichu", NO),
    ("zone_form", "admin_user", "leon", "xichu", OK),
    ("import_works", "planner_leon", None, "leon", OK),
    ("import_works", "planner_leon", None, "xichu", NO),
    ("import_works", "planner_leon", "leon", "leon", OK),
    ("import_works", "planner_leon", "xichu", "leon", NO),  # issue 13a: a Xichú folio, a León point
    ("import_works", "admin_user", "xichu", "leon", OK),
    ("import_zones", "planner_leon", None, "leon", OK),
    ("import_zones", "planner_leon", "xichu", "leon", NO),  # the key matches a Xichú zone
    ("import_zones", "admin_user", "xichu", "leon", OK),
    ("revert_work", "planner_leon", "leon", "xichu", NO),  # issue 13b: the version stood in Xichú
    ("revert_work", "admin_user", "leon", "xichu", OK),
    ("revert_zone", "planner_leon", "leon", "xichu", NO),
    ("revert_zone", "planner_leon", "leon", "leon", OK),
    ("admin_change_work", "admin_user", "leon", "xichu", OK),
    ("admin_change_work", "planner_leon_staff", "leon", "leon", OK),
    ("admin_change_work", "planner_leon_staff", "leon", "xichu", NO),
    ("admin_change_zone", "planner_leon_staff", "leon", "xichu", NO),
    ("admin_change_zone", "admin_user", "leon", "xichu", OK),
    ("admin_delete_work", "supervisor_leon_staff", "leon", None, OK),
    ("admin_delete_work", "supervisor_leon_staff", "xichu", None, NO),
    ("admin_delete_zone", "supervisor_leon_staff", "xichu", None, NO),
    ("admin_delete_zone", "admin_user", "xichu", None, OK),
]

POINTS = {"leon": (-101.65, 21.15), "xichu": (-100.05, 21.3)}
BOXES = {"leon": (-101.75, 21.05, -101.70, 21.08), "xichu": (-100.1, 21.25, -100.05, 21.3)}
FOLIO, ZONE_NAME = "MATRIZ-1", "Zona de la matriz"


@pytest.fixture
def world(request, leon, xichu, sop, water_category, db):
    return {"leon": leon, "xichu": xichu, "sop": sop, "category": water_category}


def _staff_in_admin(django_user_model, name: str, role: str, municipio):
    user = staff(django_user_model, name, role, [municipio])
    user.is_staff = True
    user.save()
    codenames = [f"{verb}_{model}" for verb in ("view", "change", "delete") for model in ("work", "zone")]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def _actor(request, name: str, django_user_model, leon):
    if name.endswith("_staff"):
        role = name.split("_")[0]
        return _staff_in_admin(django_user_model, name, role, leon)
    return request.getfixturevalue(name)


def _work_at(place: str, world):
    from works_map.actions import do_update_work

    where = place.split("+")[0]
    work = make_work(world[where], world["category"], folio=FOLIO, published=False, point=POINTS[where])
    if place.endswith("+sop"):
        do_update_work(work, agencies=[(world["sop"], "EJECUTORA")])
    return work


def _zone_at(place: str, world):
    from priority_zones.actions import do_create_zone

    return do_create_zone(
        kind="ZONA_IMPULSO", fiscal_year=2026, name=ZONE_NAME, municipio=world[place], geom=box(*BOXES[place])
    )


def _place_of(obj) -> str | None:
    from priority_zones.models import Zone
    from works_map.models import Work

    model = type(obj)
    stored = model.objects.filter(pk=obj.pk).first() if obj.pk else None
    if stored is None and obj.pk is None:
        stored = (
            Work.objects.filter(folio=FOLIO).first()
            if model is Work
            else Zone.objects.filter(name=ZONE_NAME).first()
        )
    if stored is None:
        return None
    place = "leon" if stored.geom.point_on_surface.x < -101 else "xichu"
    if model is Work and stored.agency_roles.filter(agency__acronym="SOP").exists():
        place += "+sop"
    return place


def _import(tmp_path, target: str, user, world, after: str):
    from planning import imports

    if target == "works":
        lon, lat = POINTS[after]
        text = f"folio,nombre,longitud,latitud,ejercicio\n{FOLIO},Obra importada,{lon},{lat},2026\n"
        options = imports.Options(target="works", mode="valid", category_code=world["category"].code)
    else:
        x0, y0, x1, y1 = BOXES[after]
        wkt = f"POLYGON(({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y0}))"
        text = f'nombre,wkt\n"{ZONE_NAME}","{wkt}"\n'
        options = imports.Options(target="zones", mode="valid", fiscal_year=2026)
    path = tmp_path / f"{target}.csv"
    path.write_text(text, encoding="utf-8")
    outcome, _table = imports.run_import(path, options, acting_user=user)
    return outcome


def _attempt(path: str, client, user, before, after, world, tmp_path):
    """Drive one write path; returns the object (possibly unsaved, for a refused create)."""
    from priority_zones.models import Zone
    from works_map.models import Work

    is_work = "work" in path
    obj = None
    if before is not None:
        obj = _work_at(before, world) if is_work else _zone_at(before, world)
    client.force_login(user)
    if path.startswith("import_"):
        outcome = _import(tmp_path, path.removeprefix("import_"), user, world, after)
        if outcome.rejected:
            assert [r.reason for r in outcome.rejected] == ["fuera de su ámbito de trabajo"]
        return obj or (Work() if is_work else Zone())
    if path.startswith("revert_"):
        from priority_zones.actions import do_update_zone
        from works_map.actions import do_update_work

        # Version 1 stands in `after` (created there by the system), version 2 in `before`.
        obj.delete()
        restored = _work_at(after, world) if is_work else _zone_at(after, world)
        if is_work:
            do_update_work(restored, municipio=world[before], geom=Point(*POINTS[before], srid=4326))
        else:
            do_update_zone(restored, municipio=world[before], geom=box(*BOXES[before]))
        client.post(reverse("planning:revert", args=["work" if is_work else "zone", restored.pk, 1]))
        return restored
    if path == "work_form":
        target = world[after.split("+")[0]]
        payload = work_payload(obj, world["category"]) if obj else work_payload(target, world["category"])
        payload.update(
            folio=FOLIO, municipio=target.pk, geom=Point(*POINTS[after.split("+")[0]], srid=4326).geojson
        )
        agencies = [world["sop"]] if after.endswith("+sop") else []
        payload.update({"agencies-TOTAL_FORMS": str(len(agencies)), "agencies-INITIAL_FORMS": "0"})
        for i, agency in enumerate(agencies):
            payload.update({f"agencies-{i}-agency": agency.pk, f"agencies-{i}-role": "EJECUTORA"})
        url = reverse("planning:work-edit", args=[obj.pk]) if obj else reverse("planning:work-create")
        client.post(url, payload)
        return obj or Work()
    if path == "zone_form":
        payload = zone_payload(obj) if obj else zone_payload(world[after])
        payload.update(name=ZONE_NAME, municipio=world[after].pk, geom=box(*BOXES[after]).geojson)
        url = reverse("planning:zone-edit", args=[obj.pk]) if obj else reverse("planning:zone-create")
        client.post(url, payload)
        return obj or Zone()
    model = Work if is_work else Zone
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    if path.startswith("admin_delete"):
        client.post(reverse(f"{name}_delete", args=[obj.pk]), {"post": "yes"})
        return obj
    data = _post_data_of(client.get(reverse(f"{name}_change", args=[obj.pk])))
    data.update(municipio=world[after].pk)
    data["geom"] = (Point(*POINTS[after], srid=4326) if is_work else box(*BOXES[after])).ewkt
    client.post(reverse(f"{name}_change", args=[obj.pk]), data)
    return obj


@pytest.mark.parametrize(("path", "actor", "before", "after", "expected"), MATRIX)
def test_a_write_happens_only_where_the_actor_may_act_before_and_after(
    request, client, django_user_model, world, tmp_path, path, actor, before, after, expected
):
    user = _actor(request, actor, django_user_model, world["leon"])
    obj = _attempt(path, client, user, before, after, world, tmp_path)
    assert _place_of(obj) == (after if expected == OK else before)
