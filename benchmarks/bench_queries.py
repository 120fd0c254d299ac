"""Spatial query and export benchmark (opt-in: `make bench-queries`).

At N works (default 1,000,000; --works or BENCH_WORKS) and about 2,000 zones, in one run on the same
data, over HTTP against one worker of the production server (scripts/serve.sh):
  1. GET /api/works/nearby            p50 / p95            (target p50 < 10 ms)
  2. GET /api/zones/{id}/summary      p50 / p95
  3. POST /api/summary (drawn box)    p50 / p95
  4. GET /api/summaries/investment    all zones at once    (target < 500 ms)
  5. GET /api/export/works.geojson    MB/s and peak RSS of the worker (target >= ogr2ogr, RSS < 300 MB)
     against `ogr2ogr -f GeoJSON` from the same table and against the raw feature SQL (psycopg).
  6. GET /api/summaries/investment/crosstab  by zone and municipio x source, category, agency (from the
     pre-summed cells): the first page of 100 areas (target < 500 ms), a walk through every page, the
     whole CSV, against the cells' statement for the whole table run raw (psycopg, no HTTP, no Django)
     and, with --live, the live statement over the works (--crosstab-only: just this).

Runs in its own database (BENCH_DB, default `bench_queries`) on the project-local cluster; the
development database is never touched. Seeds with the project's `generate_synthetic` machinery
(municipios and catalogues first). Prints figures and ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.pop("DATABASE_URL", None)
os.environ["LOCAL_PG_DB"] = os.environ.get("BENCH_DB", "bench_queries")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DB_STATEMENT_TIMEOUT_MS"] = "0"

INNER_BOX = (-101.9, 20.2, -100.0, 21.6)  # where most synthetic works fall


def ensure_database() -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres", autocommit=True
    ) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(db["NAME"])))


def seed(n_works: int, n_zones: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from priority_zones.models import Municipio, Zone
    from priority_zones.reference_data import load_municipios, load_zap_rural_2026
    from works_map.catalogs import load_catalogs
    from works_map.demo import generate_all
    from works_map.models import Work

    call_command("migrate", verbosity=0)
    if not Municipio.objects.exists():
        load_municipios()
        load_catalogs()
        load_zap_rural_2026()
    works = Work.objects.count()
    zones = Zone.objects.count()
    if works < n_works or zones < n_zones * 0.95:  # the zone generator rounds per kind and year
        print(
            f"seeding: {max(0, n_works - works):,} works, {max(0, n_zones - zones):,} zones ...", flush=True
        )
        generate_all(
            works=max(0, n_works - works),
            households=0,
            zones=max(0, n_zones - zones) if zones < n_zones * 0.95 else 0,
            seed=4,
            report=print,
        )
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # noqa: S608 - constant
    print(f"data: {Work.objects.count():,} works, {Zone.objects.count():,} zones", flush=True)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """The production server (scripts/serve.sh) with one worker, against the benchmark database."""

    def __init__(self, port: int):
        self.port = port
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "GRANIAN_HOST": "127.0.0.1",
            "GRANIAN_PORT": str(port),
            "GRANIAN_WORKERS": "1",
            "GRANIAN_LOG_LEVEL": "warning",
            "GRANIAN_LOG_ACCESS_ENABLED": "false",
        }
        self.proc = subprocess.Popen(
            [str(ROOT / "scripts" / "serve.sh")],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(600):  # two minutes: on a loaded machine a worker takes long to import
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}")
            try:
                self.get("/api/categories")
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def worker_pid(self) -> int:
        for proc in Path("/proc").iterdir():
            if proc.name.isdigit():
                try:
                    fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.proc.pid:
                    return int(proc.name)
        raise RuntimeError("no server worker")

    def rss_mb(self, key: str = "VmHWM") -> float:
        for line in (Path("/proc") / str(self.worker_pid()) / "status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes, float]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        started = time.perf_counter()
        headers = {"Content-Type": "application/json"} if body else {}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        conn.close()
        if response.status != 200:
            raise RuntimeError(f"{method} {path} -> {response.status}: {data[:300]!r}")
        return response.status, data, elapsed

    def get(self, path: str):
        return self.request("GET", path)

    def stream(self, path: str) -> tuple[int, float]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        started = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        size = 0
        while chunk := response.read(1 << 20):
            size += len(chunk)
        elapsed = time.perf_counter() - started
        conn.close()
        return size, elapsed

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def report(name: str, seconds: list[float], target_ms: float | None = None) -> None:
    ms = [s * 1000 for s in seconds]
    p50, p95 = statistics.median(ms), pct(ms, 95)
    target = f"   target p50 < {target_ms:g} ms: {'OK' if p50 < target_ms else 'MISSED'}" if target_ms else ""
    print(f"{name:<34} n={len(ms):<4} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms{target}", flush=True)


def bench_http(server: Server, rng: random.Random, samples: int) -> None:
    from priority_zones.models import Zone

    x0, y0, x1, y1 = INNER_BOX
    times = []
    for _ in range(samples):
        lon, lat = rng.uniform(x0, x1), rng.uniform(y0, y1)
        times.append(server.get(f"/api/works/nearby?lon={lon:.5f}&lat={lat:.5f}&radius_m=2000&limit=20")[2])
    report("nearby (2 km, 20 results)", times, 10)

    zone_ids = list(Zone.objects.published().values_list("pk", flat=True))
    times = [
        server.get(f"/api/zones/{rng.choice(zone_ids)}/summary")[2] for _ in range(max(10, samples // 10))
    ]
    report("zone summary (random zone)", times)

    times = []
    for _ in range(max(10, samples // 10)):
        lon, lat = rng.uniform(x0, x1 - 0.1), rng.uniform(y0, y1 - 0.1)
        side = rng.uniform(0.03, 0.1)  # 3–10 km boxes
        ring = [[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]
        body = json.dumps({"type": "Polygon", "coordinates": [ring]}).encode()
        times.append(server.request("POST", "/api/summary", body)[2])
    report("drawn-polygon summary (3-10 km box)", times)

    # The table is cached until works or zones change; the first request after a change is cold.
    _status, data, cold = server.get("/api/summaries/investment?by=zone")
    rows = len(json.loads(data)["rows"])
    print(f"all-zones investment table, cold ({rows:,} rows): {cold * 1000:8.1f} ms", flush=True)
    report(
        "all-zones investment table, cached",
        [server.get("/api/summaries/investment?by=zone")[2] for _ in range(20)],
        500,
    )
    years = [y for y in range(2015, 2027)]
    report(
        "one year's zones table, cold",
        [server.get(f"/api/summaries/investment?by=zone&year={y}")[2] for y in years],
        500,
    )
    times = [server.get("/api/summaries/investment?by=municipio&year=" + str(y))[2] for y in years]
    report("municipios table by year, cold", times)


def bench_export(server: Server, n_works: int) -> None:
    from django.conf import settings

    from gis_core.exporters import COORD_DECIMALS, geojson_feature_sql
    from works_map.exports import WORKS

    before = server.rss_mb("VmRSS")
    size, elapsed = server.stream("/api/export/works.geojson")
    peak = server.rss_mb()
    ours = size / 1e6 / elapsed
    print(
        f"export via API                     {size / 1e6:8.1f} MB in {elapsed:6.2f} s = {ours:6.1f} MB/s; "
        f"worker RSS {before:.0f} MB before, peak {peak:.0f} MB (target < 300 MB)",
        flush=True,
    )

    db = settings.DATABASES["default"]
    out = Path(tempfile.mkdtemp()) / "works.geojson"
    # The same columns as the export (works_map.exports.WORKS), geometry only (one geometry field).
    sql = WORKS.select_sql("t.geom").replace("{ids}", "SELECT id FROM works_map_work WHERE published")
    pg = f"PG:host={db['HOST']} port={db['PORT']} dbname={db['NAME']} user={db['USER']}"
    cmd = ["/usr/bin/time", "-f", "%M", "ogr2ogr", "-f", "GeoJSON", str(out), pg, "-sql", sql]
    cmd += ["-lco", f"COORDINATE_PRECISION={COORD_DECIMALS}", "-lco", "RFC7946=YES"]
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    ogr_elapsed = time.perf_counter() - started
    ogr_rss = int(done.stderr.strip().splitlines()[-1]) / 1024 if done.returncode == 0 else float("nan")
    ogr_size = out.stat().st_size if out.exists() else 0
    ogr = ogr_size / 1e6 / ogr_elapsed
    print(
        f"ogr2ogr -f GeoJSON                 {ogr_size / 1e6:8.1f} MB in {ogr_elapsed:6.2f} s "
        f"= {ogr:6.1f} MB/s; "
        f"peak RSS {ogr_rss:.0f} MB" + ("" if done.returncode == 0 else f"  FAILED: {done.stderr[-300:]}"),
        flush=True,
    )
    shutil.rmtree(out.parent, ignore_errors=True)

    import psycopg

    raw_sql = geojson_feature_sql(WORKS).replace("{ids}", "SELECT id FROM works_map_work WHERE published")
    started = time.perf_counter()
    raw_size = 0
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]) as conn:
        with conn.cursor(name="bench_raw") as cursor:
            cursor.execute(raw_sql, (COORD_DECIMALS,))
            while rows := cursor.fetchmany(5000):
                raw_size += sum(len(r[0]) + 2 for r in rows)
    raw_elapsed = time.perf_counter() - started
    raw = raw_size / 1e6 / raw_elapsed
    print(
        f"raw feature SQL (psycopg, no HTTP) {raw_size / 1e6:8.1f} MB in {raw_elapsed:6.2f} s "
        f"= {raw:6.1f} MB/s"
    )
    print(
        f"ratios: API / ogr2ogr = {ours / ogr:.2f}x (target >= 1), API / raw SQL = {ours / raw:.2f}x; "
        f"time API {elapsed:.1f} s vs ogr2ogr {ogr_elapsed:.1f} s",
        flush=True,
    )


def bench_crosstab(server: Server, repeats: int, combos: list[tuple[str, str]], live: bool) -> None:
    """The API answers an unfiltered cross-tab from the pre-summed cells (works_map_xtcell) in pages
    of 100 areas (`next` links) and the whole table as a streamed CSV. Timed: the first page (p50 of
    `repeats`, each cold), one cold walk through every page (the slowest page and the sum), the whole
    CSV; raw (psycopg, no HTTP): the cells' statement for the whole table and, with `live`, the live
    statement over the works (what the API ran before the cells). The rows of the walk are counted
    against the whole statement's."""
    from urllib.parse import urlsplit

    import psycopg
    from django.conf import settings

    from works_map.analysis import CELLS_PARAMS, CELLS_SQL, CROSSTAB_ALL_SQL, CROSSTAB_PARAMS

    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]) as conn:
        conn.execute("SET jit = off")
        for by, dim in combos:
            # The cross-tab is cached until works or zones change, keyed by the query: a blank `q` of
            # i spaces filters nothing but is another key, so every request runs its statements.
            base = f"/api/summaries/investment/crosstab?by={by}&dim={dim}"
            first = []
            for i in range(repeats):
                _status, data, elapsed = server.get(f"{base}&q={'%20' * (i + 1)}")
                first.append(elapsed)
            pages, rows, url = [], 0, f"{base}&q={'%20' * (repeats + 1)}"
            while url:
                _status, data, elapsed = server.get(url)
                body = json.loads(data)
                pages.append(elapsed)
                rows += len(body["rows"])
                url = body["next"] and "{0.path}?{0.query}".format(urlsplit(body["next"]))
            csv_bytes, csv_elapsed = server.stream(f"{base}&format=csv&q={'%20' * (repeats + 2)}")
            named = {
                "by": by, "dim": dim, "kind": None, "zone_year": None, "areas": None, "outside": True,
                "years": None, "statuses": None, "keys": None, "municipios": None,
            }  # fmt: skip
            timed = {}
            statements = [("cells", CELLS_SQL, [named[n] for n in CELLS_PARAMS])]
            if live:
                statements.append(("live", CROSSTAB_ALL_SQL, [named[n] for n in CROSSTAB_PARAMS]))
            for name, sql, params in statements:
                runs = []
                for _ in range(repeats):
                    started = time.perf_counter()
                    found = conn.execute(sql, params).fetchall()
                    runs.append(time.perf_counter() - started)
                timed[name] = (statistics.median(runs) * 1000, len(found))
            cells, cell_rows = timed["cells"]
            live_text = ""
            if live:
                live_ms, live_rows = timed["live"]
                live_text = f"; live {live_ms:8.1f} ms ({live_rows:,} rows)"
            print(
                f"crosstab by={by:<9} dim={dim:<8} {rows:>7,} rows in {len(pages)} pages: first page p50 "
                f"{statistics.median(first) * 1000:7.1f} ms (n={repeats}), slowest page "
                f"{max(pages) * 1000:7.1f} ms, all pages {sum(pages):6.2f} s; whole CSV "
                f"{csv_bytes / 1e6:6.1f} MB in {csv_elapsed:6.2f} s; raw whole: cells {cells:8.1f} ms "
                f"({cell_rows:,} rows{', SAME' if cell_rows == rows else ', DIFFERENT'}){live_text}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--works", type=int, default=int(os.environ.get("BENCH_WORKS", 1_000_000)))
    parser.add_argument("--zones", type=int, default=int(os.environ.get("BENCH_ZONES", 2000)))
    parser.add_argument("--samples", type=int, default=300, help="nearby requests (summaries: a tenth)")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("BENCH_PORT", 0)), help="0: any free port"
    )
    parser.add_argument("--crosstab-only", action="store_true", help="only the investment cross-tab")
    parser.add_argument("--repeats", type=int, default=5, help="cross-tab requests (and raw runs) per case")
    parser.add_argument(
        "--live", action="store_true", help="also time the live cross-tab statement over the works (slow)"
    )
    parser.add_argument(
        "--crosstab",
        default="",
        help="cross-tab cases as by:dim,by:dim (default: zone and municipio x source, category, agency)",
    )
    args = parser.parse_args()

    import django

    django.setup()
    ensure_database()
    seed(args.works, args.zones)
    server = Server(args.port or free_port())
    try:
        rng = random.Random(7)
        server.get("/api/works/nearby?lon=-101.2&lat=20.6")  # warm the worker
        if not args.crosstab_only:
            bench_http(server, rng, args.samples)
            bench_export(server, args.works)
        combos = (
            [tuple(c.split(":")) for c in args.crosstab.split(",")]
            if args.crosstab
            else [(by, dim) for by in ("zone", "municipio") for dim in ("source", "category", "agency")]
        )
        bench_crosstab(server, args.repeats, combos, args.live)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
