"""Hypothesis strategies for the geometry and numeric parameters of every endpoint that takes them:
whatever is sent, the answer is a success or a 4xx problem naming the parameter, never a 5xx."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

pytestmark = [pytest.mark.urls("config.urls"), pytest.mark.django_db]

FAST = settings(
    max_examples=40, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
)

# Numbers as a client may type them: integers of any size, floats with nan/inf, and text that
# str.isdigit() or float() accept in ways int() does not ("²", "1e3", "--5", "٣", " 7 ").
number_text = st.one_of(
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(alphabet="0123456789-+.,e²٣ _\u00a0x", max_size=30),
    st.text(max_size=12),
)

NUMERIC_PARAMS = [
    ("/api/works/nearby", {"lon": "-101.68", "lat": "21.12"}, "limit"),
    ("/api/works/nearby", {"lon": "-101.68", "lat": "21.12"}, "radius_m"),
    ("/api/works/nearby", {"lat": "21.12"}, "lon"),
    ("/api/locate", {"lon": "-101.68"}, "lat"),
    ("/api/works", {}, "page_size"),
    ("/api/works", {}, "fiscal_year"),
    ("/api/zones", {}, "year"),
    ("/api/summaries/investment", {}, "year"),
    ("/api/summaries/fais", {}, "year"),
    ("/api/summaries/need-investment", {}, "year"),
    ("/api/summaries/need", {}, "zone"),
    ("/ogc/collections/works/items", {}, "limit"),
    ("/ogc/collections/works/items", {}, "offset"),
    ("/ogc/collections/works/items", {}, "fiscal_year"),
    ("/ogc/collections/works/items", {}, "bbox"),
]


@pytest.mark.parametrize(
    ("path", "fixed", "param"), NUMERIC_PARAMS, ids=[f"{p}?{n}" for p, _, n in NUMERIC_PARAMS]
)
def test_a_numeric_parameter_is_answered_or_refused_never_a_5xx(client, path, fixed, param):
    @seed(13)
    @FAST
    @given(value=number_text)
    def check(value):
        response = client.get(path, {**fixed, param: value})
        assert response.status_code < 500, (value, response.content[:300])
        if response.status_code == 400:
            assert response["Content-Type"] == "application/problem+json"

    check()


# Positions: mostly inside Guanajuato, sometimes anywhere, sometimes not numbers at all.
coordinate = st.one_of(
    st.floats(min_value=-102.3, max_value=-99.4),
    st.floats(min_value=19.7, max_value=22.1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.none(),
    st.text(max_size=5),
)
position = st.one_of(
    st.tuples(st.floats(min_value=-102.3, max_value=-99.4), st.floats(min_value=19.7, max_value=22.1)).map(
        list
    ),
    st.lists(coordinate, min_size=0, max_size=3),
)


@st.composite
def rings(draw):
    points = draw(st.lists(position, min_size=0, max_size=8))
    if points and draw(st.booleans()):
        points = [*points, points[0]]  # closed, as a real ring is
    return points


geojson = st.one_of(
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["Polygon", "MultiPolygon", "Point", "Feature", ""]),
            "coordinates": st.one_of(
                st.lists(rings(), max_size=3), st.lists(st.lists(rings(), max_size=2), max_size=2)
            ),
        }
    ),
    st.recursive(
        st.none() | st.integers() | st.text(max_size=4),
        lambda inner: st.lists(inner, max_size=3),
        max_leaves=20,
    ),
    st.dictionaries(st.sampled_from(["type", "coordinates", "geometry"]), st.text(max_size=8), max_size=3),
)


@pytest.mark.parametrize("path", ["/api/summary", "/api/summaries/need"])
def test_a_drawn_area_is_answered_or_refused_never_a_5xx(client, path):
    @seed(13)
    @FAST
    @given(body=geojson)
    def check(body):
        response = client.post(path, data=json.dumps(body), content_type="application/json")
        assert response.status_code in (200, 400), (body, response.content[:300])
        if response.status_code == 400:
            assert response.json()["detail"]

    check()
