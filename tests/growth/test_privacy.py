"""Child records: only the dedicated role, inside its scope, with a purpose, every read logged; the
public and every other role see nothing but controlled aggregates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from growth.actions import do_erase_child, do_purge_expired, do_record_measurement, refresh_units
from growth.models import Child, Erasure, GrowthAccessLog, Measurement
from tests.actors import with_household_permission

from .conftest import make_child

PURPOSE = {"proposito": "control de niño sano de junio"}


@pytest.fixture
def measured_child(child_xichu, health_worker_xichu):
    do_record_measurement(
        child_xichu,
        {"fecha_medicion": "2026-06-30", "peso_kg": "9.6", "talla_cm": "75.7", "posicion": "L"},
        health_worker_xichu,
        today=dt.date(2026, 6, 30),
    )
    return child_xichu


def staff_urls(child):
    return [
        reverse("growth:staff") + "?proposito=revisar+pendientes+de+junio",
        reverse("growth:child", args=[child.pk]) + "?proposito=revisar+el+control+de+junio",
        reverse("growth:referrals") + "?proposito=revisar+referencias+de+junio",
        reverse("growth:import"),
        reverse("growth:guidance"),
    ]


def test_anonymous_visitors_are_sent_to_sign_in_and_see_no_child(client, measured_child):
    for url in staff_urls(measured_child):
        response = client.get(url)
        assert response.status_code == 302 and "/cuenta/entrar/" in response["Location"]
    api = client.post(
        reverse("growth:api-measurement", args=[measured_child.pk]), "{}", content_type="application/json"
    )
    assert api.status_code == 403


@pytest.mark.parametrize("who", ["analyst", "planner_xichu", "citizen", "staff_without_scope"])
def test_other_roles_even_with_household_permission_see_nothing(client, measured_child, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    for url in staff_urls(measured_child):
        assert client.get(url).status_code == 403, url
    assert measured_child.code not in client.get(staff_urls(measured_child)[1]).content.decode()


def test_the_role_without_a_scope_sees_nothing(client, measured_child, django_user_model):
    from .conftest import health_worker

    nurse = health_worker(django_user_model, "enfermera_sin_ambito")
    client.force_login(nurse)
    assert client.get(staff_urls(measured_child)[1]).status_code == 403


def test_the_same_role_in_another_municipio_gets_404_for_the_child(
    client, measured_child, health_worker_leon
):
    client.force_login(health_worker_leon)
    assert client.get(staff_urls(measured_child)[1]).status_code == 404
    assert client.post(reverse("growth:measure", args=[measured_child.pk]), {}).status_code == 404


def test_a_read_without_purpose_is_refused_and_not_logged(client, measured_child, health_worker_xichu):
    client.force_login(health_worker_xichu)
    before = GrowthAccessLog.objects.count()
    response = client.get(reverse("growth:child", args=[measured_child.pk]))
    assert response.status_code == 400 and "propósito" in response.content.decode()
    assert GrowthAccessLog.objects.count() == before


def test_every_read_is_logged_with_who_what_and_why(client, measured_child, health_worker_xichu):
    client.force_login(health_worker_xichu)
    response = client.get(reverse("growth:child", args=[measured_child.pk]), PURPOSE)
    assert response.status_code == 200 and measured_child.code in response.content.decode()
    entry = GrowthAccessLog.objects.filter(action="DETAIL").get()
    assert (entry.user, entry.purpose, entry.child_ids) == (
        health_worker_xichu,
        PURPOSE["proposito"],
        [measured_child.pk],
    )
    client.get(reverse("growth:staff"), PURPOSE)
    assert GrowthAccessLog.objects.filter(action="LIST", user=health_worker_xichu).exists()


def test_no_public_output_carries_a_record_or_an_exact_location(
    client, xichu, centre_xichu, health_worker_xichu
):
    children = [make_child(xichu, at=(-100.05 + i * 1e-5, 21.3)) for i in range(12)]
    for c in children:
        Measurement.objects.create(
            child=c,
            measured_on=dt.date(2026, 6, 1),
            age_days=300,
            weight_kg=9,
            height_cm=72,
            position="L",
            stunted=False,
            wasted=False,
            underweight=False,
            overweight=False,
            obese=False,
        )
    refresh_units()
    body = client.get(reverse("growth:indicators"), {"by": "municipio"}).content.decode()
    for c in children:
        assert c.code not in body
    assert "-100.05" not in body and "21.3" not in body
    # The public layers list: growth is aggregated, no layer exposes children.
    from layers.registry import LAYERS

    assert LAYERS["growth"].public and LAYERS["growth"].source.table == "growth_growthunit"
    assert all(
        "growth_child" not in layer.source.table and "growth_measurement" not in layer.source.table
        for layer in LAYERS.values()
    )


def test_registration_requires_consent_on_the_current_privacy_notice(
    client, health_worker_xichu, centre_xichu
):
    client.force_login(health_worker_xichu)
    form = {
        "sexo": "M",
        "fecha_nacimiento": "2025-01-10",
        "centro": centre_xichu.pk,
        "parentesco": "madre",
        "aviso_privacidad": "2026-01",
    }
    assert client.post(reverse("growth:register"), form).status_code == 400  # no consent box
    assert (
        client.post(
            reverse("growth:register"), {**form, "consentimiento": "1", "aviso_privacidad": "2019"}
        ).status_code
        == 400
    )
    assert not Child.objects.exists()
    response = client.post(reverse("growth:register"), {**form, "consentimiento": "1"})
    assert response.status_code == 302
    child = Child.objects.get()
    assert (
        child.privacy_notice_version == "2026-01"
        and child.consent_at
        and child.retain_until == dt.date(2032, 1, 10)
    )


def test_erasure_on_request_deletes_everything_and_keeps_a_trace_without_personal_data(
    client, measured_child, health_worker_xichu
):
    client.force_login(health_worker_xichu)
    url = reverse("growth:erase", args=[measured_child.pk])
    assert client.post(url, {"confirmar_clave": "otra"}).status_code == 400
    assert client.post(url, {"confirmar_clave": measured_child.code}).status_code == 200
    assert not Child.objects.exists() and not Measurement.objects.exists()
    trace = Erasure.objects.get()
    assert trace.reason == "REQUEST" and trace.measurements == 1
    assert GrowthAccessLog.objects.filter(action="ERASE").exists()


def test_retention_purge_erases_only_expired_children(xichu, centre_xichu):
    old = make_child(xichu, birth=dt.date(2021, 7, 1))
    young = make_child(xichu)
    assert do_purge_expired(today=old.retain_until + dt.timedelta(days=1)) == 1
    assert list(Child.objects.all()) == [young]
    assert Erasure.objects.get().reason == "RETENTION"


def test_the_household_permission_alone_grants_nothing(measured_child, django_user_model, xichu):
    from growth.access import may_view_children
    from works_map.models import UserScope

    user = with_household_permission(django_user_model.objects.create_user("hogares", "h@example.org", "x"))
    UserScope.objects.create(user=user).municipios.add(xichu)
    assert may_view_children(user) is False


def test_erase_action_by_itself(measured_child, health_worker_xichu):
    do_erase_child(measured_child, health_worker_xichu)
    assert not Child.objects.exists()


def test_a_child_can_be_linked_to_a_household_and_person_of_the_diagnostics(
    client, health_worker_xichu, xichu, leon
):
    from tests.places import make_household

    household = make_household(
        xichu,
        -100.04,
        21.31,
        persons=(
            {"number": 1, "relationship": "JEFE", "sex": "M", "age": 30},
            {"number": 2, "relationship": "HIJO", "sex": "H", "age": 1},
        ),
    )
    elsewhere = make_household(leon, -101.6, 21.1)
    client.force_login(health_worker_xichu)
    form = {
        "sexo": "H",
        "fecha_nacimiento": "2025-03-01",
        "parentesco": "madre",
        "aviso_privacidad": "2026-01",
        "consentimiento": "1",
    }
    assert client.post(reverse("growth:register"), {**form, "folio": "NO-EXISTE"}).status_code == 400
    assert (
        client.post(
            reverse("growth:register"), {**form, "folio": household.folio, "renglon": "9"}
        ).status_code
        == 400
    )
    assert (
        client.post(reverse("growth:register"), {**form, "folio": elsewhere.folio}).status_code == 400
    )  # León: out of scope
    assert (
        client.post(
            reverse("growth:register"), {**form, "folio": household.folio, "renglon": "2"}
        ).status_code
        == 302
    )
    child = Child.objects.get()
    assert (child.household, child.person.number, child.location) == (household, 2, household.location)
