"""Standalone folium map benchmark (opt-in: `make bench-maps`).

The downloaded HTML map of the municipio with the most works, at N works in it (default 10,000;
--works or BENCH_MAP_WORKS), seeded statewide with the project's synthetic generator until that
municipio holds N. Times, over several runs: the works query plus the folium rendering
(works_map.standalone_maps.works_map_html), and the whole request through Django's test client
(GET /municipios/<cvegeo>/mapa.html). Target: under 2 s. Prints the file size too; asserts nothing.

Runs in its own database (BENCH_DB, default `bench_maps`) on the project-local cluster.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.pop("DATABASE_URL", None)
os.environ["LOCAL_PG_DB"] = os.environ.get("BENCH_DB", "bench_maps")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DB_STATEMENT_TIMEOUT_MS"] = "0"


def ensure_database() -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres", autocommit=True
    ) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(db["NAME"])))


def busiest_municipio():
    from django.db.models import Count

    from works_map.models import Work

    row = Work.objects.published().values("municipio").annotate(n=Count("pk")).order_by("-n").first()
    return (row["municipio"], row["n"]) if row else (None, 0)


def seed(n_works: int) -> None:
    from django.core.management import call_command

    from priority_zones.models import Municipio
    from priority_zones.reference_data import load_municipios
    from works_map.catalogs import load_catalogs
    from works_map.demo import generate_all

    call_command("migrate", verbosity=0)
    if not Municipio.objects.exists():
        load_municipios()
        load_catalogs()
    seed_no = 7
    while busiest_municipio()[1] < n_works:
        print(f"seeding 20,000 works (busiest municipio: {busiest_municipio()[1]:,})", flush=True)
        generate_all(works=20_000, households=0, zones=0, seed=seed_no, report=print)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--works", type=int, default=int(os.environ.get("BENCH_MAP_WORKS", "10000")))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import django

    ensure_database()
    django.setup()
    seed(args.works)

    from django.test import Client

    from priority_zones.models import Municipio
    from works_map import standalone_maps
    from works_map.models import Work

    pk, _n = busiest_municipio()
    municipio = Municipio.objects.get(pk=pk)
    # Exactly N works: the N first of the municipio, so the figure is for the size asked.
    works = Work.objects.published().filter(
        pk__in=Work.objects.published().filter(municipio=municipio).order_by("pk").values("pk")[: args.works]
    )
    subject = standalone_maps.MapSubject(municipio.name, "bench", municipio.geom)
    # folium (with pandas) is imported by a worker's first map, not at start-up: timed on its own.
    started = time.perf_counter()
    import gis_core.folium_maps  # noqa: F401

    print(f"first map of a worker: importing folium takes {time.perf_counter() - started:.2f} s once")
    timings, cpu, size = [], [], 0
    for _ in range(args.runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        html = standalone_maps.works_map_html(works, subject, "http://127.0.0.1")
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)  # this process only: less sensitive to a busy host
        size = len(html.encode())
    print(
        f"works_map_html, {works.count():,} works of {municipio.name}: median "
        f"{statistics.median(timings):.2f} s, best {min(timings):.2f} s over {args.runs} runs "
        f"(Python CPU median {statistics.median(cpu):.2f} s); file {size / 1e6:.1f} MB; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    client = Client(HTTP_HOST="127.0.0.1")
    total = Work.objects.published().filter(municipio=municipio).count()
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        response = client.get(f"/municipios/{municipio.cvegeo}/mapa.html")
        timings.append(time.perf_counter() - started)
    print(
        f"GET /municipios/{municipio.cvegeo}/mapa.html (all {total:,} works, status {response.status_code}): "
        f"median {statistics.median(timings):.2f} s, best {min(timings):.2f} s; "
        f"file {len(response.content) / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
