"""The home map reads the municipios layer from its PMTiles archive (range requests through the
pmtiles protocol) and draws its features, with no console error."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.browser.conftest import wait_for_map

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_map_shows_the_municipios_from_a_pmtiles_archive(
    visit, live_server, live_works, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PMTILES_LAYERS = ["municipios"]
    call_command("export_pmtiles", "--layer", "municipios", "--maxzoom", "10")
    ranges: list[str] = []
    visit.page.on(
        "request",
        lambda r: ranges.append(r.headers.get("range", "")) if ".pmtiles" in r.url else None,
    )
    visit.page.goto(f"{live_server.url}/")
    wait_for_map(visit.page)
    visit.page.evaluate("() => window.territorioMap.jumpTo({center: [-101.65, 21.15], zoom: 9})")
    wait_for_map(visit.page)
    source = visit.page.evaluate("() => window.territorioMap.getStyle().sources.municipios")
    assert source["url"].startswith("pmtiles://") and source["url"].endswith(".pmtiles")
    found = visit.page.evaluate(
        "() => window.territorioMap.querySourceFeatures('municipios', {sourceLayer: 'municipios'})"
        ".map(f => f.properties.name)"
    )
    assert "León" in found
    assert ranges and all(r.startswith("bytes=") for r in ranges)
    assert not [e for e in visit.errors if "pmtiles" in e.lower() or "municipios" in e.lower()], visit.errors
    assert visit.foreign_requests(live_server.url) == []
