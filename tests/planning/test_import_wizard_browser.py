"""The import wizard in Chromium with the real SHCP file: upload, the mapping step (guessed columns,
status words mapped in the drop-downs, options), the preview on the MapLibre map with the per-row
report, then the write by the worker while the page polls, until the report shows the works created."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.actors import PASSWORD
from tests.browser.conftest import CHROMIUM, axe_violations, wait_for_map

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium")

SHCP = "opa_ppi_guanajuato_puntos_2015_2019_2021.geojson"
SHCP_MAPPING = Path(__file__).resolve().parents[2] / "docs" / "import_mappings" / "shcp_opa_ppi.json"


# Elements that stick out past the right edge of the window (a tablet would have to scroll sideways).
OVERFLOWING = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .map(e => e.tagName + '.' + e.className)"""


@pytest.fixture
def wizard_world(transactional_db, inegi_municipios, federal_ppi_category, admin_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORTS_RUN_IMMEDIATELY = False  # the worker writes, the page polls
    return admin_user


def test_a_planner_imports_the_shcp_register_through_the_wizard(
    wizard_world, visit, live_server, shared_data
):
    from works_map.models import Work

    page = visit.page
    page.goto(f"{live_server.url}/cuenta/entrar/?next=/planeacion/importar/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/planeacion/importar/")

    page.set_input_files("#id_file", str(shared_data / SHCP))
    page.select_option("#id_target", "works")
    page.click("form.stack-form button[type=submit]")
    page.wait_for_url("**/columnas/")

    # Tablet width: the page fits, the wide tables scroll inside their boxes.
    page.set_viewport_size({"width": 820, "height": 1180})
    assert page.evaluate(OVERFLOWING) == []
    assert axe_violations(page) == []
    assert page.locator("tr[data-column='ANIO_ARCHIVO'] select").input_value() == "fiscal_year"
    assert "CICLO" in page.locator("tr[data-column='ANIO_ARCHIVO'] .why").inner_text()
    assert page.locator("tr[data-column='CICLO'] select").input_value() == ""
    assert page.locator("tr[data-column='EJERCIDO'] select").input_value() == "amount_exercised"

    words = json.loads(SHCP_MAPPING.read_text())["values"]["status"]
    selects = page.locator("fieldset[data-field='status'] select")
    assert selects.count() == 6
    for i in range(selects.count()):
        value = selects.nth(i).get_attribute("data-value")
        selects.nth(i).select_option(words[" / ".join(p.strip() for p in value.split("/"))])
    page.select_option("#id_mode", "valid")
    page.select_option("#id_category_code", "PPI_FEDERAL")
    page.select_option("#id_default_status", "EN_EJECUCION")
    page.check("#id_publish")
    page.click("button[value=preview]")
    page.wait_for_url("**/importar/*/")

    assert page.locator("#kept").inner_text() == "115" and page.locator("#rejected").inner_text() == "4"
    assert "orden de ejes invertido" in page.locator("#rejected-rows").inner_text()
    wait_for_map(page, "importPreviewMap")
    assert Work.objects.count() == 0  # nothing written before the confirmation

    page.click("text=Importar >> nth=-1")
    page.wait_for_selector("#import-progress")
    call_command("run_import_worker", "--once")
    page.wait_for_selector("#created", timeout=20000)
    assert page.locator("#created").inner_text() == "115"
    assert Work.objects.filter(published=True).count() == 115
    assert visit.errors == [] and visit.foreign_requests(live_server.url) == []
