"""A report card printed: Chromium's PDF of a municipio card is A4, without navigation or downloads,
and keeps its charts."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

A4_POINTS = (595.28, 841.89)


def test_a_municipio_card_prints_as_a_clean_a4_report(visit, live_server, live_works, tmp_path):
    page = visit.page
    page.goto(f"{live_server.url}/municipios/11020/")
    page.emulate_media(media="print")
    assert page.locator(".site-nav").is_hidden()
    assert page.locator(".downloads").is_hidden()
    assert page.locator(".pagination").count() == 0 or page.locator(".pagination").is_hidden()
    assert page.locator("section.card svg").first.is_visible()  # the charts print
    page.screenshot(path=str(tmp_path / "print.png"), full_page=True)
    pdf = page.pdf(prefer_css_page_size=True, print_background=False)
    assert pdf.startswith(b"%PDF")
    boxes = {tuple(float(v) for v in m) for m in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)}
    assert boxes and all(abs(w - A4_POINTS[0]) < 2 and abs(h - A4_POINTS[1]) < 2 for w, h in boxes), boxes
    (tmp_path / "ficha.pdf").write_bytes(pdf)
    assert visit.foreign_requests(live_server.url) == [] and visit.errors == []
