"""Schemathesis over the whole OpenAPI document (/api/schema/) and the OGC API definition (/ogc/api):
every operation, with generated parameters and bodies, answers what its schema promises (status,
content type, body) and never a 5xx (issue 13). Fixed seed, bounded examples: about a minute."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

pytestmark = [pytest.mark.urls("config.urls")]

EXAMPLES = 8
# Every check (no 5xx, documented status codes, content types, headers and bodies) except
# positive_data_acceptance: a catalogue code (agency, category …) is a string in the schema and an
# unknown one is rightly a 400 naming it, which that check would call a rejected valid request.


def _failures(schema) -> list[str]:
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @seed(13)
        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        try:
            check()
        except Exception as error:  # each operation's failure is collected, then all are reported
            failures.append(f"{operation.label}: {str(error)[:1500]}")
    return failures


@pytest.fixture
def app(db, work_well_xichu, zap_xichu_2026, leon):
    """The WSGI application on the test's transaction: as Django's test client does, requests do
    not close the connection at their end (that would end the test's transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_the_rest_api_keeps_its_openapi_promises(app):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
    failures = _failures(schema)
    assert not failures, "\n\n".join(failures)


def test_the_ogc_api_keeps_its_openapi_promises(app):
    schema = schemathesis.openapi.from_wsgi("/ogc/api", app)
    failures = _failures(schema)
    assert not failures, "\n\n".join(failures)
