"""Login and logout with Django's auth, the failed-login throttle, CSRF on every form, session cookies."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.actors import PASSWORD


def test_it_logs_in_and_out_a_planner(client, planner_leon):
    page = client.get(reverse("login"))
    assert page.status_code == 200 and b"csrfmiddlewaretoken" in page.content
    response = client.post(reverse("login"), {"username": "planeador_leon", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/planeacion/"
    assert client.get("/planeacion/").status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/planeacion/")["Location"].startswith("/cuenta/entrar/")


def test_it_refuses_a_wrong_password_with_the_form_again(client, planner_leon):
    response = client.post(reverse("login"), {"username": "planeador_leon", "password": "otra-cosa"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_throttles_after_repeated_failures_even_with_the_right_password(client, planner_leon):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "planeador_leon", "password": "mala"})
    response = client.post(reverse("login"), {"username": "PLANEADOR_LEON ", "password": "mala"})
    assert response.status_code == 429
    assert "Demasiados intentos" in response.content.decode()
    right = client.post(reverse("login"), {"username": "planeador_leon", "password": PASSWORD})
    assert right.status_code == 429 and "_auth_user_id" not in client.session


def test_the_throttle_is_per_username_and_address(client, planner_leon, supervisor_leon):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "planeador_leon", "password": "mala"})
    other_user = client.post(reverse("login"), {"username": "supervisor_leon", "password": PASSWORD})
    assert other_user.status_code == 302
    other_address = Client(REMOTE_ADDR="10.1.2.3")
    ok = other_address.post(reverse("login"), {"username": "planeador_leon", "password": PASSWORD})
    assert ok.status_code == 302


def test_the_admin_login_is_throttled_too(client, admin_user):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "admin", "password": "mala"})
    response = client.post("/admin/login/", {"username": "admin", "password": "una-clave-larga-123"})
    assert "_auth_user_id" not in client.session
    assert "Demasiados intentos" in response.content.decode()
    assert response.status_code == 429  # as the site's login answers


def test_the_admin_login_answers_200_to_one_wrong_password(client, admin_user):
    response = client.post("/admin/login/", {"username": "admin", "password": "mala"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url",
    ["/cuenta/entrar/", "/planeacion/zonas/nueva/", "/planeacion/obras/nueva/"],
)
def test_every_form_requires_the_csrf_token(url, planner_leon, leon):
    client = Client(enforce_csrf_checks=True)
    client.force_login(planner_leon)
    assert client.post(url, {"username": "x", "password": "y"}).status_code == 403


def test_the_review_and_delete_forms_require_the_csrf_token(
    planner_leon, supervisor_leon, leon, water_category
):
    from tests.places import make_report, make_work

    work = make_work(leon, water_category, folio="C-1", published=True, point=(-101.6, 21.1))
    report = make_report(work, planner_leon)
    client = Client(enforce_csrf_checks=True)
    client.force_login(supervisor_leon)
    assert (
        client.post(f"/planeacion/avances/{report.pk}/revisar/", {"decision": "approve"}).status_code == 403
    )
    assert client.post(f"/planeacion/obras/{work.pk}/eliminar/").status_code == 403


def test_the_session_cookie_is_http_only_lax_and_ends_with_the_working_day(client, planner_leon):
    # Secure cookies and HSTS outside DEBUG are covered by the `check --deploy` test in tests/gis_core.
    response = client.post(reverse("login"), {"username": "planeador_leon", "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_login_rotates_the_session_key(client, planner_leon):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    client.post(reverse("login"), {"username": "planeador_leon", "password": PASSWORD})
    assert client.session.session_key != before
