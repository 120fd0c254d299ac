"""Capacity figures per request class (opt-in: `make bench-capacity`, after `make bench-tiles` has
seeded its database). Prints requests per second per core for each class the README's capacity
model uses; asserts nothing.

On the bench database (BENCH_DB, BENCH_WORKS works) with the production server (scripts/serve.sh,
Granian, 2 x cores workers) and a private Redis, each class is warmed once and then measured with
8 keep-alive clients: the home page, a nearby search, a works summary computed each time (a filter
set not asked for since the data changed) and from the app cache, the investment summary (cached),
uncached and cached tiles (from bench_tiles' list), tiles served by nginx from its cache (load from
wrk, as the Python client tops out first; its figure printed too), and one
streamed GeoJSON export (MB/s). The clients run on the same cores as the server, so per-core
figures are lower bounds.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_tiles as bt  # noqa: E402 - the servers and the client are shared with the tile benchmark

CORES = os.cpu_count() or 1
N_WORKS = int(os.environ.get("BENCH_WORKS", "100000").split(",")[0])


def _per_core(result: dict) -> float:
    return result["rps"] / CORES


def collect_static() -> None:
    """Pages name hashed static files under DEBUG=0 (the manifest storage): collect them once."""
    static_root = bt.ROOT / ".local" / "bench-static"
    bt.SERVER_ENV["STATIC_ROOT"] = str(static_root)
    os.environ["STATIC_ROOT"] = str(static_root)
    if not (static_root / "staticfiles.json").exists():
        bt.manage("collectstatic", "--noinput", "-v", "0")


def measure() -> dict:
    bt.ensure_database(N_WORKS)
    collect_static()
    tiles = bt.tile_list()
    tile_paths = [f"/tiles/works/{z}/{x}/{y}.mvt" for z, x, y in tiles]
    places = bt.PLACES
    # The works summary is cached per filter set until the data change: a blank `q` of i spaces
    # filters nothing but is another filter set, so each "computed" request runs its statements.
    computed = [
        f"/api/summaries/works?year={y}&q={'%20' * (i + 1)}"
        for i, y in enumerate(list(range(2018, 2027)) * 10)
    ]
    classes = {
        "page": ["/"] * 60,
        "nearby": [f"/api/works/nearby?lon={lon}&lat={lat}&radius_m=2000" for lon, lat in places] * 10,
        "summary (computed)": computed[18:],
        "summary (app cache)": [f"/api/summaries/works?year={y}" for y in range(2018, 2027)] * 22,
        "summary (cached)": ["/api/summaries/investment?by=municipio"] * 200,
    }
    warm_paths = {"summary (computed)": computed[:18]}
    out: dict = {"works": N_WORKS, "cores": CORES, "server_workers": bt.WORKERS, "load": os.getloadavg()}
    redis = bt.start_redis()
    try:
        proc = bt.start_ours()
        try:
            for name, paths in classes.items():
                bt.warm(bt.OUR_PORT, warm_paths.get(name, paths[:20]))
                out[name] = bt.run(bt.OUR_PORT, paths, 8)
            bt.warm(bt.OUR_PORT, tile_paths)
            bt.flush_redis()
            out["tile (uncached)"] = bt.run(bt.OUR_PORT, tile_paths, 8)
            out["tile (app cache)"] = bt.run(bt.OUR_PORT, tile_paths * 3, 8)
            started = time.perf_counter()
            _, _, size = bt.Client(bt.OUR_PORT).get("/api/export/works.geojson")
            seconds = time.perf_counter() - started
            out["export geojson"] = {"bytes": size, "seconds": seconds, "mb_per_s": size / seconds / 1e6}
        finally:
            bt.stop(proc)
    finally:
        bt.stop(redis)
        bt.SERVER_ENV.pop("REDIS_URL", None)
    bt.EDGE_ROUNDS = 1  # the cached tiles are measured in the first round
    edge = bt.edge(tiles, tile_paths, 1000)
    # wrk, as in bench_tiles: the Python client tops out before nginx does.
    out["tile (nginx cache)"] = edge["edge_cached_wrk_c8"]
    out["tile (nginx cache, Python client)"] = edge["edge_cached_c8"]
    out["load_after"] = os.getloadavg()
    return out


def main() -> None:
    os.environ.update(bt.SERVER_ENV)
    sys.path.insert(0, str(bt.ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    r = measure()
    print(
        f"\n{r['works']:,} works, {r['cores']} cores, {r['server_workers']} server workers, load {r['load']}"
    )
    for name, m in r.items():
        if isinstance(m, dict) and "rps" in m:
            print(
                f"  {name:<20} {m['rps']:8.1f} req/s   {_per_core(m):8.1f} req/s per core"
                f"   p50 {m['p50_ms']:.1f} ms"
            )
    e = r["export geojson"]
    print(
        f"  export geojson       {e['bytes'] / 1e6:.1f} MB in {e['seconds']:.1f} s"
        f" = {e['mb_per_s']:.1f} MB/s (1 stream)"
    )
    print(f"  load average after: {r['load_after']}")
    bt.RESULTS.mkdir(parents=True, exist_ok=True)
    (bt.RESULTS / f"capacity_{r['works']}.json").write_text(json.dumps(r, indent=2))


if __name__ == "__main__":
    main()
