"""An administrator loads a budget file in Chromium through the planning import wizard: from the old
budget upload address to the wizard, the guessed columns, the dry-run report with the file's totals,
then the write by the worker while the page shows the progress bar, until the report says it loaded."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from tests.actors import PASSWORD
from tests.browser.conftest import CHROMIUM, axe_violations
from tests.budget.conftest import expense_csv

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium")


@pytest.fixture
def budget_world(transactional_db, admin_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORTS_RUN_IMMEDIATELY = False  # the worker writes, the page polls
    return admin_user


def test_an_administrator_loads_a_budget_file_and_sees_the_progress_and_the_result(
    budget_world, visit, live_server, tmp_path
):
    from budget.models import ExpenseLine

    text = expense_csv().replace("aprobado,", "Monto aprobado original,", 1)
    path = tmp_path / "egresos_2025.csv"
    path.write_bytes(text.replace('","', '";"').replace(",", ";", 17).encode("cp1252"))

    page = visit.page
    page.goto(f"{live_server.url}/cuenta/entrar/?next=/presupuesto/cargar/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/planeacion/importar/?destino=budget_expense")
    assert page.locator("#id_target").input_value() == "budget_expense"

    page.set_input_files("#id_file", str(path))
    page.click("form.stack-form button[type=submit]")
    page.wait_for_url("**/columnas/")
    assert page.locator("tr[data-column='partida'] select").input_value() == "partida"
    unmapped = page.locator("tr[data-column='Monto aprobado original'] select")
    assert unmapped.input_value() == ""
    assert axe_violations(page) == []
    unmapped.select_option("aprobado")
    page.click("button[value=preview]")
    page.wait_for_url("**/importar/*/")

    assert page.locator("#kept").inner_text() == "3" and page.locator("#rejected").inner_text() == "0"
    assert "$3,500,000.00" in page.locator("#budget-totals").inner_text()
    assert axe_violations(page) == []
    assert ExpenseLine.objects.count() == 0  # nothing written before the confirmation

    page.click("text=Importar >> nth=-1")
    page.wait_for_selector("#import-progress")
    assert page.locator("#import-status").get_attribute("data-status") == "QUEUED"
    call_command("run_import_worker", "--once")
    page.wait_for_selector("text=Presupuesto cargado", timeout=20000)
    assert page.locator("#import-status").get_attribute("data-status") == "DONE"
    assert ExpenseLine.objects.count() == 3
    page.click("text=Ver el presupuesto ciudadano")
    page.wait_for_url("**/presupuesto/")
    assert visit.errors == [] and visit.foreign_requests(live_server.url) == []
