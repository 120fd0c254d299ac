"""Malformed drawn areas get a 400 naming the problem on both polygon endpoints, never a 500 (issue 13)."""

from __future__ import annotations

import pytest

ENDPOINTS = ("/api/summary", "/api/summaries/need")
HUGE = "1" + "0" * 399  # 400 digits: valid JSON, too big for a float


@pytest.fixture(autouse=True)
def full_urls(api_urls, settings):
    """The need summary lives in priority_zones' URLs, outside tests/api/urls.py: route the whole site."""
    settings.ROOT_URLCONF = "config.urls"


def polygon_text(coordinates: str) -> bytes:
    return ('{"type": "Polygon", "coordinates": ' + coordinates + "}").encode()


MALFORMED = [
    pytest.param(b'{"type": "Polygon"}', "coordinates", id="no-coordinates"),
    pytest.param(b"{}", "nada", id="empty-object"),
    pytest.param(b"null", "objeto GeoJSON", id="null-body"),
    pytest.param(polygon_text('"[[-101, 20.5]]"'), "coordinates", id="string-coordinates"),
    pytest.param(polygon_text("null"), "coordinates", id="null-coordinates"),
    pytest.param(polygon_text('[["a", "b", "c", "d"]]'), "posición", id="string-positions"),
    pytest.param(polygon_text("[[null, null, null, null]]"), "posición", id="null-positions"),
    pytest.param(
        polygon_text(f"[[[-{HUGE}, 20.5], [-100.9, 20.5], [-100.9, 20.6], [-{HUGE}, 20.5]]]"),
        "números finitos",
        id="400-digit-integer",
    ),
    pytest.param(
        polygon_text(f"[[[-{HUGE}.5, 20.5], [-100.9, 20.5], [-100.9, 20.6], [-{HUGE}.5, 20.5]]]"),
        "números finitos",
        id="400-digit-float",
    ),
    pytest.param(b'{"type": "Polygon", "coordinates": [[[-101, 20.5], "\xff\xfe"]]}', "UTF-8", id="non-utf8"),
    pytest.param(polygon_text("[" * 100_000 + "]" * 100_000), "profundidad", id="deeply-nested"),
    pytest.param(polygon_text("[[[[[[[[-101, 20.5]]]]]]]]"), "posiciones", id="extra-nesting"),
    pytest.param(b'{"type": "Feature", "geometry": null}', "Feature", id="feature-without-geometry"),
    pytest.param(b'{"type": ["Polygon"], "coordinates": []}', "polígono", id="type-not-a-string"),
]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(("body", "fragment"), MALFORMED)
def test_it_refuses_malformed_geojson_naming_the_problem(client, db, endpoint, body, fragment):
    response = client.post(endpoint, data=body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert fragment in response.json()["detail"], response.json()["detail"]
