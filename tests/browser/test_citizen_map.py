"""The citizen pages in Debian's Chromium against a live server: tiles drawn where the works are, a
click opening a work, filters and the nearby list, and every page clean (no console error, no
request to another host, no serious axe-core violation).
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import axe_violations, pixels, wait_for_map

pytestmark = pytest.mark.django_db(transaction=True)

BACKGROUND = (242, 239, 233)  # the style's background colour (#f2efe9)


def _open_home(visit, live_server, query: str = ""):
    visit.page.goto(f"{live_server.url}/{query}")
    wait_for_map(visit.page)
    visit.page.wait_for_selector("#work-list[data-loaded]", state="attached")


def _zoom_to(page, lon: float, lat: float, zoom: float = 14) -> tuple[float, float]:
    """Centre the map on a point; return the point's position in page pixels."""
    page.evaluate(f"() => window.territorioMap.jumpTo({{center: [{lon}, {lat}], zoom: {zoom}}})")
    wait_for_map(page)
    return page.evaluate(
        f"""() => {{
            const p = window.territorioMap.project([{lon}, {lat}]);
            const r = window.territorioMap.getContainer().getBoundingClientRect();
            return [r.left + p.x, r.top + p.y];
        }}"""
    )


def _rendered_works(page) -> list[dict]:
    return page.evaluate(
        "() => window.territorioMap.queryRenderedFeatures({layers: ['works']}).map(f => f.properties)"
    )


def _list_names(page, selector: str = "#work-list li a") -> list[str]:
    return page.locator(selector).all_inner_texts()


def test_the_map_draws_a_work_in_its_status_colour_where_the_work_is(visit, live_server, live_works):
    _open_home(visit, live_server)
    well = live_works["well"]
    x, y = _zoom_to(visit.page, well.point.x, well.point.y)
    drawn = pixels(visit.page, x, y)
    visit.page.evaluate("() => window.territorioMap.setLayoutProperty('works', 'visibility', 'none')")
    wait_for_map(visit.page)
    without = pixels(visit.page, x, y)

    # EN_EJECUCION is #fd8d3c; the circle is 90 % opaque over the map.
    orange = [p for p in drawn if p[0] > 200 and 110 < p[1] < 190 and p[2] < 140]
    assert len(orange) >= len(drawn) // 2, drawn
    assert not [p for p in without if p[0] > 200 and 110 < p[1] < 190 and p[2] < 140], without
    assert visit.errors == []


def test_clicking_a_work_on_the_map_opens_its_page(visit, live_server, live_works):
    _open_home(visit, live_server)
    work = live_works["near"][1]
    x, y = _zoom_to(visit.page, work.point.x, work.point.y, zoom=15)
    visit.page.mouse.click(x, y)
    visit.page.wait_for_url(re.compile(rf"/obras/{work.pk}/$"))
    assert visit.page.locator("h1").inner_text() == work.name
    assert visit.errors == []


def test_the_filters_change_the_works_on_the_map_and_in_the_list_together(visit, live_server, live_works):
    _open_home(visit, live_server)
    before = _rendered_works(visit.page)
    assert {p["status"] for p in before} >= {"EN_EJECUCION", "TERMINADA"}
    assert len(_list_names(visit.page)) == 6  # every published work (the unpublished one is not listed)

    visit.page.select_option("select[name=status]", "TERMINADA")
    visit.page.wait_for_function("document.querySelectorAll('#work-list li').length === 3")
    visit.page.wait_for_function(
        "() => { const f = window.territorioMap.queryRenderedFeatures({layers: ['works']});"
        " return f.length > 0 && f.every(x => x.properties.status === 'TERMINADA'); }",
        timeout=15000,
    )
    wait_for_map(visit.page)
    after = _rendered_works(visit.page)
    assert {p["status"] for p in after} == {"TERMINADA"}
    assert sum(p["count"] for p in after) < sum(p["count"] for p in before)
    assert sorted(_list_names(visit.page)) == sorted(
        [live_works["road"].name, live_works["near"][1].name, live_works["near"][3].name]
    )
    assert "status=TERMINADA" in visit.page.url  # the filtered view has its own address

    visit.page.select_option("select[name=municipio]", "11045")  # Xichú has no finished work
    visit.page.wait_for_function("document.querySelectorAll('#work-list li').length === 0")
    assert visit.errors == []


def test_the_nearby_list_of_a_searched_municipio_is_sorted_by_distance(visit, live_server, live_works):
    _open_home(visit, live_server)
    visit.page.fill("#place-q", "leon")  # accents are optional
    visit.page.click("#place-form button[type=submit]")
    visit.page.wait_for_selector("#nearby-list[data-loaded]", state="attached")
    distances = [
        float(d)
        for d in visit.page.locator("#nearby-list li").evaluate_all(
            "items => items.map(li => li.dataset.distanceM)"
        )
    ]
    names = _list_names(visit.page, "#nearby-list li a")
    assert distances == sorted(distances)
    # The León works within 50 km of the municipio's centre; Xichú's well is ~160 km away.
    assert set(names) == {live_works["road"].name, *(w.name for w in live_works["near"].values())}
    assert live_works["well"].name not in names
    assert (
        visit.page.locator("#nearby-list li").first.inner_text().count("km")
        + visit.page.locator("#nearby-list li").first.inner_text().count(" m")
        >= 1
    )
    assert visit.errors == []


