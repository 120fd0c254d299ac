"""The citizen map's area tool in Chromium: draw a polygon, see its works, "Guardar y compartir" gives a
permanent link whose page is the area's report card; saving it again gives the same link."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import wait_for_map

pytestmark = pytest.mark.django_db(transaction=True)


def click_at(page, lon: float, lat: float) -> None:
    box = page.locator("#map").bounding_box()
    xy = page.evaluate(f"() => window.territorioMap.project([{lon}, {lat}])")
    page.mouse.move(box["x"] + xy["x"], box["y"] + xy["y"])
    page.mouse.click(box["x"] + xy["x"], box["y"] + xy["y"])
    page.wait_for_timeout(60)


def test_a_citizen_draws_an_area_saves_it_and_opens_its_link(visit, live_server, live_works):
    from works_map.models import PublicArea

    page = visit.page
    page.goto(f"{live_server.url}/")
    wait_for_map(page)
    page.wait_for_function("document.getElementById('area-tool').dataset.ready === 'true'", timeout=20000)
    lon, lat = live_works["centre"]
    page.evaluate(f"() => window.territorioMap.jumpTo({{center: [{lon}, {lat}], zoom: 12}})")
    wait_for_map(page)
    page.click("#area-draw")
    d = 0.03  # holds the three works within 0.02 degrees of the centre, not the one at 0.05
    for dx, dy in [(-d, -d), (d, -d), (d, d), (-d, d)]:
        click_at(page, lon + dx, lat + dy)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.getElementById('area-status').textContent.includes('obras')", timeout=10000
    )
    assert page.locator("#nearby-list li").count() == 0  # the clicks drew vertices, not a nearby search
    page.click("#area-save")
    page.wait_for_selector("#area-link-box:not([hidden])", timeout=10000)
    url = page.input_value("#area-link")
    assert re.fullmatch(rf"{re.escape(live_server.url)}/areas/[a-z2-7]{{8}}/", url)
    area = PublicArea.objects.get()
    assert url.endswith(f"/areas/{area.code}/")
    page.click("#area-save")  # the same polygon again: the same link, nothing new stored
    page.wait_for_function("document.getElementById('area-status').textContent.includes('guardada')")
    assert page.input_value("#area-link") == url and PublicArea.objects.count() == 1
    page.goto(url)
    assert f"Área {area.code}" in page.locator("h1").inner_text()
    assert visit.errors == []
