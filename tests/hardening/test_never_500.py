"""Hostile input gets a 4xx naming the problem, never a 500 (issue 13): integer parameters,
non-integer ids, NUL characters, TRACE, oversize bodies, lost database connections; and every
error on the machine-facing paths is an RFC 9457 problem, HTML elsewhere."""

from __future__ import annotations

import pytest
from django.db import InterfaceError, OperationalError
from django.test import override_settings

pytestmark = [pytest.mark.urls("config.urls"), pytest.mark.django_db]

# Each accepted by str.isdigit() or by int() but not an ASCII integer.
BAD_INTEGERS = ["²", "٣", "--5", "+-5", "1_000", " 1 2", "5" * 4000, "0x10", "1e3", "\u00a05\u00a0x"]

INTEGER_PARAMS = [
    ("/api/works/nearby?lon=-101.68&lat=21.12&limit={v}", "limit"),
    ("/api/works?page_size={v}", "page_size"),
    ("/api/zones?year={v}", "year"),
    ("/api/summaries/investment?year={v}", "year"),
    ("/api/summaries/investment.csv?year={v}", "year"),
    ("/api/summaries/fais?year={v}", "year"),
    ("/ogc/collections/works/items?limit={v}", "limit"),
    ("/ogc/collections/works/items?offset={v}", "offset"),
    ("/ogc/collections/works/items?fiscal_year={v}", "fiscal_year"),
]


@pytest.mark.parametrize("value", BAD_INTEGERS)
@pytest.mark.parametrize(("url", "param"), INTEGER_PARAMS)
def test_a_malformed_integer_is_a_400_naming_the_parameter(client, url, param, value):
    response = client.get(url.format(v=value))
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    assert param in response.json()["detail"]
    assert len(response.json()["detail"]) < 300  # a 4,000-digit value is not echoed back


@pytest.mark.parametrize("value", ["²", "--5", "5" * 4000])
def test_the_need_investment_table_refuses_a_malformed_year(client, value):
    response = client.get("/api/summaries/need-investment", {"year": value})
    assert response.status_code == 400
    assert "year" in response.json()["detail"]


def test_an_integer_out_of_range_says_the_range(client):
    response = client.get("/api/works/nearby?lon=-101.68&lat=21.12&limit=-5")
    assert response.status_code == 400
    assert "1 y 100" in response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/zones/abc/summary",
        "/api/zones/²/summary",
        "/api/zones/99999999999999999999999/summary",
        "/api/zones/abc",
        "/api/works/abc",
        "/api/works/--5",
        "/api/categories/x",
        "/ogc/collections/works/items/²",
        "/ogc/collections/works/items/" + "9" * 30,
        "/ogc/collections/works/items/-1",
        "/api/summaries/need?zone=²",
        "/api/summaries/need?zone=" + "9" * 30,
    ],
)
def test_a_malformed_id_is_a_404_problem(client, url):
    response = client.get(url)
    assert response.status_code == 404, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"


def test_a_nul_in_the_place_search_is_a_400_with_our_message(client):
    response = client.get("/lugares/buscar", {"q": "Le\x00ón"})
    assert response.status_code == 400
    assert response.json()["parameter"] == "q"
    assert "NUL" in response.json()["detail"]
    assert "PostgreSQL" not in response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    ["/api/works?source=%25s", "/api/works?agency=50%25%25", "/ogc/collections/works/items?agency=%25d"],
)
def test_a_percent_sign_in_an_echoed_value_is_a_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "%" in response.json()["detail"]


@pytest.mark.parametrize("url", ["/api/works?municipio=\x00", "/ogc/collections/works/items?status=%00"])
def test_a_nul_anywhere_in_the_query_string_is_a_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("url", ["/", "/api/works", "/ogc/", "/tiles/works/10/225/450.mvt"])
def test_trace_is_a_405(client, url):
    response = client.generic("TRACE", url)
    assert response.status_code == 405
    assert "TRACE" not in response["Allow"]


def test_too_many_vertices_is_a_400_that_states_the_limit(client, settings):
    settings.MAX_DRAWN_VERTICES = 50
    ring = [[-101.7 + 0.001 * i, 21.1] for i in range(60)] + [[-101.7, 21.2], [-101.7, 21.1]]
    response = client.post(
        "/api/summaries/need",
        data={"type": "Polygon", "coordinates": [ring]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "50" in response.json()["detail"]


# --- Errors outside the views: problem+json on API paths, HTML elsewhere ------------------------


@pytest.mark.parametrize("path", ["/api/nothing-here", "/ogc/nothing/here", "/tiles/nothing"])
def test_an_unknown_api_path_is_a_404_problem(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert set(response.json()) >= {"type", "title", "status", "detail"}


def test_an_unknown_page_is_a_404_html_page(client):
    response = client.get("/no-existe/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_a_body_over_the_limit_is_a_413_problem(client):
    response = client.post("/api/summaries/need", data=b"[" * 2048, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert "MB" in response.json()["detail"]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_a_drf_body_over_the_limit_is_a_413_problem(client):
    response = client.post("/api/summary", data=b"[" * 2048, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"


def _raise(exc: Exception):
    def view(*args, **kwargs):
        raise exc

    return view


@pytest.mark.parametrize(
    "exc",
    [
        OperationalError("terminating connection due to administrator command"),
        OperationalError("connection to server failed: Connection refused"),
        InterfaceError("connection already closed"),
    ],
)
@pytest.mark.parametrize("path", ["/api/works", "/"])
def test_a_lost_database_is_a_503_with_retry_after(client, monkeypatch, exc, path):
    from works_map import pages
    from works_map.api import views

    monkeypatch.setattr(views.WorkViewSet, "list", _raise(exc))
    monkeypatch.setattr(pages, "home_options", _raise(exc))
    response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "application/problem+json"


def test_a_crash_on_an_api_path_is_a_500_problem_without_internals(client, monkeypatch):
    from works_map.api import views

    monkeypatch.setattr(views.WorkViewSet, "list", _raise(RuntimeError("secret internals")))
    client.raise_request_exception = False
    response = client.get("/api/works")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert "secret" not in response.content.decode()


def test_a_crash_on_a_page_is_a_500_html_page(client, monkeypatch):
    from works_map import pages

    monkeypatch.setattr(pages, "home_options", _raise(RuntimeError("secret internals")))
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert "secret" not in response.content.decode()


def test_a_lost_connection_outside_the_views_is_a_503_from_handler500(rf):
    """A session saved on a dropped connection fails after the view, past the middleware's
    process_exception: Django's handler500 runs inside its except block and still says 503."""
    from gis_core.http import server_error

    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(rf.get("/planeacion/"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