def test_a_searched_postal_code_lists_the_works_near_its_municipio(visit, live_server, live_works):
    _open_home(visit, live_server)
    visit.page.fill("#place-q", "37000")  # a León postal code (SEPOMEX)
    visit.page.click("#place-form button[type=submit]")
    visit.page.wait_for_selector("#nearby-list[data-loaded]", state="attached")
    names = _list_names(visit.page, "#nearby-list li a")
    assert set(names) == {live_works["road"].name, *(w.name for w in live_works["near"].values())}
    assert "C.P. 37000" in visit.page.locator("#nearby-status").inner_text()
    assert visit.errors == []


def test_a_click_on_an_empty_spot_lists_the_works_nearest_to_it(visit, live_server, live_works):
    _open_home(visit, live_server)
    lon, lat = live_works["centre"]
    x, y = _zoom_to(visit.page, lon - 0.03, lat - 0.03, zoom=12)
    visit.page.mouse.click(x, y)
    visit.page.wait_for_selector("#nearby-list[data-loaded]", state="attached")
    distances = [
        float(d)
        for d in visit.page.locator("#nearby-list li").evaluate_all(
            "items => items.map(li => li.dataset.distanceM)"
        )
    ]
    assert len(distances) == 5 and distances == sorted(distances)
    assert visit.errors == []


def _pages(live_works) -> dict[str, str]:
    zone = live_works["well"].municipio.zones.first()
    return {
        "home": "/",
        "work": f"/obras/{live_works['well'].pk}/",
        "municipio": "/municipios/11020/",
        "zone": f"/zonas/{zone.pk}/",
    }


@pytest.mark.parametrize("name", ["home", "work", "municipio", "zone"])
def test_every_page_loads_with_no_error_no_foreign_request_and_no_serious_axe_violation(
    visit, live_server, live_works, name
):
    response = visit.page.goto(live_server.url + _pages(live_works)[name])
    assert response.status == 200
    if name == "home":
        wait_for_map(visit.page)
        visit.page.wait_for_selector("#work-list[data-loaded]", state="attached")
    elif name == "work":
        wait_for_map(visit.page, "territorioMiniMap")
    else:
        visit.page.wait_for_load_state("networkidle")
    assert axe_violations(visit.page) == []
    assert visit.errors == []
    assert visit.foreign_requests(live_server.url) == []
    assert len(visit.requests) >= 3  # the recorder saw the page, its stylesheet and icon


def test_an_unpublished_work_has_no_public_page(visit, live_server, live_works):
    response = visit.page.goto(f"{live_server.url}/obras/{live_works['hidden'].pk}/")
    assert response.status == 404


def test_the_language_switch_shows_the_work_page_in_english_and_back(visit, live_server, live_works):
    visit.page.goto(f"{live_server.url}/obras/{live_works['well'].pk}/")
    assert visit.page.locator("html").get_attribute("lang") == "es"
    assert visit.page.locator("#quien").inner_text() == "Quién la ejecuta"
    visit.page.click("form.lang-switch button[value=en]")
    visit.page.wait_for_load_state()
    assert visit.page.locator("html").get_attribute("lang") == "en"
    assert visit.page.locator("#quien").inner_text() == "Who carries it out"
    # the work's own figures (the citizen reports' tally below is a second .figures list)
    assert "$2,500,000.00" in visit.page.locator(".figures").first.inner_text()
    visit.page.click("form.lang-switch button[value=es]")
    visit.page.wait_for_load_state()
    assert visit.page.locator("html").get_attribute("lang") == "es"


def test_the_zone_year_and_the_investment_choropleth_change_the_map(visit, live_server, live_works):
    _open_home(visit, live_server)
    page = visit.page
    assert page.eval_on_selector("#zone-year", "s => s.value") == "2026"  # the newest year with zones
    assert "year=2026" in page.evaluate("() => window.territorioMap.getSource('zones').tiles[0]")
    page.select_option("#zone-year", "")
    assert "year=" not in page.evaluate("() => window.territorioMap.getSource('zones').tiles[0]")

    page.check("#choropleth")
    page.wait_for_selector("#choropleth-legend li")
    wait_for_map(page)
    assert page.evaluate("() => window.territorioMap.getPaintProperty('municipios-fill', 'fill-opacity')") > 0
    colours = page.evaluate("() => window.territorioMap.getPaintProperty('municipios-fill', 'fill-color')")
    assert colours[0] == "match" and {"11020", "11045"} <= set(colours[2:-1:2])
    assert page.locator("#choropleth-legend li").count() == 5
    assert visit.errors == []


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(visit, live_server, live_works):
    visit.page.goto(f"{live_server.url}/municipios/11020/")
    visit.page.keyboard.press("Tab")
    assert visit.page.evaluate("document.activeElement.textContent") == "Saltar al contenido"
    visit.page.keyboard.press("Enter")
    assert visit.page.evaluate("document.activeElement.id") == "contenido"
