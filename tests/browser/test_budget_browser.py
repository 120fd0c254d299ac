"""The citizen budget on a phone and on a desktop: every page reads without horizontal scrolling,
its chart and its table are there, and axe finds no violation."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations
from tests.budget.conftest import expense_csv

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [
    "/presupuesto/",
    "/presupuesto/ingresos/",
    "/presupuesto/gasto/?capitulo=6000",
    "/presupuesto/dependencias/",
    "/presupuesto/municipios/",
    "/presupuesto/avance/",
    "/presupuesto/comparacion/",
    "/presupuesto/glosario/",
    "/presupuesto/programas/K001/",
]


@pytest.fixture
def loaded_budget(leon, xichu, work_well_xichu):
    from budget.actions import do_load_budget

    income = (
        "ejercicio,rubro,tipo,concepto,estimado,modificado,devengado,recaudado\n"
        "2025,1,15,Nóminas,100.00,100.00,90.00,90.00\n2025,8,82,Aportaciones,900.00,900.00,900.00,900.00\n"
        "2025,TOTAL,,,1000.00,1000.00,990.00,990.00\n"
    )
    transfers = (
        "ejercicio,municipio,fondo,monto\n2025,11020,FORTAMUN,9000000.00\n"
        "2025,11045,FORTAMUN,500000.00\n2025,TOTAL,,9500000.00\n"
    )
    for text, kind in ((expense_csv(), "egresos"), (income, "ingresos"), (transfers, "transferencias")):
        assert do_load_budget(text.encode(), "f.csv", kind).committed
    work_well_xichu.budget_program, work_well_xichu.fiscal_year = "K001", 2025
    work_well_xichu.save()


@pytest.mark.parametrize("width", [375, 1280])
def test_every_budget_page_reads_on_a_phone_and_a_desktop_without_accessibility_violations(
    browser, live_server, loaded_budget, width
):
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="es-MX", bypass_csp=True)
    page = context.new_page()
    for url in PAGES:
        response = page.goto(live_server.url + url)
        assert response is not None and response.status == 200, url
        assert page.evaluate("document.documentElement.scrollWidth") <= width, url
        if "glosario" not in url:
            assert page.locator("svg.chart").first.is_visible(), url
            page.locator("details.chart-data summary").first.click()
            assert page.locator("table.data").first.is_visible(), url
        assert axe_violations(page) == [], url
    context.close()


def test_the_year_and_the_drill_down_work_with_the_keyboard(browser, live_server, loaded_budget):
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="es-MX")
    page = context.new_page()
    page.goto(live_server.url + "/presupuesto/gasto/")
    page.get_by_role("link", name="6000 Inversión Pública").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**capitulo=6000**")
    assert "Capítulo 6000" in page.locator("#objeto").inner_text()
    page.get_by_role("link", name="6100 Obra Pública en Bienes de Dominio Público").click()
    assert "6130" in page.locator("section[aria-labelledby=objeto]").inner_text()
    context.close()
