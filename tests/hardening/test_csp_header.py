"""The Content-Security-Policy header (django-csp) on pages and API answers; the browser suite
(tests/browser/test_csp.py) checks that the pages satisfy it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.urls("config.urls"), pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]


def _policy(response) -> dict[str, list[str]]:
    return {
        name: values
        for name, *values in (part.split() for part in response["Content-Security-Policy"].split(";"))
    }


@pytest.mark.parametrize("path", ["/", "/api/works", "/cuenta/entrar/", "/no-existe/"])
def test_every_answer_carries_the_policy(client, path):
    policy = _policy(client.get(path))
    assert policy["script-src"] == ["'self'"]
    assert policy["worker-src"] == ["'self'", "blob:"] and policy["child-src"] == ["'self'", "blob:"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


def test_no_template_has_an_inline_script():
    inline = re.compile(r"<script(?![^>]*(\bsrc=|type=\"application/json\"))[^>]*>")
    offenders = [
        str(path.relative_to(ROOT))
        for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")]
        if inline.search(path.read_text())
    ]
    assert offenders == []
