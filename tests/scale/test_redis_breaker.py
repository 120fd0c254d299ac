"""The Redis cache's circuit breaker (gis_core.redis_breaker) against a real redis-server: a hung
node (SIGSTOP) costs the first cache call one REDIS_TIMEOUT_MS, the calls after it nothing; a
stopped node the same; once the node is back, the first call after REDIS_RETRY_SECONDS uses it."""

from __future__ import annotations

import os
import signal
import time

import pytest
from django.conf import settings
from django_redis.cache import RedisCache

from gis_core.redis_breaker import BREAKER
from tests.scale.conftest import RedisProcess
from tests.serving import free_port

TIMEOUT_S = settings.REDIS_TIMEOUT_MS / 1000


@pytest.fixture
def redis(tmp_path):
    server = RedisProcess(free_port(), tmp_path)
    server.start()
    BREAKER.reset()
    try:
        yield server
    finally:
        if server.proc is not None and server.proc.poll() is None:
            os.kill(server.proc.pid, signal.SIGCONT)
        server.stop()
        BREAKER.reset()


def _cache(url: str) -> RedisCache:
    # The production options (config/settings.py), on this test's own server.
    return RedisCache(url, {"OPTIONS": dict(settings.REDIS_CACHE_OPTIONS), "TIMEOUT": 60})


def _timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_a_hung_redis_costs_one_timeout_then_the_cache_is_skipped_until_it_answers_again(redis, settings):
    settings.REDIS_RETRY_SECONDS = 2
    cache = _cache(redis.url)
    cache.set("tile", b"bytes")
    assert cache.get("tile") == b"bytes"

    assert redis.proc is not None
    os.kill(redis.proc.pid, signal.SIGSTOP)
    try:
        first, first_seconds = _timed(lambda: cache.get("tile"))
        assert first is None  # a miss, not an error
        assert TIMEOUT_S * 0.8 <= first_seconds < TIMEOUT_S * 4, first_seconds
        assert BREAKER.is_open()
        # The next calls of this process skip Redis at once: set, get, get_many all misses.
        later = [_timed(lambda: cache.get("tile")) for _ in range(20)]
        later.append(_timed(lambda: cache.set("other", 1)))
        later.append(_timed(lambda: cache.get_many(["tile", "other"])))
        assert [r for r, _ in later[:20]] == [None] * 20
        assert later[-1][0] == {}
        assert max(s for _, s in later) < 0.05, [round(s, 3) for _, s in later]
    finally:
        os.kill(redis.proc.pid, signal.SIGCONT)

    # Back: still skipped until REDIS_RETRY_SECONDS have passed, then used again.
    assert cache.get("tile") is None
    time.sleep(2.2)
    assert cache.get("tile") == b"bytes"
    assert not BREAKER.is_open()
    cache.set("after", 2)
    assert redis.client().exists(":1:after")


def test_a_stopped_redis_opens_the_breaker_and_a_restarted_one_closes_it(redis, settings):
    settings.REDIS_RETRY_SECONDS = 1
    cache = _cache(redis.url)
    cache.set("k", 1)
    redis.stop()
    assert cache.get("k") is None
    assert BREAKER.is_open()
    _result, seconds = _timed(lambda: [cache.get("k") for _ in range(50)])
    assert seconds < 0.1, seconds
    redis.start()  # empty, as a replaced node
    time.sleep(1.1)
    cache.set("k", 3)
    assert cache.get("k") == 3
    assert not BREAKER.is_open()


def test_a_redis_restart_between_calls_does_not_open_the_breaker(redis):
    """An idle pooled connection broken by a restart is reconnected by redis-py, not counted as a
    failure: the cache keeps working on the next call."""
    cache = _cache(redis.url)
    cache.set("k", 1)
    redis.stop()
    redis.start()
    cache.set("k", 2)
    assert cache.get("k") == 2
    assert not BREAKER.is_open()
