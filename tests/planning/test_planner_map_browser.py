"""The planner's map in Chromium: log in, draw a polygon, read its report card, save it, see it in the tiles;
a line becomes a buffer; an existing zone's vertices are edited and saved."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point

from tests.actors import PASSWORD, staff
from tests.browser.conftest import CHROMIUM, wait_for_map
from tests.places import make_zone

pytestmark = pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="no chromium")

CENTRE = (-101.65, 21.15)


@pytest.fixture
def planner_on_map(transactional_db, django_user_model, leon, water_category):
    """León's planner, two works inside the square the test draws and one outside, empty tile cache."""
    from django.core.cache import cache

    from works_map.actions import do_create_work

    cache.clear()
    for i, (dx, amount) in enumerate([(0.002, 100000), (-0.003, 250000), (0.2, 999999)]):
        do_create_work(
            folio=f"MAP-{i}",
            fiscal_year=2026,
            name=f"Obra {i}",
            category=water_category,
            geom=Point(CENTRE[0] + dx, CENTRE[1], srid=4326),
            municipio=leon,
            status="EN_EJECUCION",
            amount_approved=Decimal(amount),
        )
    return staff(django_user_model, "planeador_mapa", "planner", [leon])


def login(page, live_url: str) -> None:
    page.goto(f"{live_url}/cuenta/entrar/?next=/planeacion/")
    page.fill("#id_username", "planeador_mapa")
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_url}/planeacion/")
    page.wait_for_function("document.getElementById('planner-map').dataset.ready === 'true'", timeout=20000)
    page.evaluate(f"() => window.plannerMap.jumpTo({{center: [{CENTRE[0]}, {CENTRE[1]}], zoom: 13}})")
    wait_for_map(page, "plannerMap")


def click_at(page, lon: float, lat: float) -> None:
    box = page.locator("#planner-map").bounding_box()
    xy = page.evaluate(f"() => window.plannerMap.project([{lon}, {lat}])")
    page.mouse.move(box["x"] + xy["x"], box["y"] + xy["y"])
    page.mouse.click(box["x"] + xy["x"], box["y"] + xy["y"])
    page.wait_for_timeout(60)


def card(page, field: str) -> str:
    return page.locator(f'#report-card [data-field="{field}"]').inner_text()


def test_a_planner_draws_a_polygon_sees_its_card_saves_it_and_sees_it_in_the_tiles(
    visit, live_server, planner_on_map
):
    from priority_zones.models import Zone

    page = visit.page
    login(page, live_server.url)
    page.click('[data-mode="polygon"]')
    d = 0.01
    for lon, lat in [(-d, -d), (d, -d), (d, d), (-d, d)]:
        click_at(page, CENTRE[0] + lon, CENTRE[1] + lat)
    page.keyboard.press("Enter")
    page.wait_for_selector("#report-card:not([hidden])", timeout=10000)
    page.wait_for_function("document.getElementById('planner-status').textContent.includes('actualizada')")
    assert card(page, "obras") == "2"
    assert "350,000" in card(page, "aprobado")

    page.fill("#zs-name", "Polígono de prueba")
    page.select_option("#zone-save select[name=status]", "PUBLISHED")
    page.click("#zone-save button[type=submit]")
    page.wait_for_function("window.plannerLastSaved && window.plannerLastSaved.id", timeout=10000)
    saved = page.evaluate("window.plannerLastSaved")
    zone = Zone.objects.get(pk=saved["id"])
    assert (zone.name, zone.kind, zone.status, zone.author.username) == (
        "Polígono de prueba",
        "DRAWN",
        "PUBLISHED",
        "planeador_mapa",
    )
    assert zone.geom.contains(Point(*CENTRE, srid=4326))

    page.wait_for_function(
        "() => window.plannerMap.querySourceFeatures('zones', {sourceLayer: 'zones'})"
        f".some(f => f.properties.id === {zone.pk})",
        timeout=15000,
    )
    assert visit.errors == []
    assert visit.foreign_requests(live_server.url) == []


