"""Browser fixtures: one Chromium (Debian's) for the session, a fresh page per test that records every
request and console error, and a small live data set served by pytest-django's live_server.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.gis.geos import Point

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def browser():
    """One Chromium for all the browser tests (they live in one module).

    Module scope, not session: Playwright's sync API keeps an event loop in the test thread, and
    Django refuses ORM calls from such a thread unless DJANGO_ALLOW_ASYNC_UNSAFE is set. The
    variable is set only while this module runs and Playwright stops with it, so no later test
    (nor a subprocess such as `check --deploy`) inherits either.
    """
    sync_api = pytest.importorskip("playwright.sync_api")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_api.sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield chromium
            chromium.close()


@dataclass
class Visit:
    """A page plus what it asked for and complained about."""

    page: object
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def foreign_requests(self, live_url: str) -> list[str]:
        host = urlsplit(live_url).netloc
        foreign = []
        for url in self.requests:
            inner = url.removeprefix("blob:")  # MapLibre's workers load from same-origin blob: URLs
            if inner.startswith("data:"):
                continue
            if urlsplit(inner).netloc != host:
                foreign.append(url)
        return foreign


@pytest.fixture
def visit(browser, live_server):
    # bypass_csp: wait_for_function and axe's injected script need eval and inline script, which
    # the site's Content-Security-Policy forbids; tests/browser/test_csp.py uses strict_visit.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-MX", bypass_csp=True)
    page = context.new_page()
    record = Visit(page)
    page.on("request", lambda request: record.requests.append(request.url))
    page.on("console", lambda msg: record.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: record.errors.append(f"pageerror: {exc}"))
    yield record
    context.close()


@pytest.fixture
def strict_visit(browser, live_server):
    """A visit that enforces the site's Content-Security-Policy, as a real browser does."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-MX")
    page = context.new_page()
    record = Visit(page)
    page.on("request", lambda request: record.requests.append(request.url))
    page.on("console", lambda msg: record.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: record.errors.append(f"pageerror: {exc}"))
    yield record
    context.close()


def wait_for_map(page, name: str = "territorioMap") -> None:
    page.wait_for_function(
        f"window.{name} && window.{name}.loaded() && window.{name}.areTilesLoaded()", timeout=20000
    )
    # "idle": no transition or tile still in flight, every placed feature drawn.
    page.evaluate(
        f"() => new Promise(r => {{ const m = window.{name}; if (!m.isMoving() && m.areTilesLoaded()) "
        f"{{ m.once('idle', r); m.triggerRepaint(); }} else m.once('idle', r); }})"
    )


def pixels(page, x: float, y: float, radius: int = 2) -> list[tuple[int, int, int]]:
    """Colours of the screen around (x, y) in page coordinates, read from a real screenshot."""
    png = page.screenshot(
        clip={"x": x - radius, "y": y - radius, "width": 2 * radius + 1, "height": 2 * radius + 1}
    )
    data = base64.b64encode(png).decode()
    return [
        tuple(p)
        for p in page.evaluate(
            """async (data) => {
                const img = new Image();
                img.src = 'data:image/png;base64,' + data;
                await img.decode();
                const c = document.createElement('canvas');
                c.width = img.width; c.height = img.height;
                const g = c.getContext('2d');
                g.drawImage(img, 0, 0);
                const d = g.getImageData(0, 0, c.width, c.height).data;
                const out = [];
                for (let i = 0; i < d.length; i += 4) out.push([d[i], d[i + 1], d[i + 2]]);
                return out;
            }""",
            data,
        )
    ]


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', "
        "values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def live_works(
    transactional_db, leon, xichu, zap_xichu_2026, work_well_xichu, work_road_leon, water_category, sop
):
    """The conftest places and works, plus four works around central León at known distances, progress
    reports on the Xichú well and one unpublished work; the tile cache starts empty (the database
    is flushed between tests, so cached tiles of another test's data must not survive)."""
    from django.core.cache import cache

    from works_map.actions import do_create_work, do_record_progress, do_review_progress

    cache.clear()
    centre = (-101.65, 21.15)
    near = {}
    for i, (dx, status) in enumerate(
        [(0.004, "EN_EJECUCION"), (0.02, "TERMINADA"), (0.05, "PROGRAMADA"), (0.11, "TERMINADA")]
    ):
        near[i] = do_create_work(
            folio=f"LEO-2026-{i + 100}",
            fiscal_year=2026,
            name=f"Obra de prueba {i + 1} en León",
            category=water_category,
            geom=Point(centre[0] + dx, centre[1], srid=4326),
            municipio=leon,
            status=status,
            amount_approved=Decimal(100000 * (i + 1)),
            physical_progress=Decimal(20 * i),
            agencies=[(sop, "EJECUTORA")],
        )
    hidden = do_create_work(
        folio="LEO-2026-999",
        fiscal_year=2026,
        name="Obra no publicada",
        category=water_category,
        geom=Point(centre[0], centre[1] + 0.01, srid=4326),
        municipio=leon,
        status="PLANEACION",
        published=False,
    )
    for day, physical in ((dt.date(2026, 2, 1), Decimal("10")), (dt.date(2026, 4, 1), Decimal("40"))):
        report = do_record_progress(
            work_well_xichu, reported_on=day, physical_pct=physical, financial_pct=physical / 2
        )
        do_review_progress(report, approve=True)
    for work in (*near.values(), hidden, work_well_xichu, work_road_leon):
        work.refresh_from_db()  # the representative point is set by a database trigger
    return {"centre": centre, "near": near, "hidden": hidden, "well": work_well_xichu, "road": work_road_leon}
