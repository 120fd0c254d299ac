"""Settings of the API tests: only the API's URLs, from a cold cache. The real data they read (INEGI
municipios, the 2026 rural ZAP, the SHCP projects) is in tests/places.py."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def api_urls(settings):
    """Route only /api/ and /ogc/ (see tests/api/urls.py)."""
    settings.ROOT_URLCONF = "tests.api.urls"
