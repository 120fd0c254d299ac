"""Data versions per layer: every write bumps them, tile URLs and cache keys carry them.

Stored in the database (one row per layer) so a cache eviction can never resurrect a stale tile.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connection, transaction

_CACHE_KEY = "layer-version:{}"
# A shared cache (Redis) sees every bump's delete at once. A process-local one (the default local
# memory cache) only sees deletes from its own process, so other workers re-read the version
# after at most LOCAL_TTL seconds: a write shows up everywhere that fast.
SHARED_TTL = 300
LOCAL_TTL = 2


def _version_ttl() -> int:
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    return LOCAL_TTL if isinstance(caches["default"], LocMemCache) else SHARED_TTL


# Inside bumps_once(): the layers written so far, bumped together when the block ends.
_gathered: ContextVar[set[str] | None] = ContextVar("layer_bumps_gathered", default=None)


@contextmanager
def bumps_once() -> Iterator[None]:
    """Gather the bumps of a block that writes many rows through the actions (an import of 50,000
    works) and bump each layer written once at the end, not once per row."""
    if _gathered.get() is not None:  # already gathering: the outer block bumps
        yield
        return
    names: set[str] = set()
    token = _gathered.set(names)
    try:
        yield
    finally:
        _gathered.reset(token)
    if names:
        bump_layers(*sorted(names))


def bump_layers(*names: str) -> None:
    """Bump the version of each named layer once the current transaction commits."""
    gathered = _gathered.get()
    if gathered is not None:
        gathered.update(names)
        return

    def _bump() -> None:
        from gis_core.models import LayerVersion

        for name in names:
            LayerVersion.objects.bump(name)
            cache.delete(version_cache_key(name))
            _recent.pop(name, None)

    if connection.in_atomic_block:
        transaction.on_commit(_bump)
    else:
        _bump()


def version_cache_key(name: str) -> str:
    """Where layer_version keeps a layer's version in the cache (read with other keys at once)."""
    return _CACHE_KEY.format(name)


def layer_version(name: str) -> int:
    """The layer's current version: from the cache, else the primary (a replica may lag behind a
    bump). With the primary unreachable, a public request reads it from its replica, cached for
    LOCAL_TTL only: what that replica renders is then stored under the replica's own version."""
    key = version_cache_key(name)
    version = cache.get(key)
    if version is None:
        from gis_core.models import LayerVersion

        try:
            version = LayerVersion.objects.current(name)
        except (OperationalError, InterfaceError):
            from gis_core import replicas

            alias = replicas.read_alias()
            if alias == DEFAULT_DB_ALIAS:
                raise
            version = LayerVersion.objects.db_manager(alias).current(name)
            cache.set(key, version, LOCAL_TTL)
            return int(version)
        cache.set(key, version, _version_ttl())
    return int(version)


# What this process read of each layer's version, and when (recent_version).
RECENT = 1.0
_recent: dict[str, tuple[int, float]] = {}


def recent_version(name: str) -> int:
    """The layer's version as this process read it less than RECENT seconds ago, else read again.

    A bump made by this process forgets it at once; another process's bump shows within RECENT
    seconds. For a check that may lag that long: layers.tilecache uses it to tell whether a request
    the edge will keep names the current version, where a lag can only put newer data under an
    older version's URL, never older data under a newer one."""
    known = _recent.get(name)
    if known is not None and time.monotonic() - known[1] < RECENT:
        return known[0]
    version = layer_version(name)
    remember_version(name, version)
    return version


def remember_version(name: str, version: int) -> None:
    """A version just read another way (with a cached tile, in one round trip) counts as recent."""
    _recent[name] = (version, time.monotonic())


def forget_recent() -> None:
    """Forget every version this process read (each test starts from its own database state)."""
    _recent.clear()


@contextmanager
def reads_at(versions: Mapping[str, int]) -> Iterator[None]:
    """Route the block's ORM reads to this request's replica if it has replayed these versions,
    else to the primary: what the block computes may be cached under them (gis_core.replicas)."""
    from gis_core import replicas

    with replicas.reading_from(replicas.fresh_alias(versions)):
        yield
