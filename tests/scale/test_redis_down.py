"""Redis stopped under the production pair (scripts/serve.sh --edge: nginx in front of Granian,
REDIS_URL set): public pages, tiles and summaries keep answering from the database (cache misses),
nginx keeps serving what it stored and refreshes expired documents from the app, staff sessions
(cached_db: written through to the database) stay valid and new logins work; Redis back, the cache
fills again. No answer is a 5xx at any point."""

from __future__ import annotations

import os
import signal
import time

import pytest

from gis_core.tiles import TileCoord
from gis_core.versions import layer_version
from tests.actors import PASSWORD
from tests.layers.conftest import tile_url
from tests.places import CLUSTER
from tests.scale.conftest import RedisProcess
from tests.scale.test_edge_cache import WELL, Edge, _wait_for, edge_env
from tests.serving import free_port, serve_script

pytestmark = pytest.mark.slow

PUBLIC_PAGES = [
    "/",
    "/datos/",
    "/obras/{pk}/",
    "/api/summaries/works",
    "/api/summaries/investment?by=municipio",
]


@pytest.fixture
def redis(tmp_path):
    server = RedisProcess(free_port(), tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def edge_with_redis(transactional_db, tmp_path, redis, work_well_xichu, households_xichu):
    port = free_port()
    env = edge_env(tmp_path, port, redis_url=redis.url, key="redis-down-test-")
    env["REDIS_RETRY_SECONDS"] = "1"  # the workers try Redis again one second after a failure
    with serve_script(env, port, timeout=90, args=["--edge"]) as proc:
        _wait_for(port, proc)
        yield Edge(port, tmp_path / "nginx", proc)


def _ok(edge: Edge, path: str, headers: dict[str, str] | None = None) -> tuple[dict[str, str], bytes]:
    status, found, body = edge.get(path, headers)
    assert 200 <= status < 300, (path, status, body[:300])
    return found, body


def test_with_redis_stopped_pages_tiles_and_sessions_keep_answering_through_nginx(
    edge_with_redis, redis, planner_xichu, work_well_xichu
):
    edge = edge_with_redis
    pages = [page.format(pk=work_well_xichu.pk) for page in PUBLIC_PAGES]
    # A restricted tile: what a session is for (the planner may see Xichú's households).
    households = tile_url("households", TileCoord.containing(*CLUSTER, 14))
    coords = [TileCoord.containing(*WELL, z) for z in (12, 13, 14)]
    stored = f"{tile_url('works', coords[0])}?v={layer_version('works')}"
    unversioned = tile_url("works", coords[1])  # never stored by nginx: the app answers each time
    later = f"{tile_url('works', coords[2])}?v={layer_version('works')}"  # first asked with Redis down

    # Redis up: nginx stores the versioned tile, the app caches in Redis, a planner logs in.
    assert edge.cache_status(stored) == ["MISS", "HIT"]
    _headers, tile = _ok(edge, unversioned)
    assert tile
    staff = edge.login(planner_xichu.username, PASSWORD)
    assert edge.get(households, staff)[0] == 200
    for path in pages:
        _ok(edge, path)
    assert edge.cache_status("/tiles/style.json")[1] == "HIT"
    assert redis.keys() > 0

    redis.stop()
    # Redis down: everything answers; what nginx stored is served, what it did not comes from the
    # database through the app (its cache misses are ignored, not errors).
    assert edge.get(stored)[1]["x-cache-status"] == "HIT"
    headers, again = _ok(edge, unversioned)
    assert again == tile and headers["x-cache-status"] == "MISS"
    assert edge.cache_status(later) == ["MISS", "HIT"]
    for path in pages:
        _ok(edge, path)
    # An expired document: nginx answers at once with what it has and refreshes it from the app.
    time.sleep(2.5)  # past s-maxage=1 (nginx keeps whole seconds)
    headers, style = _ok(edge, "/tiles/style.json")
    assert headers["x-cache-status"] in ("STALE", "UPDATING", "EXPIRED"), headers["x-cache-status"]
    assert style.startswith(b"{")
    deadline = time.monotonic() + 10
    while edge.get("/tiles/style.json")[1]["x-cache-status"] != "HIT":
        assert time.monotonic() < deadline, "nginx did not refresh the style from the app"
        time.sleep(0.3)
    # Sessions are rows in the database too: the planner stays logged in, and a new login works.
    assert edge.get(households, staff)[0] == 200
    second = edge.login(planner_xichu.username, PASSWORD)
    assert edge.get(households, second)[0] == 200
    # Anonymous stays anonymous.
    assert edge.get(households)[0] == 403

    redis.start()  # empty, as a replaced cache node
    assert redis.keys() == 0
    time.sleep(1.2)  # past REDIS_RETRY_SECONDS: the workers' circuit breakers let a call through
    headers, back = _ok(edge, unversioned)
    assert back == tile
    assert redis.keys() > 0  # the app caches in Redis again
    for session in (staff, second):
        assert edge.get(households, session)[0] == 200
    for path in pages:
        _ok(edge, path)


def test_with_redis_hung_requests_wait_at_most_the_redis_timeout_not_forever(
    edge_with_redis, redis, planner_xichu
):
    """A Redis that accepts connections but never answers (SIGSTOP: a frozen node, a full network
    buffer): a cache call gives up after REDIS_TIMEOUT_MS and opens the worker's circuit breaker,
    so tiles and sessions still answer instead of hanging until nginx's 120 s upstream timeout,
    and the calls after it skip Redis at once (gis_core.redis_breaker)."""
    edge = edge_with_redis
    unversioned = tile_url("works", TileCoord.containing(*WELL, 13))
    _headers, tile = _ok(edge, unversioned)
    staff = edge.login(planner_xichu.username, PASSWORD)
    households = tile_url("households", TileCoord.containing(*CLUSTER, 14))
    assert redis.proc is not None
    os.kill(redis.proc.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        headers, again = _ok(edge, unversioned)
        tile_seconds = time.monotonic() - started
        assert again == tile
        started = time.monotonic()
        assert edge.get(households, staff)[0] == 200
        session_seconds = time.monotonic() - started
        # Six more tiles nobody asked for yet (each would make two cache calls): each worker paid
        # its one timeout above or pays it now, then skips Redis.
        started = time.monotonic()
        for zoom in (9, 10, 11, 12, 14, 15):
            _ok(edge, tile_url("works", TileCoord.containing(*WELL, zoom)))
        six_seconds = time.monotonic() - started
    finally:
        os.kill(redis.proc.pid, signal.SIGCONT)
    print(  # noqa: T201
        f"with Redis hung: tile {tile_seconds:.2f} s, staff tile {session_seconds:.2f} s, "
        f"six more tiles {six_seconds:.2f} s"
    )
    assert tile_seconds < 10 and session_seconds < 10
    assert six_seconds < 3, six_seconds
