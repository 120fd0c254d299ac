"""Every role x object (in/out of scope, draft/published) x action, through HTTP.

The expectation is written out here independently of gis_core.access, so a change of the rules there
that this table does not share makes a cell fail.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.places import make_report, make_work, make_zone
from tests.planning.conftest import work_payload, zone_payload

ROLES = ["anonymous", "nobody", "analyst", "planner_leon", "supervisor_leon", "admin_user"]
ACTIONS = [
    "view_work",
    "view_zone",
    "create_work",
    "change_work",
    "delete_work",
    "create_zone",
    "change_zone",
    "delete_zone",
    "record_progress",
    "approve_progress",
]

ALLOWED, DENIED, HIDDEN, LOGIN = "allowed", "denied", "hidden", "login"


def expected(role: str, action: str, in_scope: bool, draft: bool) -> str:
    if action.startswith("view"):
        return ALLOWED if not draft or role not in ("anonymous", "nobody") else HIDDEN
    if role == "anonymous":
        return LOGIN
    if role == "nobody" and action == "approve_progress":
        return HIDDEN  # pending reports are not public
    if role == "nobody" and draft and not action.startswith("create"):
        return HIDDEN  # a draft does not exist for someone without a role
    if role == "admin_user":
        return ALLOWED
    if role in ("nobody", "analyst"):
        return DENIED
    if action == "approve_progress":
        return ALLOWED if role == "supervisor_leon" and in_scope else DENIED
    if action.startswith("delete") and role == "planner_leon":
        return ALLOWED if in_scope and draft else DENIED
    return ALLOWED if in_scope else DENIED


@pytest.fixture
def actor(request, client, db):
    role = request.param
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return role


@pytest.mark.parametrize("draft", [False, True], ids=["published", "draft"])
@pytest.mark.parametrize("in_scope", [True, False], ids=["in_scope", "out_of_scope"])
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("actor", ROLES, indirect=True)
def test_permission_matrix(
    actor, action, in_scope, draft, client, leon, xichu, water_category, planner_leon, django_user_model
):
    from priority_zones.models import Zone
    from works_map.models import ProgressReport, Work

    municipio = leon if in_scope else xichu
    work = make_work(municipio, water_category, folio="M-1", published=not draft, point=_inside(municipio))
    zone = make_zone(municipio, name="Zona de prueba", published=not draft)

    if action == "view_work":
        response = client.get(reverse("works_map:work", args=[work.pk]))
    elif action == "view_zone":
        response = client.get(reverse("works_map:zone", args=[zone.pk]))
    elif action == "create_work":
        response = client.post(reverse("planning:work-create"), work_payload(municipio, water_category))
    elif action == "change_work":
        response = client.post(
            reverse("planning:work-edit", args=[work.pk]), work_payload(work, water_category)
        )
    elif action == "delete_work":
        response = client.post(reverse("planning:work-delete", args=[work.pk]))
    elif action == "create_zone":
        response = client.post(reverse("planning:zone-create"), zone_payload(municipio))
    elif action == "change_zone":
        response = client.post(reverse("planning:zone-edit", args=[zone.pk]), zone_payload(zone))
    elif action == "delete_zone":
        response = client.post(reverse("planning:zone-delete", args=[zone.pk]))
    elif action == "record_progress":
        response = client.post(
            reverse("planning:progress", args=[work.pk]),
            {"reported_on": "2026-03-01", "physical_pct": "10", "financial_pct": "5"},
        )
    else:
        report = make_report(work, planner_leon)
        response = client.post(reverse("planning:progress-review", args=[report.pk]), {"decision": "approve"})

    want = expected(actor, action, in_scope, draft)
    if want == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/cuenta/entrar/")
    elif want == DENIED:
        assert response.status_code == 403
    elif want == HIDDEN:
        assert response.status_code == 404
    elif action.startswith("view"):
        assert response.status_code == 200
    else:
        assert response.status_code == 302, response.content.decode()[:2000]

    # The side effect happened exactly when allowed.
    done = want == ALLOWED
    if action == "create_work":
        assert Work.objects.filter(folio=f"NEW-{municipio.cvegeo}").exists() is done
    elif action == "change_work":
        assert Work.objects.get(pk=work.pk).name.endswith("(cambio)") is done
    elif action == "delete_work":
        assert Work.objects.filter(pk=work.pk).exists() is not done
    elif action == "create_zone":
        assert Zone.objects.filter(name="Zona nueva").exists() is done
    elif action == "change_zone":
        assert Zone.objects.get(pk=zone.pk).name.endswith("(cambio)") is done
    elif action == "delete_zone":
        assert Zone.objects.filter(pk=zone.pk).exists() is not done
    elif action == "record_progress":
        assert ProgressReport.objects.filter(work=work).exists() is done
    elif action == "approve_progress":
        assert ProgressReport.objects.get(work=work).state == ("APPROVED" if done else "PENDING")


def _inside(municipio) -> tuple[float, float]:
    c = municipio.geom.point_on_surface
    return (c.x, c.y)


IMPORT_EXPECTED = {
    "anonymous": LOGIN,
    "nobody": DENIED,
    "analyst": DENIED,
    "planner_leon": ALLOWED,
    "supervisor_leon": ALLOWED,
    "admin_user": ALLOWED,
}


@pytest.mark.parametrize("actor", ROLES, indirect=True)
def test_import_page_matrix(actor, client):
    response = client.get(reverse("planning:import"))
    want = IMPORT_EXPECTED[actor]
    if want == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/cuenta/entrar/")
    else:
        assert response.status_code == (200 if want == ALLOWED else 403)


@pytest.mark.parametrize("actor", ROLES, indirect=True)
def test_the_workspace_is_for_roles_only(actor, client):
    response = client.get(reverse("planning:workspace"))
    if actor == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == (403 if actor == "nobody" else 200)


def test_households_are_decided_by_their_own_gate(planner_leon, admin_user):
    from priority_zones import access as household_access

    # A planner role alone does not open household data; the household permission does (h5's gate).
    assert not household_access.may_view_households(planner_leon)
    assert household_access.may_view_households(admin_user)


def test_an_agency_planner_changes_the_works_their_agency_takes_part_in_only(
    client, planner_sop, work_well_xichu, work_road_leon, water_category
):
    from tests.planning.conftest import work_payload

    client.force_login(planner_sop)
    mine = client.post(
        reverse("planning:work-edit", args=[work_well_xichu.pk]),
        work_payload(work_well_xichu, water_category),
    )
    assert mine.status_code == 302
    other = client.post(
        reverse("planning:work-edit", args=[work_road_leon.pk]), work_payload(work_road_leon, water_category)
    )
    assert other.status_code == 403


def test_a_planner_without_scope_writes_nothing(client, planner_without_scope, leon, water_category):
    from tests.planning.conftest import work_payload, zone_payload

    client.force_login(planner_without_scope)
    assert client.post(reverse("planning:work-create"), work_payload(leon, water_category)).status_code == 403
    assert client.post(reverse("planning:zone-create"), zone_payload(leon)).status_code == 403


def test_a_planner_cannot_move_a_zone_out_of_their_scope(client, planner_leon, leon, xichu):
    from tests.places import make_zone
    from tests.planning.conftest import zone_payload

    zone = make_zone(leon, name="Zona de León", published=False)
    x0, y0, _x1, _y1 = xichu.geom.extent
    from tests.places import box

    moved = zone_payload(zone, municipio="", geom=box(x0 + 0.01, y0 + 0.01, x0 + 0.02, y0 + 0.02).geojson)
    client.force_login(planner_leon)
    assert client.post(reverse("planning:zone-edit", args=[zone.pk]), moved).status_code == 403
    zone.refresh_from_db()
    assert zone.geom.extent[0] < -101


def test_keeping_the_municipio_does_not_let_a_planner_move_a_work_or_zone_elsewhere(
    client, planner_leon, leon, xichu, water_category
):
    from tests.places import box, make_work, make_zone
    from tests.planning.conftest import work_payload, zone_payload

    zone = make_zone(leon, name="Zona de León", published=False)
    work = make_work(leon, water_category, folio="L-9", published=False, point=(-101.65, 21.15))
    far = xichu.geom.point_on_surface
    client.force_login(planner_leon)
    moved_zone = zone_payload(zone, geom=box(far.x, far.y, far.x + 0.01, far.y + 0.01).geojson)
    assert client.post(reverse("planning:zone-edit", args=[zone.pk]), moved_zone).status_code == 403
    moved_work = work_payload(work, water_category, geom=far.geojson)
    assert client.post(reverse("planning:work-edit", args=[work.pk]), moved_work).status_code == 403
