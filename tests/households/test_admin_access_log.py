"""The Django admin's household pages go through the household gate: scope, and an AccessLog row per read."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from priority_zones.actions import do_compute_diagnostics
from priority_zones.models import AccessLog, Diagnostic, Person
from tests.places import make_household


@pytest.fixture
def household_leon(leon, poverty_lines):
    """A household in León: outside the Xichú analyst's scope."""
    return make_household(leon, -101.7, 21.1)


@pytest.fixture
def staff_analyst_xichu(analyst_xichu):
    """The Xichú analyst with admin access (is_staff): household data of Xichú only."""
    analyst_xichu.is_staff = True
    analyst_xichu.save()
    return analyst_xichu


@pytest.fixture
def staff_without_permission(db, django_user_model, xichu):
    """Staff who may use the admin and has a scope, but not the household permission."""
    from works_map.models import UserScope

    user = django_user_model.objects.create_user(
        "editora", "e@example.org", "una-clave-larga-123", is_staff=True
    )
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_household", "view_person"]))
    UserScope.objects.create(user=user, note="Xichú").municipios.add(xichu)
    return user


def test_the_household_changelist_and_change_form_are_logged_with_ids_and_purpose(
    client, admin_user, household_xichu, household_leon
):
    client.force_login(admin_user)
    listed = client.get(
        reverse("admin:priority_zones_household_changelist"), {"ambito": "U", "proposito": "Auditoría 2026"}
    )
    assert listed.status_code == 200
    assert household_xichu.folio in listed.content.decode()  # the purpose is not taken for a filter
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.purpose) == (admin_user, "LIST", "admin: Auditoría 2026")
    assert log.object_ids == sorted([household_xichu.pk, household_leon.pk])
    assert log.query == "admin household changelist ?ambito=U"

    detail = client.get(reverse("admin:priority_zones_household_change", args=[household_xichu.pk]))
    assert detail.status_code == 200
    log = AccessLog.objects.latest("pk")
    assert (log.action, log.purpose, log.object_ids) == ("DETAIL", "admin", [household_xichu.pk])
    assert log.query == f"admin household {household_xichu.pk}"
    history = client.get(
        reverse("admin:priority_zones_household_history", args=[household_xichu.pk]),
        {"proposito": "Revisión"},
    )
    assert history.status_code == 200
    log = AccessLog.objects.latest("pk")
    assert (log.action, log.purpose, log.object_ids) == ("DETAIL", "admin: Revisión", [household_xichu.pk])
    assert log.query == f"admin household {household_xichu.pk} history"
    assert AccessLog.objects.count() == 3


def test_person_and_diagnostic_pages_log_the_households_they_show(client, admin_user, household_xichu):
    do_compute_diagnostics([household_xichu])
    person = Person.objects.get(household=household_xichu)
    diagnostic = Diagnostic.objects.get(household=household_xichu)
    client.force_login(admin_user)
    for url in (
        reverse("admin:priority_zones_person_changelist"),
        reverse("admin:priority_zones_person_change", args=[person.pk]),
        reverse("admin:priority_zones_diagnostic_changelist"),
        reverse("admin:priority_zones_diagnostic_change", args=[diagnostic.pk]),
    ):
        assert client.get(url).status_code == 200, url
    rows = list(AccessLog.objects.order_by("pk").values_list("action", "object_ids", "query"))
    assert rows == [
        ("LIST", [household_xichu.pk], "admin person changelist"),
        ("DETAIL", [household_xichu.pk], f"admin person {person.pk}"),
        ("LIST", [household_xichu.pk], "admin diagnostic changelist"),
        ("DETAIL", [household_xichu.pk], f"admin diagnostic {diagnostic.pk}"),
    ]


def test_a_scoped_analyst_sees_and_logs_only_the_households_of_the_scope(
    client, staff_analyst_xichu, household_xichu, household_leon
):
    client.force_login(staff_analyst_xichu)
    listed = client.get(reverse("admin:priority_zones_household_changelist"))
    assert listed.status_code == 200
    html = listed.content.decode()
    assert household_xichu.folio in html and household_leon.folio not in html
    assert AccessLog.objects.get().object_ids == [household_xichu.pk]
    outside = client.get(reverse("admin:priority_zones_household_change", args=[household_leon.pk]))
    assert outside.status_code == 302  # the admin's "does not exist": nothing shown, nothing logged
    assert AccessLog.objects.count() == 1


def test_staff_without_the_household_permission_get_403_and_no_log_row(
    client, staff_without_permission, household_xichu
):
    client.force_login(staff_without_permission)
    for url in (
        reverse("admin:priority_zones_household_changelist"),
        reverse("admin:priority_zones_household_change", args=[household_xichu.pk]),
        reverse("admin:priority_zones_person_changelist"),
        reverse("admin:priority_zones_diagnostic_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert household_xichu.folio not in response.content.decode()
    assert AccessLog.objects.count() == 0


def test_staff_with_the_permission_but_no_scope_get_403_as_at_the_gate(
    client, staff_without_scope, household_xichu
):
    client.force_login(staff_without_scope)
    assert client.get(reverse("admin:priority_zones_household_changelist")).status_code == 403
    assert AccessLog.objects.count() == 0
