"""The admin map in a real browser (Debian's Chromium): the zone is drawn and nothing leaves the host.

Every request the page makes is answered by Django itself (the test client for pages, the
staticfiles finders for assets) or recorded as foreign; so the test also proves the admin works
offline, with no CDN and no tile server.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")


@pytest.fixture
def browser_page(monkeypatch):
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the route handler below calls the
    # Django test client from it, synchronously and on the test's own connection.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        # bypass_csp: wait_for_function evaluates its string with eval(), which the site's
        # Content-Security-Policy forbids; tests/browser/test_csp.py checks the policy itself.
        page = browser.new_page(viewport={"width": 1280, "height": 1000}, bypass_csp=True)
        yield page
        browser.close()


def serve_from_django(page, client, paths: list[str]) -> list[str]:
    """Route the page's requests to Django; return the list of URLs that went anywhere else.

    Pages are fetched with the test client before the browser asks for them: Playwright runs its
    callbacks in another context, where the test's open transaction (and its user) is not visible.
    """
    pages = {path: client.get(path) for path in paths}
    foreign: list[str] = []

    def handle(route):
        url = urlsplit(route.request.url)
        if url.hostname != "testserver":
            foreign.append(route.request.url)
            return route.abort()
        if url.path.startswith("/static/"):
            found = finders.find(url.path.removeprefix("/static/"))
            if not found:
                return route.fulfill(status=404, body="")
            content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
            return route.fulfill(status=200, body=Path(found).read_bytes(), content_type=content_type)
        response = pages.get(url.path)
        if response is None:
            return route.fulfill(status=404, body=f"not prefetched: {url.path}")
        return route.fulfill(
            status=response.status_code, body=response.content, content_type=response["Content-Type"]
        )

    page.route("**/*", handle)
    return foreign


def test_the_zone_change_form_draws_the_polygon_with_no_request_to_another_host(
    browser_page, client, admin_user, zap_xichu_2026, leon, tmp_path
):
    client.force_login(admin_user)
    url = reverse("admin:priority_zones_zone_change", args=[zap_xichu_2026.pk])
    foreign = serve_from_django(browser_page, client, [url, reverse("admin:jsi18n")])
    errors: list[str] = []
    browser_page.on("pageerror", lambda exc: errors.append(f"{exc}\n{exc.stack}"))
    browser_page.goto(f"http://testserver{url}")
    try:
        browser_page.wait_for_function(
            "window.geodjango_geom && window.geodjango_geom.map.isRendered()", timeout=15000
        )
    except Exception as exc:  # noqa: BLE001 - report what the page said instead of a bare timeout
        raise AssertionError(f"the map never rendered; page errors: {errors}, foreign: {foreign}") from exc

    drawn = browser_page.evaluate(
        """() => {
            const widget = window.geodjango_geom;
            const features = widget.featureOverlay.getSource().getFeatures();
            const size = widget.map.getSize();
            return {
                count: features.length,
                type: features.length ? features[0].getGeometry().getType() : null,
                pixel: widget.map.getPixelFromCoordinate(
                    features[0].getGeometry().getInteriorPoints().getFirstCoordinate()),
                size: size,
            };
        }"""
    )
    # Kept for a human look: ADMIN_SCREENSHOT_DIR=/some/dir pytest tests/gis_core/test_admin_map_browser.py
    screenshots = Path(os.environ.get("ADMIN_SCREENSHOT_DIR") or tmp_path)
    browser_page.screenshot(path=str(screenshots / "admin-zone-map.png"), full_page=True)
    assert errors == []
    assert foreign == []
    assert drawn["count"] == 1 and drawn["type"] == "MultiPolygon"
    x, y = drawn["pixel"]
    width, height = drawn["size"]
    assert 0 <= x <= width and 0 <= y <= height, "the zone is outside the visible map"


def test_with_a_basemap_configured_only_its_tile_server_is_contacted(
    browser_page, client, admin_user, zap_xichu_2026, settings
):
    settings.BASEMAP_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    client.force_login(admin_user)
    url = reverse("admin:priority_zones_zone_change", args=[zap_xichu_2026.pk])
    foreign = serve_from_django(browser_page, client, [url, reverse("admin:jsi18n")])
    browser_page.goto(f"http://testserver{url}")
    browser_page.wait_for_function("window.geodjango_geom && window.geodjango_geom.map.isRendered()")
    browser_page.wait_for_timeout(300)  # let the tile queue start
    assert foreign, "the basemap was never requested"
    assert all(u.startswith("https://tiles.example.org/") and u.endswith(".png") for u in foreign), foreign
