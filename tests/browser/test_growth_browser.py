"""The caregiver's screening on a phone: fill it in with the keyboard and taps, read the result and
the nearest centre, nothing foreign loaded, no serious axe violation; and the staff child page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.test import Client

from tests.browser.conftest import axe_violations

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def screening_place(transactional_db, xichu):
    from growth.models import Centre, GuidanceText

    GuidanceText.objects.create(result="REFER", title="Acuda a su centro de salud", body="Lleve su cartilla.")
    GuidanceText.objects.create(result="ON_TRACK", title="Va bien", body="Siga jugando y platicando.")
    return Centre.objects.create(
        name="Centro de salud Xichú (sintético)",
        kind="SALUD",
        location=Point(-100.06, 21.3, srid=4326),
        municipio=xichu,
        synthetic=True,
    )


def test_a_caregiver_answers_the_screening_on_a_phone(browser, live_server, screening_place):
    context = browser.new_context(
        viewport=PHONE, locale="es-MX", bypass_csp=True, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(f"{live_server.url}/crecimiento/tamizaje/")
        birth = (dt.date.today() - dt.timedelta(days=800)).isoformat()
        page.get_by_label("Fecha de nacimiento de la niña o el niño").fill(birth)
        page.get_by_role("button", name="Ver las preguntas").click()
        page.wait_for_selector("#screening-form")
        assert axe_violations(page) == []
        # Nothing overflows the phone's width.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        legends = page.locator("fieldset.question legend")
        assert legends.count() >= 5
        for i in range(legends.count()):
            page.locator("fieldset.question").nth(i).get_by_label("Sí").check()
        page.get_by_label("Municipio donde vive (para buscar el centro más cercano)").select_option("11045")
        page.get_by_role("button", name="Ver resultado").click()
        result = page.locator("#screening-result")
        result.wait_for()
        text = result.inner_text()
        assert "Centro de salud Xichú (sintético)" in text
        assert axe_violations(page) == []
        assert errors == []
        assert all(r.startswith(live_server.url) for r in requests)
    finally:
        context.close()


def test_the_staff_child_page_passes_axe(browser, live_server, screening_place, admin_user, xichu):
    from growth.actions import do_record_measurement
    from tests.growth.conftest import make_child

    child = make_child(xichu, birth=dt.date.today() - dt.timedelta(days=400))
    do_record_measurement(
        child,
        {
            "fecha_medicion": dt.date.today().isoformat(),
            "peso_kg": "9.8",
            "talla_cm": "76.0",
            "posicion": "L",
        },
        admin_user,
    )
    client = Client()
    client.force_login(admin_user)
    context = browser.new_context(viewport=PHONE, locale="es-MX", bypass_csp=True)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    try:
        page.goto(
            f"{live_server.url}/crecimiento/personal/ninos/{child.pk}/?proposito=revision+de+accesibilidad"
        )
        assert page.locator("svg.growth-chart").count() == 2
        assert axe_violations(page) == []
    finally:
        context.close()