def test_a_line_becomes_a_buffer_whose_card_counts_the_works_along_it(visit, live_server, planner_on_map):
    page = visit.page
    login(page, live_server.url)
    page.fill("#buffer-metres", "500")
    page.click('[data-mode="linestring"]')
    click_at(page, CENTRE[0] - 0.01, CENTRE[1])
    click_at(page, CENTRE[0] + 0.01, CENTRE[1])
    page.keyboard.press("Enter")
    page.wait_for_selector("#report-card:not([hidden])", timeout=10000)
    page.wait_for_function("document.getElementById('planner-status').textContent.includes('actualizada')")
    assert card(page, "obras") == "2"
    area = float(card(page, "area_km2").split()[0].replace(",", ""))
    assert 2.2 < area < 3.2  # about 2.1 km x 1 km plus the round ends
    assert visit.errors == []


def test_a_planner_moves_a_vertex_of_an_existing_zone_and_saves_it(visit, live_server, planner_on_map, leon):
    from gis_core.models import Version

    zone = make_zone(leon, name="Zona a editar", published=False)
    before = zone.geom.clone()
    page = visit.page
    login(page, live_server.url)
    page.click(f'.edit-on-map[data-zone="{zone.pk}"]')
    wait_for_map(page, "plannerMap")
    x0, y0, x1, y1 = before.extent
    box = page.locator("#planner-map").bounding_box()
    corner = page.evaluate(f"() => window.plannerMap.project([{x1}, {y1}])")
    target = page.evaluate(f"() => window.plannerMap.project([{x1 + 0.01}, {y1 + 0.01}])")
    page.mouse.move(box["x"] + corner["x"], box["y"] + corner["y"])
    page.mouse.down()
    page.mouse.move(box["x"] + target["x"], box["y"] + target["y"], steps=20)
    page.mouse.up()
    page.wait_for_timeout(300)
    page.click("#zone-save button[type=submit]")
    page.wait_for_function("window.plannerLastSaved && window.plannerLastSaved.id", timeout=10000)
    zone.refresh_from_db()
    assert zone.geom.extent[2] > x1 + 0.002 and zone.geom.extent[3] > y1 + 0.002
    assert Version.objects.filter(model="priority_zones.zone", object_id=zone.pk).count() == 2
    assert visit.errors == []


def test_a_circle_gets_its_card(visit, live_server, planner_on_map):
    page = visit.page
    login(page, live_server.url)
    page.click('[data-mode="circle"]')
    click_at(page, CENTRE[0], CENTRE[1])
    click_at(page, CENTRE[0] + 0.01, CENTRE[1])
    page.wait_for_selector("#report-card:not([hidden])", timeout=10000)
    page.wait_for_function("document.getElementById('planner-status').textContent.includes('actualizada')")
    assert card(page, "obras") == "2"
    area = float(card(page, "area_km2").split()[0].replace(",", ""))
    assert 2.5 < area < 4.0  # a radius of about 1.04 km
    assert visit.errors == []


def test_the_version_page_draws_the_old_and_new_geometry(visit, live_server, planner_on_map, leon):
    from priority_zones.actions import do_update_zone
    from tests.places import box

    zone = make_zone(leon, name="Zona movida", published=False)
    do_update_zone(zone, geom=box(-101.70, 21.10, -101.66, 21.14))
    page = visit.page
    login(page, live_server.url)
    page.goto(f"{live_server.url}/planeacion/zone/{zone.pk}/versiones/")
    page.wait_for_function("window.versionMap && window.versionMap.loaded()", timeout=20000)
    roles = page.evaluate(
        "() => window.versionMap.querySourceFeatures('versions').map(f => f.properties.role).sort()"
    )
    assert set(roles) == {"new", "old"}
    assert visit.errors == []


def test_the_workspace_and_its_forms_have_no_serious_accessibility_violations(
    visit, live_server, planner_on_map
):
    from tests.browser.conftest import axe_violations

    page = visit.page
    login(page, live_server.url)
    assert axe_violations(page) == []
    for url in ("/planeacion/importar/", "/planeacion/zonas/nueva/", "/cuenta/entrar/"):
        page.goto(live_server.url + url)
        assert axe_violations(page) == [], url
