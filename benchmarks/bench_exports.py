"""Open data export benchmark (opt-in: `make bench-exports`).

At N works (default 100,000; --works or BENCH_WORKS, 1,000,000 opt-in), in one run on the same data,
over HTTP against one worker of the production server (scripts/serve.sh), restarted before each
export so its peak RSS (VmHWM) is that export's:
  1. GET /api/export/works.gpkg and works.fgb: seconds, MB, worker peak RSS and the peak RSS of the
     ogr2ogr child the worker runs (its VmHWM, read while it runs), against two runs of `ogr2ogr`
     writing a local file, both with exactly the export's statement, columns, layer options and
     child environment (gis_core.exporters.ogr2ogr_command and _libpq_environment): "same command"
     adds the export's speed settings (OGR2OGR_SPEED: they change how fast, never what is written);
     "defaults" leaves them out, i.e. ogr2ogr as anyone would run it. --repeats N rounds, the order
     rotated in each round (the load drifts); the median ratio of each kind is printed. Time and
     peak RSS of the peers from /usr/bin/time.
  2. GET /api/export/oc4ids.json: MB/s and worker peak RSS.
  3. GET /api/export/works.geojson and works.csv: MB/s and worker peak RSS (streamed formats).
  4. GET /api/export/works.shp, works.parquet and works.kml (written in the worker by
     pyogrio/pyarrow): seconds, MB/s, worker peak RSS.
--formats picks some of gpkg,fgb,oc4ids,geojson,csv,shp,parquet,kml (default: all).

Runs in its own database (BENCH_DB, default `bench_exports`) on the project-local cluster (or the one
LOCAL_PG_PORT/LOCAL_DIR name), seeded by the project's `generate_synthetic` machinery when it has
fewer works than N. EXPORT_MAX_FEATURES is raised above N for the run. Prints figures, ratios and
the load average; asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("BENCH_DB", "bench_exports")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_queries import Server, ensure_database, free_port, seed  # noqa: E402


def _status(pid: int | str) -> dict[str, str]:
    text = (Path("/proc") / str(pid) / "status").read_text()
    return {k: v.strip() for k, v in (line.split(":", 1) for line in text.splitlines() if ":" in line)}


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (the ogr2ogr a file export runs): one pass over /proc."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if _status(proc.name).get("PPid") == str(pid):
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


class ChildPeak:
    """The largest peak RSS (VmHWM) of the worker's children while an export runs. A pass over
    /proc costs about 10 ms of CPU (half a core at 50 passes a second, which the export would lose
    on a loaded 2-core machine and ogr2ogr run alone would not): /proc is scanned 5 times a second
    only while no child is known; a known child's own status is read 20 times a second."""

    def __init__(self, worker: int):
        self.worker, self.peak_mb = worker, 0.0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        known: list[int] = []
        while not self.done.wait(0.05 if known else 0.2):
            if not known:
                known = _children(self.worker)
            alive = []
            for pid in known:
                try:
                    fields = _status(pid)
                except OSError:
                    continue  # exited: its last reading stands
                if "VmHWM" in fields:
                    self.peak_mb = max(self.peak_mb, int(fields["VmHWM"].split()[0]) / 1024)
                    alive.append(pid)
            known = alive

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        return self.peak_mb


