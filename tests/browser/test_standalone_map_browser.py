"""A downloaded folium map opened from disk in Chromium with every other host blocked: it renders its
works and asks for nothing but itself."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db(transaction=True)

COUNT_MARKERS = """() => {
  const map = window[Object.keys(window).find(k => k.startsWith('map_'))];
  let n = 0;
  map.eachLayer(l => { if (l instanceof L.CircleMarker) n++; });
  return n;
}"""

OPEN_FIRST_POPUP = """() => {
  const map = window[Object.keys(window).find(k => k.startsWith('map_'))];
  let first = null;
  map.eachLayer(l => {
    if (l instanceof L.CircleMarker && l.feature.properties.f === 'XIC-2026-001') first = l;
  });
  first.openPopup();
  return document.querySelector('.leaflet-popup-content').innerHTML;
}"""


def test_a_downloaded_municipio_map_renders_offline_with_its_markers(
    browser, client, tmp_path, xichu, works_cluster_xichu
):
    response = client.get(reverse("works_map:municipio-map", args=[xichu.cvegeo]))
    path = tmp_path / "mapa.html"
    path.write_bytes(response.content)
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="es-MX")
    page = context.new_page()
    requested, blocked, errors = [], [], []
    page.on("request", lambda r: requested.append(r.url))
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def only_the_file(route):
        url = route.request.url
        if url.startswith(("file://", "data:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    page.route("**/*", only_the_file)
    page.goto(path.as_uri())
    page.wait_for_selector(".leaflet-container")
    assert page.evaluate(COUNT_MARKERS) == len(works_cluster_xichu)
    assert page.locator("canvas.leaflet-zoom-animated").count() >= 1  # drawn on a canvas
    popup = page.evaluate(OPEN_FIRST_POPUP)
    assert "Red de agua potable en Xichú" in popup
    assert f'href="http://testserver/obras/{works_cluster_xichu[0].pk}/"' in popup
    assert page.locator(".ta-legend h1").inner_text() == "Xichú"
    assert blocked == [] and errors == []
    assert [u for u in requested if not u.startswith(("file://", "data:"))] == []
    page.screenshot(path=str(tmp_path / "mapa.png"))
    context.close()
