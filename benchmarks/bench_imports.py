"""Works-register import benchmark (opt-in: `make bench-imports`).

For each size (default 3,702 and 100,000 rows; --sizes or BENCH_IMPORT_SIZES) it generates a register
CSV as agencies write it (Spanish status words, category and agency names, funding source, amounts
with thousands separators, dd/mm/yyyy dates, progress, beneficiaries, lon/lat inside a real INEGI
municipio), then measures in one run:
  1. check: read + every per-row check (planning.imports.read_table + check_rows), rows/s;
  2. write: the one-transaction write through the works actions (versions, funding, agencies,
     progress reports), rows/s;
  3. the peer: `ogr2ogr` loading the same CSV into a plain PostGIS table (no checks, COPY), rows/s;
and the peak resident memory of this process after each step.

Runs in its own database (BENCH_DB, default `bench_imports`) on the project-local cluster, so the
development database is never touched. Prints figures and ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.pop("DATABASE_URL", None)
os.environ["LOCAL_PG_DB"] = os.environ.get("BENCH_DB", "bench_imports")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "0")

SHARED = Path(os.environ.get("GTO_SHARED_DATA", ROOT.parent / "shared" / "data"))
STATUS_WORDS = [
    "En proceso",
    "EN EJECUCION",
    "Concluida",
    "TERMINADO",
    "Programada",
    "Suspendida",
    "Por iniciar",
]
HEADER = [
    "Folio", "Ejercicio", "Nombre de la obra", "Categoría", "Estatus", "Dependencia ejecutora",
    "Fuente de financiamiento", "Monto aprobado", "Monto ejercido", "Avance físico", "Fecha inicio",
    "Fecha término", "Beneficiarios", "Longitud", "Latitud",
]  # fmt: skip


def ensure_database() -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
        if not exists:
            conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(db["NAME"])))


def seed() -> list:
    """The 46 real municipios (INEGI MG 2025) and the catalogues the generated register names."""
    import datetime as dt
    import json

    from django.contrib.gis.geos import GEOSGeometry, MultiPolygon

    from priority_zones.models import Municipio
    from works_map.models import Agency, Category, FundingSource

    features = json.loads((SHARED / "gto_municipios_mg2025.geojson").read_text())["features"]
    if not Municipio.objects.exists():
        rows = []
        for feature in features:
            geom = GEOSGeometry(json.dumps(feature["geometry"]), srid=4326)
            if geom.geom_type == "Polygon":
                geom = MultiPolygon(geom, srid=4326)
            props = feature["properties"]
            rows.append(
                Municipio(cvegeo=props["cve_geo"], name=props["nom_mun"], frame_version="MG2025", geom=geom)
            )
        Municipio.objects.bulk_create(rows)
    rubro, _ = Category.objects.get_or_create(
        code="AGUA", defaults={"name": "Agua potable", "level": "RUBRO"}
    )
    Category.objects.get_or_create(
        code="AGUA.RED", defaults={"name": "Red de agua potable", "level": "TEMA", "parent": rubro}
    )
    FundingSource.objects.get_or_create(
        code="FAIS-FISMDF",
        defaults={"conac_code": "25", "name": "FAIS municipal", "level": "FEDERAL", "fund": "FAIS-FISMDF"},
    )
    sicom, _ = Agency.objects.get_or_create(
        code="GTO-SICOM",
        defaults={"acronym": "SICOM", "name": "SICOM", "level": "ESTATAL", "valid_to": dt.date(2024, 9, 25)},
    )
    Agency.objects.get_or_create(
        code="GTO-SOP",
        defaults={
            "acronym": "SOP",
            "name": "Secretaría de Obra Pública",
            "level": "ESTATAL",
            "predecessor": sicom,
        },
    )
    return features


def sample_points(features: list, n: int, rng: random.Random) -> list[tuple[float, float]]:
    from shapely.geometry import Point, shape
    from shapely.prepared import prep

    shapes = [shape(f["geometry"]) for f in features]
    prepared = [prep(s) for s in shapes]
    points = []
    while len(points) < n:
        i = rng.randrange(len(shapes))
        x0, y0, x1, y1 = shapes[i].bounds
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if prepared[i].contains(Point(x, y)):
            points.append((round(x, 6), round(y, 6)))
    return points


def write_register(path: Path, n: int, points: list, rng: random.Random) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i, (lon, lat) in enumerate(points[:n]):
            approved = rng.randrange(50_000, 25_000_000)
            writer.writerow(
                [
                    f"B-{i:06d}", "2025", f"Obra de agua {i}", "Red de agua potable",
                    rng.choice(STATUS_WORDS), rng.choice(["SOP", "SICOM"]), "FAIS municipal",
                    f"{approved:,}.00",
                    str(rng.randrange(0, approved)), f"{rng.uniform(0, 100):.2f}", "01/03/2025", "30/11/2025",
                    str(rng.randrange(10, 5000)), str(lon), str(lat),
                ]
            )  # fmt: skip


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ogr2ogr_load(path: Path) -> float | None:
    from django.conf import settings

    binary = shutil.which("ogr2ogr")
    if binary is None:
        return None
    db = settings.DATABASES["default"]
    target = f"PG:host={db['HOST']} port={db['PORT']} dbname={db['NAME']} user={db['USER']}"
    command = [
        binary, "-f", "PostgreSQL", target, str(path), "-nln", "bench_ogr_register", "-overwrite",
        "-oo", "X_POSSIBLE_NAMES=Longitud", "-oo", "Y_POSSIBLE_NAMES=Latitud", "-a_srs", "EPSG:4326",
        "-lco", "GEOMETRY_NAME=geom",
    ]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)  # noqa: S603 (fixed arguments)
    return time.perf_counter() - started


def run_size(n: int, features: list, rng: random.Random, workdir: Path) -> dict:
    from planning import imports
    from planning.import_writers import write_rows
    from works_map.models import Work

    Work.objects.filter(folio__startswith="B-").delete()
    path = workdir / f"registro_{n}.csv"
    write_register(path, n, sample_points(features, n, rng), rng)
    options = imports.Options(target="works", mode="valid")
    started = time.perf_counter()
    table = imports.read_table(path, options)
    outcome = imports.check_rows(table, options, path.name)
    check_s = time.perf_counter() - started
    rss_check = peak_rss_mb()
    print(f"         check: {n:,} rows in {check_s:.0f} s (load {os.getloadavg()[0]:.1f})")
    sys.stdout.flush()
    started = time.perf_counter()
    shown = [0]

    def progress(done: int) -> None:
        # A running rate every tenth of the rows: a 100,000-row write on a loaded machine takes long.
        if done * 10 // len(outcome.kept) > shown[0]:
            shown[0] = done * 10 // len(outcome.kept)
            elapsed = time.perf_counter() - started
            load = os.getloadavg()[0]
            print(
                f"         write: {done:,} rows in {elapsed:.0f} s = {done / elapsed:.0f} rows/s "
                f"(load {load:.1f})"
            )
            sys.stdout.flush()

    write_rows(outcome, options, progress=progress)
    write_s = time.perf_counter() - started
    rss_write = peak_rss_mb()
    ogr_s = ogr2ogr_load(path)
    return {
        "rows": n, "kept": outcome.kept_count, "rejected": outcome.rejected_count,
        "created": outcome.created, "check_s": check_s, "write_s": write_s, "ogr_s": ogr_s,
        "rss_check": rss_check, "rss_write": rss_write,
    }  # fmt: skip


def main() -> None:
    import django

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=os.environ.get("BENCH_IMPORT_SIZES", "3702,100000"))
    args = parser.parse_args()
    ensure_database()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    features = seed()
    rng = random.Random(14)
    print(
        f"{'rows':>8} {'check rows/s':>13} {'write rows/s':>13} {'ogr2ogr rows/s':>15} "
        f"{'write/ogr2ogr':>14} {'peak RSS MB':>12}"
    )
    with tempfile.TemporaryDirectory() as workdir:
        for size in (int(s) for s in args.sizes.split(",") if s.strip()):
            r = run_size(size, features, rng, Path(workdir))
            ogr_rate = r["rows"] / r["ogr_s"] if r["ogr_s"] else float("nan")
            write_rate = r["created"] / r["write_s"]
            print(
                f"{r['rows']:>8,} {r['rows'] / r['check_s']:>13,.0f} {write_rate:>13,.0f} {ogr_rate:>15,.0f} "
                f"{write_rate / ogr_rate:>14.3f} {r['rss_write']:>12,.0f}"
            )
            print(
                f"         kept {r['kept']:,}, rejected {r['rejected']:,}, created {r['created']:,}; check "
                f"{r['check_s']:.1f} s, write {r['write_s']:.1f} s, ogr2ogr {r['ogr_s'] or 0:.2f} s; "
                f"peak RSS after check {r['rss_check']:,.0f} MB"
            )
            sys.stdout.flush()


if __name__ == "__main__":
    main()
