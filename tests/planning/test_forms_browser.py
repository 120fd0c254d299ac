"""The work and zone forms in Chromium: a point placed and a polygon drawn on the map are saved, the
municipio read from the drawing shows on the page, and the pages pass axe-core at tablet and desktop
widths. Screenshots for a human look:
FORM_SCREENSHOT_DIR=/some/dir pytest tests/planning/test_forms_browser.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.actors import PASSWORD, staff
from tests.browser.conftest import CHROMIUM, axe_violations, wait_for_map

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium")

CENTRE = (-101.65, 21.15)
SIZES = {"tablet": (768, 1024), "desktop": (1280, 800)}


@pytest.fixture
def planner(transactional_db, django_user_model, leon, xichu, water_category, sop):
    from django.core.cache import cache

    cache.clear()
    return staff(django_user_model, "planeador_formas", "planner", [leon])


def login(page, live_url: str, next_url: str, username: str = "planeador_formas") -> None:
    page.goto(f"{live_url}/cuenta/entrar/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_url}{next_url}")


def editor_ready(page) -> None:
    page.wait_for_function(
        "document.querySelector('[data-geometry-editor]').dataset.ready === 'true'", timeout=20000
    )
    page.evaluate(f"() => window.geometryEditor.map.jumpTo({{center: [{CENTRE[0]}, {CENTRE[1]}], zoom: 13}})")
    wait_for_map(page, "geometryEditor.map")


def click_at(page, lon: float, lat: float) -> None:
    box = page.locator(".form-map").bounding_box()
    xy = page.evaluate(f"() => window.geometryEditor.map.project([{lon}, {lat}])")
    page.mouse.move(box["x"] + xy["x"], box["y"] + xy["y"])
    page.mouse.click(box["x"] + xy["x"], box["y"] + xy["y"])
    page.wait_for_timeout(80)


def fill_work(page, folio: str) -> None:
    page.fill("#id_folio", folio)
    page.fill("#id_fiscal_year", "2026")
    page.fill("#id_name", "Obra trazada en el mapa")
    page.select_option("#id_category", index=1)
    page.fill("#id_amount_approved", "250000")


def shoot(page, name: str, tmp_path) -> None:
    folder = Path(os.environ.get("FORM_SCREENSHOT_DIR") or tmp_path)
    # The save bar sticks to the bottom of the window; in a full-page picture it would float mid-page.
    page.add_style_tag(content=".form-actions { position: static; }")
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_a_planner_places_a_point_on_the_map_and_saves_the_work(visit, live_server, planner, leon, tmp_path):
    from works_map.models import Work

    page = visit.page
    login(page, live_server.url, "/planeacion/obras/nueva/")
    editor_ready(page)
    fill_work(page, "MAPA-PUNTO")
    page.click('[data-mode="point"]')
    click_at(page, *CENTRE)
    page.wait_for_function("document.querySelector('[data-place=municipio]').textContent.includes('León')")
    geojson = page.evaluate("JSON.parse(document.getElementById('id_geom').value)")
    assert geojson["type"] == "Point"
    page.click(".form-actions button[type=submit]")
    page.wait_for_selector(".messages", timeout=10000)
    work = Work.objects.get(folio="MAPA-PUNTO")
    assert work.geom.geom_type == "Point" and work.municipio == leon
    assert abs(work.geom.x - CENTRE[0]) < 0.001 and abs(work.geom.y - CENTRE[1]) < 0.001
    # The edit page draws the stored point again, ready to move.
    editor_ready(page)
    assert page.evaluate("window.geometryEditor.draw.getSnapshot().length") == 1
    assert visit.errors == []
    assert visit.foreign_requests(live_server.url) == []


def test_a_planner_draws_a_polygon_and_saves_the_work(visit, live_server, planner, leon):
    from works_map.models import Work

    page = visit.page
    login(page, live_server.url, "/planeacion/obras/nueva/")
    editor_ready(page)
    fill_work(page, "MAPA-POLIGONO")
    page.click('[data-mode="polygon"]')
    d = 0.01
    for lon, lat in [(-d, -d), (d, -d), (d, d), (-d, d)]:
        click_at(page, CENTRE[0] + lon, CENTRE[1] + lat)
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('id_geom').value.includes('Polygon')")
    page.wait_for_function("document.querySelector('[data-place=municipio]').textContent.includes('León')")
    if os.environ.get("FORM_SCREENSHOT_DIR"):  # the README's picture of the form
        page.evaluate("window.scrollTo(0, document.querySelector('.page-head').offsetTop - 8)")
        page.screenshot(path=str(Path(os.environ["FORM_SCREENSHOT_DIR"]) / "planner_work_form.png"))
    page.click(".form-actions button[type=submit]")
    page.wait_for_selector(".messages", timeout=10000)
    work = Work.objects.get(folio="MAPA-POLIGONO")
    assert work.geom.geom_type == "Polygon"
    assert work.geom.contains(work.point) and work.municipio == leon
    assert 0.0003 < work.geom.area < 0.0005  # about 0.02 x 0.02 degrees
    assert visit.errors == []


def test_an_invalid_save_shows_the_error_summary_and_keeps_the_drawing(visit, live_server, planner):
    page = visit.page
    login(page, live_server.url, "/planeacion/obras/nueva/")
    editor_ready(page)
    page.click('[data-mode="point"]')
    click_at(page, *CENTRE)
    page.click(".form-actions button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert "#id_folio" in page.inner_html("#error-summary")
    editor_ready(page)
    assert page.evaluate("window.geometryEditor.draw.getSnapshot().length") == 1


@pytest.mark.parametrize("size", list(SIZES))
def test_the_staff_forms_are_accessible_at_tablet_and_desktop_widths(
    visit, live_server, planner, leon, water_category, size, tmp_path
):
    from tests.places import make_work

    work = make_work(leon, water_category, folio="VISTA-1", published=False, point=CENTRE)
    page = visit.page
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    login(page, live_server.url, "/planeacion/")
    for name, url in (
        ("workspace", "/planeacion/"),
        ("work_form", f"/planeacion/obras/{work.pk}/"),
        ("work_new", "/planeacion/obras/nueva/"),
        ("zone_form", "/planeacion/zonas/nueva/"),
        ("progress", f"/planeacion/obras/{work.pk}/avance/"),
        ("versions", f"/planeacion/work/{work.pk}/versiones/"),
    ):
        page.goto(live_server.url + url)
        if page.locator("[data-geometry-editor]").count():
            page.wait_for_function(
                "document.querySelector('[data-geometry-editor]').dataset.ready === 'true'", timeout=20000
            )
        assert axe_violations(page) == [], (name, size)
        # Nothing sticks out sideways at this width.
        wide = page.evaluate(
            "() => document.documentElement.scrollWidth <= window.innerWidth ? [] :"
            " [...document.querySelectorAll('body *')]"
            ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 8)"
            ".map(e => e.tagName + '.' + e.className + '#' + e.id + ':'"
            " + Math.round(e.getBoundingClientRect().right))"
        )
        assert wide == [], (name, size, wide)
        shoot(page, f"{name}_{size}", tmp_path)
    assert visit.errors == []


@pytest.fixture
def neighbour(transactional_db):
    """San Francisco del Rincón (11031) as a box sharing León's west edge."""
    from priority_zones.models import Municipio
    from tests.places import box

    return Municipio.objects.create(
        cvegeo="11031",
        name="San Francisco del Rincón",
        frame_version="TEST",
        geom=box(-102.0, 21.0, -101.8, 21.3),
    )


