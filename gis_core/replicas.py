"""Read replicas: public reads go to the streaming replicas in DATABASE_REPLICA_URLS.

Only anonymous GET/HEAD requests may read from a replica (ReplicaReadsMiddleware marks them).
Everything else stays on the primary: writes, requests carrying a session (staff), anything inside
a transaction on the primary (read-after-write within a request), management commands and the
worker. One request reads from one replica, chosen round-robin among those that accept a
connection; a replica that refuses is skipped for REPLICA_RETRY_SECONDS, so a stopped replica
costs no failed request (the same request falls back to the primary).

Replica lag and cached versions: tile and summary caches are keyed by the layer's data version,
read from the primary. A replica that has not yet replayed that version must not render what will
be stored under it, so `fresh_alias` compares the replica's own LayerVersion rows with the versions
the cache key uses and answers the primary when the replica is behind (gis_core.versions).
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse

log = logging.getLogger(__name__)

# Set for the length of a request that may read from a replica; holds the alias once chosen.
_ALLOWED = "allowed"
_reads: ContextVar[str | None] = ContextVar("replica_reads", default=None)
_down_until: dict[str, float] = {}
_turn = itertools.count()
# Models whose reads always go to the primary: sessions and users (logins, staff), the job queue.
PRIMARY_APPS = frozenset({"sessions", "auth", "admin", "contenttypes"})
PRIMARY_MODELS = frozenset({"gis_core.layerversion", "planning.importjob", "planning.workerheartbeat"})


def replica_aliases() -> list[str]:
    return settings.DATABASE_REPLICA_ALIASES


def mark_down(alias: str) -> None:
    _down_until[alias] = time.monotonic() + settings.REPLICA_RETRY_SECONDS
    try:
        connections[alias].close()
    except DatabaseError:
        pass


def _usable(alias: str) -> bool:
    """Connect (or check the kept connection once per request, as CONN_HEALTH_CHECKS does)."""
    if _down_until.get(alias, 0.0) > time.monotonic():
        return False
    conn = connections[alias]
    try:
        conn.close_if_health_check_failed()
        conn.ensure_connection()
    except DatabaseError as exc:
        log.warning("replica %s unavailable, reading from the primary: %s", alias, str(exc).strip()[:200])
        mark_down(alias)
        return False
    _down_until.pop(alias, None)
    return True


def read_alias() -> str:
    """The database this request reads from: its replica, or the primary."""
    state = _reads.get()
    if state is None:
        return DEFAULT_DB_ALIAS
    if state != _ALLOWED:
        return state
    aliases = replica_aliases()
    start = next(_turn)
    chosen = DEFAULT_DB_ALIAS
    for offset in range(len(aliases)):
        alias = aliases[(start + offset) % len(aliases)]
        if _usable(alias):
            chosen = alias
            break
    _reads.set(chosen)
    return chosen


def fresh_alias(versions: Mapping[str, int]) -> str:
    """This request's replica if it has replayed at least these layer versions, else the primary.

    Whatever is rendered from the answer may be stored under these versions: a lagging replica
    would otherwise put old data under a new version, where no later write would replace it."""
    alias = read_alias()
    if alias == DEFAULT_DB_ALIAS or not versions:
        return alias
    from gis_core.models import LayerVersion

    try:
        replayed = dict(
            LayerVersion.objects.using(alias).filter(name__in=list(versions)).values_list("name", "version")
        )
    except DatabaseError:
        mark_down(alias)
        _reads.set(DEFAULT_DB_ALIAS)
        return DEFAULT_DB_ALIAS
    if all(replayed.get(name, 1) >= version for name, version in versions.items()):
        return alias
    return DEFAULT_DB_ALIAS


@contextmanager
def reading_from(alias: str) -> Iterator[None]:
    """Route this block's ORM reads to `alias` (the answer of fresh_alias)."""
    token = _reads.set(alias if alias != DEFAULT_DB_ALIAS else None)
    try:
        yield
    finally:
        _reads.reset(token)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Let this block read from a replica (what the middleware does for an anonymous GET)."""
    token = _reads.set(_ALLOWED if replica_aliases() else None)
    try:
        yield
    finally:
        _reads.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        if _reads.get() is None:
            return None
        meta = model._meta
        if meta.app_label in PRIMARY_APPS or meta.label_lower in PRIMARY_MODELS:
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None  # reads inside a write's transaction see that write
        alias = read_alias()
        return None if alias == DEFAULT_DB_ALIAS else alias

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the replicas are copies of the primary

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS


class ReplicaReadsMiddleware:
    """Anonymous GET/HEAD requests (no session cookie) may read from a replica; others may not."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            not settings.DATABASE_REPLICA_ALIASES
            or request.method not in ("GET", "HEAD")
            or settings.SESSION_COOKIE_NAME in request.COOKIES
        ):
            return self.get_response(request)
        with replica_reads():
            return self.get_response(request)
