"""One gate for household data: roles, scope, purpose, and a log row for every read."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from priority_zones import access
from priority_zones.actions import do_compute_diagnostics
from priority_zones.models import AccessLog
from tests.places import make_household

PURPOSE = {"proposito": "Verificación de padrón del programa de vivienda"}


@pytest.fixture
def household_leon(leon, poverty_lines):
    """A household in León: outside the Xichú analyst's scope."""
    return make_household(leon, -101.7, 21.1)


def test_superuser_and_scoped_analyst_may_read_and_each_read_is_logged(
    admin_user, analyst_xichu, household_xichu, household_leon
):
    assert {h.pk for h in access.read_households(admin_user, purpose=PURPOSE["proposito"])} == {
        household_xichu.pk,
        household_leon.pk,
    }
    assert [h.pk for h in access.read_households(analyst_xichu, purpose=PURPOSE["proposito"])] == [
        household_xichu.pk
    ]
    log = AccessLog.objects.filter(user=analyst_xichu).get()
    assert (
        log.action == "LIST"
        and log.object_ids == [household_xichu.pk]
        and log.purpose == PURPOSE["proposito"]
    )


def test_the_gate_refuses_anonymous_citizens_and_staff_without_scope(
    citizen, staff_without_scope, household_xichu
):
    from django.contrib.auth.models import AnonymousUser

    for user in (AnonymousUser(), citizen, staff_without_scope):
        with pytest.raises(PermissionDenied):
            access.scoped_households(user)
    assert AccessLog.objects.count() == 0


def test_a_read_without_purpose_is_refused_and_not_logged(analyst_xichu, household_xichu):
    with pytest.raises(access.PurposeRequired):
        access.read_household(analyst_xichu, household_xichu.pk, purpose="   ")
    assert AccessLog.objects.count() == 0


def test_the_detail_endpoint_serves_persons_in_scope_and_logs(
    client, analyst_xichu, household_xichu, household_leon
):
    do_compute_diagnostics([household_xichu])
    client.force_login(analyst_xichu)
    response = client.get(reverse("priority_zones:household-detail", args=[household_xichu.pk]), PURPOSE)
    assert response.status_code == 200
    body = response.json()
    assert body["folio"] == household_xichu.folio and body["persons"][0]["relationship"] == "JEFE"
    assert body["diagnostic"]["poverty_class"] == "NO_POBRE"
    out_of_scope = client.get(reverse("priority_zones:household-detail", args=[household_leon.pk]), PURPOSE)
    assert out_of_scope.status_code == 404
    assert AccessLog.objects.filter(user=analyst_xichu, action="DETAIL").count() == 1


def test_the_list_endpoint_needs_a_purpose(client, analyst_xichu, household_xichu):
    client.force_login(analyst_xichu)
    response = client.get(reverse("priority_zones:household-list"))
    assert response.status_code == 400
    assert "proposito" in response.json()["detail"]


def test_access_log_is_visible_to_administrators_only(client, admin_user, analyst_xichu, household_xichu):
    access.read_households(analyst_xichu, purpose=PURPOSE["proposito"])
    client.force_login(admin_user)
    assert client.get(reverse("admin:priority_zones_accesslog_changelist")).status_code == 200
    client.force_login(analyst_xichu)
    assert client.get(reverse("admin:priority_zones_accesslog_changelist")).status_code in (302, 403)


@pytest.mark.parametrize("who", ["anonymous", "citizen", "staff_without_scope"])
def test_household_endpoints_answer_403_and_leak_nothing(request, client, who, household_xichu):
    do_compute_diagnostics([household_xichu])
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    secrets = [household_xichu.folio, f"{household_xichu.location.x}", f"{household_xichu.location.y}"]
    for url in (
        reverse("priority_zones:household-list"),
        reverse("priority_zones:household-detail", args=[household_xichu.pk]),
    ):
        response = client.get(url, PURPOSE)
        assert response.status_code == 403, url
        text = response.content.decode()
        assert not any(s in text for s in secrets)
    # The public aggregate endpoints never carry household identifiers or points either.
    for url, params in (
        (reverse("works_map:need-investment"), {"year": 2026}),
        (reverse("works_map:need-investment"), {"year": 2026, "format": "csv"}),
        (
            reverse("priority_zones:need-summary"),
            {
                "geom": json.dumps(
                    {
                        "type": "Polygon",
                        "coordinates": [[[-100.2, 21.2], [-99.9, 21.2], [-99.9, 21.4], [-100.2, 21.2]]],
                    }
                )
            },
        ),
    ):
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.content[:300])
        text = response.content.decode()
        assert not any(s in text for s in secrets)
    assert AccessLog.objects.count() == 0
