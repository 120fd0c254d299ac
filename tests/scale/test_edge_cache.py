"""scripts/serve.sh --edge: nginx in front of Granian, driven over HTTP. Versioned tiles, TileJSON,
style, static files and public summaries are stored by their own headers; household tiles and
staff requests never are; a stored document is served stale while the app is down."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from gis_core.tiles import TileCoord
from gis_core.versions import layer_version
from tests.actors import PASSWORD
from tests.layers.conftest import tile_url
from tests.places import CLUSTER
from tests.serving import database_url, free_port, serve_script

pytestmark = pytest.mark.slow

WELL = (-100.05, 21.3)


class Edge:
    def __init__(self, port: int, prefix: Path, proc: subprocess.Popen) -> None:
        self.port, self.prefix, self.proc = port, prefix, proc

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def login(self, username: str, password: str) -> dict[str, str]:
        """Log in through the edge as a browser would: the session cookie, as a request header."""
        status, headers, _ = self.get("/cuenta/entrar/")
        assert status == 200
        csrf = headers["set-cookie"].split("csrftoken=", 1)[1].split(";", 1)[0]
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            body = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": csrf})
            conn.request(
                "POST",
                "/cuenta/entrar/",
                body=body,
                headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}"},
            )
            response = conn.getresponse()
            response.read()
            assert response.status == 302, response.status
            cookies = response.getheader("Set-Cookie") or ""
        finally:
            conn.close()
        session = cookies.split("sessionid=", 1)[1].split(";", 1)[0]
        return {"Cookie": f"sessionid={session}; csrftoken={csrf}"}

    def cache_status(self, path: str, headers: dict[str, str] | None = None) -> list[str]:
        """X-Cache-Status of the same request made twice."""
        return [self.get(path, headers)[1].get("x-cache-status", "") for _ in range(2)]


def _wait_for(port: int, proc: subprocess.Popen, path: str = "/health") -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return
        except OSError:
            pass
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else "serve.sh exited"
        assert time.monotonic() < deadline, "the pair did not start in 90 s"
        time.sleep(0.3)


def edge_env(
    tmp_path: Path, port: int, *, redis_url: str = "", key: str = "edge-cache-test-"
) -> dict[str, str]:
    """The environment of the production pair on `port` (nginx) with a private prefix and media."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "SECRET_KEY": key + "k" * 40,
        "GRANIAN_PORT": str(free_port()),
        "GRANIAN_WORKERS": "1",
        "EDGE_HOST": "127.0.0.1",
        "EDGE_PORT": str(port),
        "EDGE_PREFIX": str(tmp_path / "nginx"),
        "EDGE_WORKERS": "1",
        "EDGE_CACHE_SECONDS": "1",
        "EDGE_APP_RESTART_SECONDS": "30",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }


@pytest.fixture
def edge(transactional_db, tmp_path, work_well_xichu, households_xichu):
    port = free_port()
    with serve_script(edge_env(tmp_path, port), port, timeout=90, args=["--edge"]) as proc:
        _wait_for(port, proc)
        yield Edge(port, tmp_path / "nginx", proc)


def test_a_versioned_tile_is_stored_and_served_from_the_edge(edge):
    coord = TileCoord.containing(*WELL, 14)
    path = f"{tile_url('works', coord)}?v={layer_version('works')}"
    assert edge.cache_status(path) == ["MISS", "HIT"]
    first, second = edge.get(path), edge.get(path)
    assert first[0] == 200 and first[2] == second[2] and first[1]["etag"] == second[1]["etag"]
    # Without the current version the tile may change: it goes to the app every time.
    assert edge.cache_status(tile_url("works", coord)) == ["MISS", "MISS"]
    # An empty tile (204) is kept too: the app leaves it to the edge as well.
    empty = f"{tile_url('works', TileCoord.containing(-101.0, 20.5, 14))}?v={layer_version('works')}"
    assert edge.get(empty)[0] == 204
    assert edge.cache_status(empty) == ["HIT", "HIT"]


def test_the_app_leaves_the_tiles_the_edge_keeps_out_of_redis(transactional_db, tmp_path, work_well_xichu):
    from tests.scale.conftest import RedisProcess

    redis = RedisProcess(free_port(), tmp_path)
    redis.start()
    port = free_port()
    try:
        env = edge_env(tmp_path, port, redis_url=redis.url)
        with serve_script(env, port, timeout=90, args=["--edge"]) as proc:
            _wait_for(port, proc)
            edge = Edge(port, tmp_path / "nginx", proc)
            coord = TileCoord.containing(*WELL, 14)
            versioned = f"{tile_url('works', coord)}?v={layer_version('works')}"
            assert edge.cache_status(versioned) == ["MISS", "HIT"]
            client = redis.client()
            assert client.keys("*mvt:works:*") == []  # kept by nginx alone
            # Without the current version nginx keeps nothing: the app's cache does.
            assert edge.get(tile_url("works", coord))[0] == 200
            deadline = time.monotonic() + 5  # stored as the response closes: may land just after
            while not client.keys("*mvt:works:*"):
                assert time.monotonic() < deadline, "the unversioned tile was not stored"
                time.sleep(0.05)
            assert len(client.keys("*mvt:works:*")) == 1
    finally:
        redis.stop()


