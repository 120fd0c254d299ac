"""A circuit breaker for the Redis cache (REDIS_URL): a Redis that stops answering costs one request
one timeout, not every request.

Without it each cache call of every request waits REDIS_TIMEOUT_MS on a hung node (a frozen
process, a full network buffer) before django-redis ignores the error as a miss; a page makes
several calls (the session, the tile, the version keys), so every request paid seconds. Here the
first timeout or refused connection opens the breaker for REDIS_RETRY_SECONDS: meanwhile every
cache call of this process fails at once (a miss, as with Redis down), then one call tries Redis
again and closes the breaker if it answers.

The breaker is per process (Granian workers are processes; their threads share it). It plugs into
redis-py's connection pool through django-redis's CONNECTION_POOL_CLASS (config/settings.py), for
TCP URLs (redis://); a unix socket or TLS URL keeps redis-py's own connection classes.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from redis.connection import Connection, ConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)


class Breaker:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.open_until = 0.0

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self, error: Exception) -> None:
        seconds = settings.REDIS_RETRY_SECONDS
        with self._lock:
            was_open = self.is_open()
            self.open_until = time.monotonic() + seconds
        if not was_open:
            # The message names the node and the failure, never a key or a value.
            logger.warning("Redis cache unavailable (%s): cache skipped for %s s", error, seconds)

    def reset(self) -> None:
        with self._lock:
            self.open_until = 0.0


BREAKER = Breaker()


class BreakerConnection(Connection):
    """A TCP connection to Redis that refuses to wait while the breaker is open and opens it on a
    timeout or a failed connect. A reset on an established connection (Redis restarted) does not
    trip it: redis-py reconnects, and only if that connect fails does the breaker open."""

    def _refuse_while_open(self) -> None:
        if BREAKER.is_open():
            self.disconnect()
            raise RedisConnectionError("Redis skipped: it failed a moment ago (circuit breaker open)")

    def connect(self) -> None:
        self._refuse_while_open()
        try:
            super().connect()
        except (RedisConnectionError, RedisTimeoutError) as exc:
            BREAKER.trip(exc)
            raise

    def send_packed_command(self, command, check_health=True):  # type: ignore[no-untyped-def]
        self._refuse_while_open()
        try:
            return super().send_packed_command(command, check_health)
        except RedisTimeoutError as exc:
            BREAKER.trip(exc)
            raise

    def read_response(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return super().read_response(*args, **kwargs)
        except RedisTimeoutError as exc:
            BREAKER.trip(exc)
            raise


class BreakerConnectionPool(ConnectionPool):
    def __init__(self, connection_class=Connection, **kwargs):  # type: ignore[no-untyped-def]
        if connection_class is Connection:
            connection_class = BreakerConnection
        super().__init__(connection_class=connection_class, **kwargs)
