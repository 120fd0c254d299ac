"""A citizen on a phone-sized Chromium takes part in a consultation (placing the opinion on the map)
and follows a work by e-mail through the double opt-in; both pages pass axe."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="es-MX", bypass_csp=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    yield page, errors
    context.close()


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_citizen_takes_part_in_a_consultation_from_a_phone(
    phone, live_server, live_works, leon, django_user_model
):
    from consultations.actions import do_open_consultation
    from consultations.models import Opinion
    from tests.actors import staff
    from tests.places import make_zone

    planner = staff(django_user_model, "planeadora_consulta", "planner", [leon])
    zone = make_zone(leon, name="Zona propuesta El Coecillo", published=False)
    consultation = do_open_consultation(
        acting_user=planner,
        title="¿Dónde trazar la zona El Coecillo?",
        question="¿Qué calles le faltan a la zona propuesta?",
        subject="ZONE",
        zone=zone,
        opens_on=timezone.localdate(),
    )
    page, errors = phone
    page.goto(f"{live_server.url}/consultas/")
    page.get_by_role("link", name=consultation.title).click()
    page.wait_for_function(
        "() => window.territorioConsultationMap && window.territorioConsultationMap.loaded()", timeout=20000
    )
    assert consultation.closes_on.strftime("%Y-%m-%d") in page.locator("#closing-date time").get_attribute(
        "datetime"
    )
    assert _no_horizontal_scroll(page)
    assert axe_violations(page) == []

    page.locator("#consultation-map canvas").tap()
    assert "Lugar marcado" in page.locator("#place-status").inner_text()
    page.get_by_role("textbox", name=re.compile("^Su opinión")).fill(
        "Falta la calle Hilario Medina, donde está la escuela."
    )
    page.get_by_label("Correo para recibir los resultados (opcional)").fill("participante@example.org")
    page.get_by_role("button", name="Enviar opinión").tap()
    page.wait_for_selector("text=recibimos su opinión")
    opinion = Opinion.objects.get()
    assert opinion.point is not None and zone.geom.buffer(0.5).contains(opinion.point)
    assert opinion.email == "participante@example.org"
    assert "participante@example.org" not in page.content()
    assert page.locator("#received-count").inner_text() == "1"
    assert errors == []


def test_a_citizen_follows_a_work_from_a_phone(phone, live_server, live_works):
    from consultations.models import Follow
    from outbox.models import Message

    well = live_works["well"]
    page, errors = phone
    page.goto(f"{live_server.url}/obras/{well.pk}/")
    page.get_by_role("link", name="Seguir esta obra por correo").tap()
    page.wait_for_url(re.compile(r"/seguir/\?obra="))
    page.wait_for_load_state("load")
    assert _no_horizontal_scroll(page)
    assert axe_violations(page) == []
    page.get_by_label("Su correo").fill("seguidor@example.org")
    page.get_by_role("button", name="Seguir").tap()
    page.wait_for_selector(".error-summary")  # consent first
    page.wait_for_timeout(200)  # the console reports the 400 just after the page shows it
    assert errors and all("400" in e for e in errors)  # the refused form, and only it
    del errors[:]
    assert not Follow.objects.exists()
    page.get_by_label("Su correo").fill("seguidor@example.org")
    page.get_by_label(re.compile("Leí el aviso de privacidad")).check()
    page.get_by_role("button", name="Seguir").tap()
    page.wait_for_selector("#follow-sent")
    follow = Follow.objects.get()
    assert follow.confirmed_at is None
    message = Message.objects.get(purpose="seguimiento-confirmacion")
    path = re.search(r"/seguir/confirmar/[A-Za-z0-9_-]+/", message.body).group(0)
    page.goto(live_server.url + path)
    page.get_by_role("button", name="Sí, confirmar").tap()
    page.wait_for_selector("#follow-confirmed")
    follow.refresh_from_db()
    assert follow.confirmed_at is not None
    assert errors == []
