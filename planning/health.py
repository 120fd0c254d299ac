"""GET /health: whether this instance can serve (database), and how its helpers are (cache, import
worker). For a load balancer or `docker compose` healthcheck: 200 while the database answers, 503
when it does not; the worker's state is reported, not required (the site serves without it)."""

from __future__ import annotations

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gis_core.http import RETRY_AFTER_SECONDS
from outbox import dispatch
from planning import worker


def _database() -> bool:
    try:
        connection.ensure_connection()
        return connection.is_usable()  # a round trip: a connection kept from before a restart is tested
    except DatabaseError:
        return False


def _cache() -> bool:
    try:
        cache.set("health-probe", 1, 10)
        return cache.get("health-probe") == 1
    except Exception:  # a cache backend may raise anything on an outage
        return False


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    database = _database()
    body = {
        "status": "ok" if database else "unavailable",
        "database": "ok" if database else "unavailable",
        "cache": "ok" if _cache() else "unavailable",
        "worker": worker.health() if database else "unknown",
        "outbox": dispatch.counts() if database else None,
    }
    response = JsonResponse(body, status=200 if database else 503)
    if not database:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
