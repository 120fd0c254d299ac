"""What the whole suite shares: the named actors (tests/actors.py), the named places
(tests/places.py) and the shared data directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.utils import translation

pytest_plugins = ["tests.actors", "tests.places", "tests.mail_server"]

SHARED_DATA = Path(os.environ.get("GTO_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA} (set GTO_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts from a cold cache: cached summaries and page choices are keyed by layer
    versions, which restart with every test database state."""
    from django.core.cache import cache

    from gis_core.versions import forget_recent

    cache.clear()
    forget_recent()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language: a request that switched to English (the
    language toggle, an Accept-Language header) must not translate the next test's messages."""
    yield
    translation.deactivate()