def test_a_planner_picks_two_municipios_on_the_map_to_make_a_zone(
    visit, live_server, django_user_model, leon, neighbour
):
    from django.core.cache import cache

    from priority_zones.models import Zone

    cache.clear()
    staff(django_user_model, "planeador_formas", "planner", [leon, neighbour])
    page = visit.page
    login(page, live_server.url, "/planeacion/zonas/nueva/")
    page.wait_for_function("document.getElementById('unit-picker').dataset.ready === 'true'", timeout=20000)
    page.evaluate("() => window.geometryEditor.map.jumpTo({center: [-101.8, 21.15], zoom: 8})")
    wait_for_map(page, "geometryEditor.map")
    page.fill("#id_name", "Zona de dos municipios")
    page.fill("#id_fiscal_year", "2026")
    page.click("#pick-units")
    click_at(page, -101.65, 21.15)  # León
    click_at(page, -101.9, 21.15)  # San Francisco del Rincón
    page.wait_for_function("document.querySelectorAll('#picked-units li').length === 2")
    assert sorted(page.input_value("#id_units").split(", ")) == ["11020", "11031"]
    click_at(page, -101.9, 21.15)  # a second click takes it out again
    page.wait_for_function("document.querySelectorAll('#picked-units li').length === 1")
    click_at(page, -101.9, 21.15)
    page.wait_for_function("document.querySelectorAll('#picked-units li').length === 2")
    page.click(".form-actions button[type=submit]")
    page.wait_for_selector(".messages", timeout=10000)
    zone = Zone.objects.get(name="Zona de dos municipios")
    assert zone.geom.sym_difference(leon.geom.union(neighbour.geom)).area < 1e-9
    assert visit.errors == []


def test_a_planner_publishes_marked_works_and_only_those_in_scope_change(
    visit, live_server, planner, leon, xichu, water_category
):
    from tests.places import make_work
    from works_map.models import Work

    mine = make_work(leon, water_category, folio="PUB-LEON", published=False, point=CENTRE)
    page = visit.page
    login(page, live_server.url, "/planeacion/")
    page.check(f"#mark-{mine.pk}")
    assert "1 obra marcada" in page.inner_text("#bulk-count")
    page.click('.action-bar button[value="1"]')
    page.wait_for_selector("#confirm-title")
    assert "¿Publicar 1 obra?" in page.inner_text("#confirm-title")
    assert axe_violations(page) == []
    page.click('button[name="confirm"]')
    page.wait_for_selector(".messages")
    assert "1 obra publicada." in page.inner_text(".messages")
    assert Work.objects.get(pk=mine.pk).published
    assert visit.errors == []


def test_the_keyboard_walks_the_work_form_in_reading_order(visit, live_server, planner):
    page = visit.page
    login(page, live_server.url, "/planeacion/obras/nueva/")
    editor_ready(page)
    page.focus("#id_folio")
    order = ["id_folio"]
    for _ in range(6):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id || document.activeElement.dataset.mode || ''"))
    assert order == [
        "id_folio",
        "id_fiscal_year",
        "id_name",
        "id_description",
        "id_kind",
        "id_category",
        "id_status",
    ]
    assert (
        page.evaluate(
            'document.querySelectorAll(\'[tabindex]:not([tabindex="0"]):not([tabindex="-1"])\').length'
        )
        == 0
    )
    # A refused save puts the summary first; its links lead to the fields.
    page.click(".form-actions button[type=submit]")
    page.wait_for_selector("#error-summary")
    page.click('#error-summary a[href="#id_folio"]')
    assert page.evaluate("document.activeElement.id") == "id_folio"