def test_tilejson_style_static_files_and_public_summaries_are_stored(edge):
    for path in (
        "/tiles/works.json",
        "/tiles/style.json",
        "/static/vendor/maplibre-gl/maplibre-gl.js",
        "/api/summaries/works",
        "/api/summaries/investment?by=municipio",
    ):
        assert edge.cache_status(path) == ["MISS", "HIT"], path


def test_a_household_tile_is_never_stored_nor_served_from_the_edge_to_anyone_else(edge, planner_xichu):
    staff = edge.login(planner_xichu.username, PASSWORD)
    path = tile_url("households", TileCoord.containing(*CLUSTER, 14))
    for _ in range(2):
        status, headers, body = edge.get(path, staff)
        assert status == 200 and body
        assert headers["cache-control"].startswith("private")
        assert headers["x-cache-status"] != "HIT"
    status, headers, body = edge.get(path)  # anonymous, same URL
    assert status == 403
    assert headers["x-cache-status"] != "HIT"
    assert b"households" not in body
    # Even with the version a public tile would carry.
    status, headers, _ = edge.get(f"{path}?v={layer_version('households')}")
    assert status == 403 and headers["x-cache-status"] != "HIT"


def test_staff_pages_pass_through_the_edge_uncached(edge, planner_xichu):
    staff = edge.login(planner_xichu.username, PASSWORD)
    statuses = edge.cache_status("/planeacion/", staff)
    assert statuses == ["BYPASS", "BYPASS"]


def test_a_stored_document_is_served_stale_while_the_app_is_down(edge):
    assert edge.cache_status("/tiles/style.json") == ["MISS", "HIT"]
    # Past s-maxage (EDGE_CACHE_SECONDS=1). nginx keeps whole seconds and an entry stays fresh while
    # its expiry second is not yet past, so up to 2 s after it was stored: wait longer than that.
    time.sleep(2.5)
    app = int((edge.prefix / "app.pid").read_text())
    os.kill(app, signal.SIGTERM)  # Granian stops its workers and exits
    deadline = time.monotonic() + 30
    while edge.get("/health")[0] != 502:
        assert time.monotonic() < deadline, "the app did not stop"
        time.sleep(0.2)
    status, headers, body = edge.get("/tiles/style.json")
    assert status == 200 and body.startswith(b"{")
    assert headers["x-cache-status"] == "STALE"
    # Never stored: the app's absence shows as a 502 from the edge, not a hang.
    assert edge.get("/api/works?page_size=1")[0] == 502


def _cache_dir(prefix: Path) -> Path:
    """The directory of proxy_cache_path in the configuration serve.sh rendered."""
    conf = (prefix / "nginx.conf").read_text()
    return Path(conf.split("proxy_cache_path ", 1)[1].split()[0])


def test_the_stored_bodies_live_in_memory_and_go_with_the_pair(transactional_db, tmp_path, work_well_xichu):
    port = free_port()
    path = f"{tile_url('works', TileCoord.containing(*WELL, 14))}?v={layer_version('works')}"
    with serve_script(edge_env(tmp_path, port), port, timeout=90, args=["--edge"]) as proc:
        _wait_for(port, proc)
        edge = Edge(port, tmp_path / "nginx", proc)
        cache_dir = _cache_dir(edge.prefix)
        # A tmpfs: a miss writes no disk.
        assert cache_dir.parent == Path("/dev/shm")  # noqa: S108 (serve.sh makes it with mktemp)
        assert edge.cache_status(path) == ["MISS", "HIT"]
        assert [p for p in cache_dir.rglob("*") if p.is_file()]  # the tile's body is there
    assert not cache_dir.exists()  # the pair's own directory is removed when it stops


def test_a_cache_directory_named_in_the_environment_is_used_and_kept(
    transactional_db, tmp_path, work_well_xichu
):
    port = free_port()
    chosen = tmp_path / "edge-cache"
    path = f"{tile_url('works', TileCoord.containing(*WELL, 14))}?v={layer_version('works')}"
    env = {**edge_env(tmp_path, port), "EDGE_CACHE_DIR": str(chosen)}
    with serve_script(env, port, timeout=90, args=["--edge"]) as proc:
        _wait_for(port, proc)
        edge = Edge(port, tmp_path / "nginx", proc)
        assert _cache_dir(edge.prefix) == chosen
        assert edge.cache_status(path) == ["MISS", "HIT"]
    assert [p for p in chosen.rglob("*") if p.is_file()]  # kept across restarts, as a disk cache is


def test_a_cache_larger_than_dev_shm_goes_to_disk_with_a_warning(transactional_db, tmp_path, work_well_xichu):
    port = free_port()
    path = f"{tile_url('works', TileCoord.containing(*WELL, 14))}?v={layer_version('works')}"
    env = {**edge_env(tmp_path, port), "EDGE_CACHE_SIZE": "100000g"}  # more than any /dev/shm here
    with serve_script(env, port, timeout=90, args=["--edge"]) as proc:
        _wait_for(port, proc)
        edge = Edge(port, tmp_path / "nginx", proc)
        assert _cache_dir(edge.prefix) == tmp_path / "nginx" / "cache"
        assert edge.cache_status(path) == ["MISS", "HIT"]
    assert proc.stdout is not None
    assert "cannot hold EDGE_CACHE_SIZE=100000g" in proc.stdout.read()