def stream(port: int, path: str) -> tuple[int, float, float]:
    """(bytes, seconds, seconds until the response's headers) of one GET read to its end: a file
    export's headers come once the file is written, so the rest is the sending."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    headers = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"GET {path} -> {response.status}: {response.read(300)!r}")
    size = 0
    while chunk := response.read(1 << 20):
        size += len(chunk)
    elapsed = time.perf_counter() - started
    conn.close()
    return size, elapsed, headers


def download(port: int, path: str, label: str) -> tuple[float, float, float, float]:
    """(seconds, MB, worker peak RSS MB, child peak RSS MB) of one export over HTTP, on a fresh
    worker; the peak RSS of the worker's children from ChildPeak."""
    server = Server(port)
    sampler = None
    try:
        server.get("/api/categories")
        before = server.rss_mb("VmRSS")
        sampler = ChildPeak(server.worker_pid())
        size, elapsed, headers = stream(port, path)
        child_peak = sampler.stop()
        peak = server.rss_mb()
    finally:
        if sampler is not None:
            sampler.stop()
        server.stop()
    child = f", ogr2ogr child peak {child_peak:4.0f} MB" if child_peak else ""
    print(
        f"{label:<30} {size / 1e6:8.1f} MB in {elapsed:7.2f} s = {size / 1e6 / elapsed:6.1f} MB/s; "
        f"headers after {headers:.2f} s; worker RSS {before:4.0f} MB before, peak {peak:5.0f} MB{child}; "
        f"load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return elapsed, size / 1e6, peak, child_peak


def ogr2ogr(fmt: str, *, speed: bool) -> tuple[float, float, float]:
    """(seconds, MB, peak RSS MB) of ogr2ogr writing the whole published register to a local file with
    the export's own command (the same statement, columns and layer options; `speed`: with the
    export's speed settings) in the export's child environment."""
    from django.conf import settings

    from gis_core import exporters
    from works_map.exports import WORKS, select_works

    folder = Path(tempfile.mkdtemp())
    out = folder / f"obras.{fmt}"
    works = select_works({})
    indexed = fmt != "fgb" or exporters.at_most(works, settings.EXPORT_FGB_INDEX_MAX)
    command = exporters.ogr2ogr_command(WORKS, works, fmt, str(out), indexed=indexed, speed=speed)
    env = exporters._libpq_environment()
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603
        ["/usr/bin/time", "-f", "%M", *command], capture_output=True, text=True, check=False, env=env
    )
    elapsed = time.perf_counter() - started
    rss = int(done.stderr.strip().splitlines()[-1]) / 1024 if done.returncode == 0 else float("nan")
    size = out.stat().st_size / 1e6 if out.exists() else 0.0
    status = "" if done.returncode == 0 else f"  FAILED: {done.stderr[-300:]}"
    label = f"ogr2ogr {fmt} ({'same command' if speed else 'defaults'})"
    print(
        f"{label:<30} {size:8.1f} MB in {elapsed:7.2f} s = {size / elapsed:6.1f} MB/s; "
        f"process peak RSS {rss:5.0f} MB; load {os.getloadavg()[0]:.1f}{status}",
        flush=True,
    )
    shutil.rmtree(folder, ignore_errors=True)
    return elapsed, size, rss


ALL_FORMATS = ("gpkg", "fgb", "oc4ids", "geojson", "csv", "shp", "parquet", "kml")


def compare(port: int, fmt: str, repeats: int) -> None:
    """`repeats` rounds of the download and both peers, the order rotated each round."""
    runs: dict[str, list[tuple[float, ...]]] = {"api": [], "same": [], "defaults": []}
    steps = {
        "api": lambda: download(port, f"/api/export/works.{fmt}", f"API works.{fmt}"),
        "same": lambda: ogr2ogr(fmt, speed=True),
        "defaults": lambda: ogr2ogr(fmt, speed=False),
    }
    order = list(steps)
    for round_ in range(repeats):
        for name in order[round_ % 3 :] + order[: round_ % 3]:
            runs[name].append(steps[name]())
    api = [r[0] for r in runs["api"]]
    for peer, label in (("defaults", "ogr2ogr with its defaults"), ("same", "ogr2ogr, the same command")):
        ratios = sorted(a / r[0] for a, r in zip(api, runs[peer], strict=True))
        print(
            f"  {fmt}: API / {label}: median {statistics.median(ratios):.2f} "
            f"(each round: {', '.join(f'{x:.2f}' for x in ratios)}); medians {statistics.median(api):.1f} s "
            f"vs {statistics.median(r[0] for r in runs[peer]):.1f} s",
            flush=True,
        )
    print(
        f"  {fmt}: peak RSS: worker {max(r[2] for r in runs['api']):.0f} MB + its ogr2ogr "
        f"{max(r[3] for r in runs['api']):.0f} MB; ogr2ogr alone {max(r[2] for r in runs['same']):.0f} MB",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--works", type=int, default=int(os.environ.get("BENCH_WORKS", 100_000)))
    parser.add_argument("--zones", type=int, default=int(os.environ.get("BENCH_ZONES", 200)))
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 0)))
    parser.add_argument("--repeats", type=int, default=int(os.environ.get("BENCH_REPEATS", 3)))
    parser.add_argument("--formats", default=",".join(ALL_FORMATS))
    args = parser.parse_args()
    formats = [f for f in args.formats.split(",") if f]
    if unknown := set(formats) - set(ALL_FORMATS):
        parser.error(f"unknown formats: {', '.join(sorted(unknown))}")
    os.environ["EXPORT_MAX_FEATURES"] = str(args.works * 2)

    import django

    django.setup()
    ensure_database()
    seed(args.works, args.zones)
    port = args.port or free_port()
    for fmt in formats:
        if fmt in ("gpkg", "fgb"):
            compare(port, fmt, args.repeats)
        elif fmt == "oc4ids":
            download(port, "/api/export/oc4ids.json", "API oc4ids.json")
        else:
            download(port, f"/api/export/works.{fmt}", f"API works.{fmt}")


if __name__ == "__main__":
    main()
