"""The web chat in Chromium: keyboard only, the "usar mi ubicación" button with a granted, fixed
geolocation, the aria-live log, quick replies, and axe."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations

LEON_CENTRE = {"longitude": -101.65, "latitude": 21.15}


@pytest.fixture
def located(browser, live_server):
    """A phone-sized page whose browser has granted geolocation, fixed at central León."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="es-MX",
        geolocation=LEON_CENTRE,
        permissions=["geolocation"],
        bypass_csp=True,  # axe's injected script only
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page, errors
    context.close()


def bot_replies(page) -> list[str]:
    return page.locator("#chat-log div.chat-bot .chat-text").all_inner_texts()


def test_the_chat_answers_typed_messages_by_keyboard(located, live_server, live_works):
    page, errors = located
    page.goto(f"{live_server.url}/chat/")
    log = page.locator("#chat-log")
    assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"
    assert page.get_by_label("Tu mensaje").is_visible()
    page.keyboard.press("Tab")  # skip link
    page.get_by_label("Tu mensaje").focus()
    page.keyboard.type("obras en leon")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('#chat-log div.chat-bot').length >= 2")
    assert bot_replies(page)[-1].startswith("León: obras publicadas")
    links = page.locator("#chat-log div.chat-bot").last.locator("a")
    assert links.count() == 5 and "/obras/" in (links.first.get_attribute("href") or "")
    # The works' addresses are links (named after the work for screen readers), not raw paths.
    assert links.first.inner_text() == "Ver la obra"
    assert (links.first.get_attribute("aria-label") or "").startswith("Ver la obra: ")
    assert "/obras/" not in bot_replies(page)[-1]
    assert page.get_by_label("Tu mensaje").evaluate("el => el === document.activeElement")
    assert errors == []


def test_usar_mi_ubicacion_sends_the_browser_position_and_lists_the_nearest(located, live_server, live_works):
    page, errors = located
    page.goto(f"{live_server.url}/chat/")
    page.get_by_role("button", name="Usar mi ubicación").click()
    page.wait_for_function("document.querySelectorAll('#chat-log div.chat-bot').length >= 2")
    reply = bot_replies(page)[-1]
    assert reply.startswith("Obras más cercanas:\n1. Obra de prueba 1 en León")
    assert "a 415 m" in reply  # 0.004° of longitude east of the fixed position
    assert "Obra no publicada" not in reply
    assert page.locator("#chat-log div.chat-user").last.inner_text().endswith("Mi ubicación")
    assert errors == []


def test_quick_replies_are_buttons_and_the_page_is_axe_clean(located, live_server, live_works):
    page, errors = located
    page.goto(f"{live_server.url}/chat/")
    page.get_by_label("Tu mensaje").fill("ayuda")
    page.get_by_role("button", name="Enviar").click()
    option = page.get_by_role("button", name="Zonas prioritarias")
    option.wait_for()
    option.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('#chat-log div.chat-bot').length >= 3")
    assert "Zonas prioritarias publicadas para 2026" in bot_replies(page)[-1]
    violations = axe_violations(page)
    assert violations == [], violations
    assert errors == []
