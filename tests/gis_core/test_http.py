"""DatabaseErrorMiddleware: a refused row is a 400 naming the rule, a timeout a 503, never a 500."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.urls("tests.gis_core.urls_for_tests")


def test_a_row_refused_by_a_check_constraint_is_a_400_problem_naming_the_rule(client, db):
    response = client.get("/refused/")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Datos rechazados",
        "status": 400,
        "detail": "La CVEGEO de un municipio tiene 5 dígitos (entidad + municipio).",
    }


def test_a_value_refused_by_a_column_type_is_a_400_with_the_database_reason(client, db):
    response = client.get("/foreign-srid/")
    assert response.status_code == 400
    assert response.json()["detail"] == "Geometry SRID (3857) does not match column SRID (4326)"


def test_a_statement_timeout_is_a_503_and_the_query_is_cancelled(client, db):
    started = time.monotonic()
    response = client.get("/slow/")
    assert time.monotonic() - started < 1.5  # cancelled at 50 ms, not after pg_sleep(2)
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Servicio ocupado"


def test_the_connection_is_usable_after_a_timeout(client, db):
    client.get("/slow/")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] != "50ms"
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_lost_connection_is_a_503_to_retry_not_bad_input(client, db):
    response = client.get("/broken/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["title"] == "Servicio no disponible"


def test_a_statement_timeout_says_when_to_retry(client, db):
    assert client.get("/slow/")["Retry-After"] == "5"
