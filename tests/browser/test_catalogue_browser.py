"""The data catalogue on a phone: no serious accessibility violation, nothing wider than the screen."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_catalogue_reads_on_a_phone_without_accessibility_violations(browser, live_server, live_works):
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, locale="es-MX", bypass_csp=True
    )  # axe injects a script
    page = context.new_page()
    page.goto(f"{live_server.url}/datos/")
    assert page.locator("h1").inner_text() == "Datos abiertos"
    page.locator("#obras details summary").click()
    assert page.locator("#diccionario-obras table").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert axe_violations(page) == []
    context.close()
