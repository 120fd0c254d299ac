"""Open data export benchmark (opt-in: `make bench-exports`).

At N works (default 100,000; --works or BENCH_WORKS, 1,000,000 opt-in), in one run on the same data,
over HTTP against one worker of the production server (scripts/serve.sh), restarted before each
export so its peak RSS (VmHWM) is that export's:
  1. GET /api/export/works.gpkg and works.fgb: seconds, MB, worker peak RSS and the peak RSS of the
     ogr2ogr child the worker runs to write the file (sampled); against `ogr2ogr` (GDAL's PG: driver)
     writing the same columns from the same PostGIS table to GPKG and FlatGeobuf, with the same
     FlatGeobuf index option as the API at this size (EXPORT_FGB_INDEX_MAX) (time and peak RSS of
     the process, /usr/bin/time).
  2. GET /api/export/oc4ids.json: MB/s and worker peak RSS.
  3. GET /api/export/works.geojson and works.csv: MB/s and worker peak RSS (streamed formats).

Runs in its own database (BENCH_DB, default `bench_exports`) on the project-local cluster, seeded
by the project's `generate_synthetic` machinery. EXPORT_MAX_FEATURES is raised above N for the run.
Prints figures and ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("BENCH_DB", "bench_exports")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_queries import Server, ensure_database, free_port, seed  # noqa: E402


def _children_rss_mb(pid: int) -> float:
    """The summed RSS of the processes whose parent is `pid` (the ogr2ogr a file export runs)."""
    total = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            status = (proc / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(pid) and "VmRSS" in fields:
            total += int(fields["VmRSS"].split()[0])
    return total / 1024


def download(port: int, path: str, label: str) -> tuple[float, float, float, float]:
    """(seconds, MB, worker peak RSS MB, child peak RSS MB) of one export over HTTP, on a fresh
    worker; the worker's children are sampled every 20 ms."""
    server = Server(port)
    child_peak = 0.0
    done = threading.Event()
    try:
        server.get("/api/categories")
        before = server.rss_mb("VmRSS")
        worker = server.worker_pid()

        def sample() -> None:
            nonlocal child_peak
            while not done.wait(0.02):
                child_peak = max(child_peak, _children_rss_mb(worker))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        size, elapsed = server.stream(path)
        done.set()
        sampler.join()
        peak = server.rss_mb()
    finally:
        done.set()
        server.stop()
    child = f", ogr2ogr child peak {child_peak:4.0f} MB" if child_peak else ""
    print(
        f"{label:<30} {size / 1e6:8.1f} MB in {elapsed:7.2f} s = {size / 1e6 / elapsed:6.1f} MB/s; "
        f"worker RSS {before:4.0f} MB before, peak {peak:5.0f} MB{child}; "
        f"load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return elapsed, size / 1e6, peak, child_peak


def ogr2ogr(driver: str, suffix: str) -> tuple[float, float, float]:
    from django.conf import settings

    from works_map.exports import WORKS, select_works

    db = settings.DATABASES["default"]
    folder = Path(tempfile.mkdtemp())
    out = folder / f"obras{suffix}"
    # The export's own columns and rows: the works dataset's SQL over every published work.
    sql = WORKS.select_sql("t.geom").replace("{ids}", "SELECT id FROM works_map_work WHERE published")
    pg = f"PG:host={db['HOST']} port={db['PORT']} dbname={db['NAME']} user={db['USER']}"
    cmd = ["/usr/bin/time", "-f", "%M", "ogr2ogr", "-f", driver, str(out), pg, "-sql", sql, "-nln", "obras"]
    cmd += ["-nlt", "GEOMETRY", "-a_srs", "EPSG:4326"]
    if driver == "FlatGeobuf" and select_works({}).count() > settings.EXPORT_FGB_INDEX_MAX:
        cmd += ["-lco", "SPATIAL_INDEX=NO"]  # as the API writes a selection this large
    started = time.perf_counter()
    # JIT off as in the API's export transaction: compiling the statement costs seconds it never wins back.
    env = {**os.environ, "PGOPTIONS": "-c jit=off"}
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)  # noqa: S603
    elapsed = time.perf_counter() - started
    rss = int(done.stderr.strip().splitlines()[-1]) / 1024 if done.returncode == 0 else float("nan")
    size = out.stat().st_size / 1e6 if out.exists() else 0.0
    status = "" if done.returncode == 0 else f"  FAILED: {done.stderr[-300:]}"
    print(
        f"{'ogr2ogr -f ' + driver:<30} {size:8.1f} MB in {elapsed:7.2f} s = {size / elapsed:6.1f} MB/s; "
        f"process peak RSS {rss:5.0f} MB; load {os.getloadavg()[0]:.1f}{status}",
        flush=True,
    )
    shutil.rmtree(folder, ignore_errors=True)
    return elapsed, size, rss


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--works", type=int, default=int(os.environ.get("BENCH_WORKS", 100_000)))
    parser.add_argument("--zones", type=int, default=int(os.environ.get("BENCH_ZONES", 200)))
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 0)))
    args = parser.parse_args()
    os.environ["EXPORT_MAX_FEATURES"] = str(args.works * 2)

    import django

    django.setup()
    ensure_database()
    seed(args.works, args.zones)
    port = args.port or free_port()
    results = {}
    for fmt, driver in (("gpkg", "GPKG"), ("fgb", "FlatGeobuf")):
        ours = download(port, f"/api/export/works.{fmt}", f"API works.{fmt}")
        peer = ogr2ogr(driver, f".{fmt}")
        results[fmt] = (ours, peer)
        print(
            f"  {fmt}: API time / ogr2ogr time = {ours[0] / peer[0]:.2f}; API peak RSS: worker "
            f"{ours[2]:.0f} MB + its ogr2ogr {ours[3]:.0f} MB, vs ogr2ogr alone {peer[2]:.0f} MB",
            flush=True,
        )
    download(port, "/api/export/oc4ids.json", "API oc4ids.json")
    download(port, "/api/export/works.geojson", "API works.geojson")
    download(port, "/api/export/works.csv", "API works.csv")


if __name__ == "__main__":
    main()
