"""Household pipeline benchmark (opt-in: `make bench-households`).

Measures, at N households (default 2,000,000; --households or BENCH_HOUSEHOLDS):
  1. import rate of a CUIS-like CSV (one row per person) through `import_households`' action;
  2. diagnostics computation rate (`do_compute_diagnostics`, disclosure-unit refresh included);
  3. all-zones aggregates: disclosure-controlled need figures for every zone, and the full
     need-versus-investment table.
Targets (issue 7): 1,000,000 households imported in < 5 min; aggregates for every zone in < 2 s.

Runs in its own database (BENCH_DB, default `bench_households`) on the project-local cluster, so the
development database is never touched. Prints figures and ratios to the targets; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.pop("DATABASE_URL", None)
os.environ["LOCAL_PG_DB"] = os.environ.get("BENCH_DB", "bench_households")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "0")

TARGET_IMPORT_PER_S = 1_000_000 / 300
TARGET_AGGREGATE_S = 2.0
GTO = (-102.0, 20.1, -99.8, 21.8)  # inner box of the state, where synthetic points go


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


def seed_geography(n_zones: int, n_works: int, rng) -> None:
    """46 rectangular municipios over the state, zones, categories per carencia and works."""
    from decimal import Decimal

    from django.contrib.gis.geos import MultiPolygon, Point, Polygon

    from priority_zones.models import Municipio, Zone
    from works_map.models import Category, Work

    def box(x0, y0, x1, y1):
        return MultiPolygon(Polygon.from_bbox((x0, y0, x1, y1)), srid=4326)

    if not Municipio.objects.exists():
        cols, rows = 8, 6
        w, h = (GTO[2] - GTO[0]) / cols, (GTO[3] - GTO[1]) / rows
        Municipio.objects.bulk_create(
            Municipio(
                cvegeo=f"11{i + 1:03d}",
                name=f"Municipio {i + 1}",
                frame_version="BENCH",
                geom=box(
                    GTO[0] + (i % cols) * w,
                    GTO[1] + (i // cols) * h,
                    GTO[0] + (i % cols + 1) * w,
                    GTO[1] + (i // cols + 1) * h,
                ),
            )
            for i in range(46)
        )
    Zone.objects.filter(name__startswith="bench ").delete()
    zones = [
        Zone(
            kind="ZONA_IMPULSO",
            fiscal_year=2026,
            name=f"bench mun {m.cvegeo}",
            municipio=m,
            geom=m.geom,
            status="PUBLISHED",
        )
        for m in Municipio.objects.all()
    ]
    for i in range(n_zones):
        x, y = rng.uniform(GTO[0], GTO[2] - 0.05), rng.uniform(GTO[1], GTO[3] - 0.05)
        size = rng.uniform(0.005, 0.05)
        zones.append(
            Zone(
                kind="DRAWN",
                fiscal_year=2026,
                name=f"bench zona {i}",
                geom=box(x, y, x + size, y + size),
                status="PUBLISHED",
            )
        )
    Zone.objects.bulk_create(zones)
    rubro, _ = Category.objects.get_or_create(code="BENCH", defaults={"name": "Bench", "level": "RUBRO"})
    categories = [
        Category.objects.get_or_create(
            code=f"BENCH.{c}", defaults={"name": c, "level": "TEMA", "parent": rubro, "carencia": c}
        )[0]
        for c in (
            "REZAGO_EDUCATIVO",
            "SALUD",
            "SEGURIDAD_SOCIAL",
            "CALIDAD_VIVIENDA",
            "SERVICIOS_BASICOS",
            "ALIMENTACION",
        )
    ]
    if not Work.objects.filter(folio__startswith="BENCH-").exists():
        municipio = Municipio.objects.first()
        Work.objects.bulk_create(
            Work(
                folio=f"BENCH-{i}",
                fiscal_year=2026,
                name="obra bench",
                category=categories[i % 6],
                geom=Point(rng.uniform(GTO[0], GTO[2]), rng.uniform(GTO[1], GTO[3]), srid=4326),
                municipio=municipio,
                amount_approved=Decimal(int(rng.integers(100_000, 5_000_000))),
            )
            for i in range(n_works)
        )


def seed_poverty_lines() -> None:
    import datetime as dt
    from decimal import Decimal

    from priority_zones.models import PovertyLine

    for ambito, e, p in (("U", "2467.15", "4818.14"), ("R", "1854.39", "3451.13")):
        PovertyLine.objects.get_or_create(
            reference_date=dt.date(2025, 12, 1),
            ambito=ambito,
            defaults={"extreme": Decimal(e), "poverty": Decimal(p), "source": "bench"},
        )


def write_csv(path: Path, n: int, rng, start: int, chunk: int = 200_000) -> int:
    """n households, 1-5 persons each, written in chunks (flat memory); returns the person rows."""
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        for offset in range(0, n, chunk):
            rows += write_chunk(fh, min(chunk, n - offset), rng, start + offset, header=offset == 0)
    return rows


def write_chunk(fh, n: int, rng, start: int, header: bool) -> int:
    """One vectorised chunk of households and their persons, appended to an open CSV."""
    import numpy as np
    import pandas as pd

    from priority_zones.household_import import HOUSEHOLD_KEY_COLUMNS

    k = rng.integers(1, 6, n)
    hh = np.repeat(np.arange(n), k)
    rows = len(hh)
    number = (
        np.concatenate([np.arange(1, c + 1) for c in k])
        if n < 50_000
        else (np.arange(rows) - np.repeat(np.cumsum(k) - k, k) + 1)
    )

    def pick(choices, size, p=None):
        return np.asarray(choices, dtype=object)[rng.choice(len(choices), size, p=p)]

    # Clustered points so disclosure units fill up as in real towns.
    centres = np.column_stack([rng.uniform(GTO[0], GTO[2], 3000), rng.uniform(GTO[1], GTO[3], 3000)])
    c = rng.integers(0, 3000, n)
    lon = centres[c, 0] + rng.normal(0, 0.01, n)
    lat = centres[c, 1] + rng.normal(0, 0.01, n)
    cols, rws = 8, 6
    w, h = (GTO[2] - GTO[0]) / cols, (GTO[3] - GTO[1]) / rws
    lon = np.clip(lon, GTO[0] + 1e-6, GTO[2] - 1e-6)
    lat = np.clip(lat, GTO[1] + 1e-6, GTO[3] - 1e-6)
    mun_index = np.minimum((lat - GTO[1]) // h, rws - 1) * cols + np.minimum((lon - GTO[0]) // w, cols - 1)
    mun_index = np.where(mun_index >= 46, 45, mun_index).astype(int)
    home = {
        "folio": np.char.add("B", (np.arange(n) + start).astype(str)),
        "lon": np.round(lon, 6),
        "lat": np.round(lat, 6),
        "fecha_levantamiento": "2026-03-01",
        "cve_mun": np.char.add("11", np.char.zfill((mun_index + 1).astype(str), 3)),
        "ambito": pick(["U", "R"], n),
        "consentimiento": "1",
        "piso": pick(["TIERRA", "CEMENTO", "RECUBRIMIENTO"], n, [0.05, 0.6, 0.35]),
        "techo": pick(["LOSA", "LAMINA", "CARTON"], n, [0.7, 0.25, 0.05]),
        "muros": pick(["TABIQUE", "ADOBE", "LAMINA"], n, [0.8, 0.15, 0.05]),
        "cuartos": rng.integers(1, 6, n),
        "residentes": k,
        "agua": pick(["DENTRO", "TERRENO", "PIPA", "POZO"], n, [0.6, 0.25, 0.1, 0.05]),
        "drenaje": pick(["RED_PUBLICA", "FOSA", "NINGUNO"], n, [0.7, 0.25, 0.05]),
        "electricidad": pick(["RED", "PANEL", "NINGUNA"], n, [0.95, 0.03, 0.02]),
        "combustible": pick(["GAS", "LENA"], n, [0.85, 0.15]),
        "chimenea": pick(["1", "0"], n),
    }
    for i in range(1, 7):
        home[f"emsa_a{i}"] = pick(["0", "1"], n, [0.8, 0.2])
        home[f"emsa_m{i}"] = pick(["0", "1"], n, [0.85, 0.15])
    frame = pd.DataFrame(
        {key: (np.repeat(v, k) if isinstance(v, np.ndarray) else v) for key, v in home.items()}
    )
    age = np.where(number == 1, rng.integers(18, 90, rows), rng.integers(0, 90, rows))
    frame["renglon"] = number
    frame["parentesco"] = np.where(number == 1, "JEFE", np.where(number == 2, "CONYUGE", "HIJO"))
    frame["sexo"] = pick(["M", "H"], rows)
    frame["edad"] = age
    frame["nivel_educativo"] = pick(["NINGUNO", "PRIMARIA", "SECUNDARIA", "MEDIA_SUPERIOR", "SUPERIOR"], rows)
    frame["nivel_terminado"] = pick(["1", "0"], rows, [0.8, 0.2])
    frame["asiste_escuela"] = np.where(age < 22, pick(["1", "0"], rows, [0.8, 0.2]), "0")
    frame["afiliacion_salud"] = pick(
        ["IMSS", "ISSSTE", "IMSS_BIENESTAR", "NINGUNA"], rows, [0.4, 0.1, 0.3, 0.2]
    )
    works = np.where(age >= 16, pick(["1", "0"], rows, [0.6, 0.4]), "0")
    frame["trabaja"] = works
    frame["posicion"] = np.where(works == "1", pick(["SUBORDINADO", "INDEPENDIENTE"], rows), "")
    for col in ("prestacion_medica", "incapacidad", "sar_afore"):
        frame[col] = np.where(works == "1", pick(["1", "0"], rows), "")
    frame["pensionado"] = pick(["0", "1"], rows, [0.93, 0.07])
    frame["ingreso_mensual"] = np.where(works == "1", rng.integers(1000, 20000, rows), 0)
    ordered = [c for c in HOUSEHOLD_KEY_COLUMNS if c in frame.columns]
    frame = frame[ordered + [c for c in frame.columns if c not in ordered]]
    frame.to_csv(fh, index=False, header=header)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=int(os.environ.get("BENCH_HOUSEHOLDS", 2_000_000)))
    parser.add_argument("--zones", type=int, default=1000)
    parser.add_argument("--works", type=int, default=20_000)
    parser.add_argument(
        "--keep", action="store_true", help="keep the households for a rerun of the aggregates only"
    )
    args = parser.parse_args()

    import django

    ensure_database()
    django.setup()
    import numpy as np
    from django.core.management import call_command
    from django.db import connection

    from priority_zones.actions import do_compute_diagnostics, do_import_households
    from priority_zones.disclosure import zones_need_summary
    from priority_zones.models import Household, Zone
    from works_map.need_investment import need_versus_investment

    call_command("migrate", verbosity=0)
    rng = np.random.default_rng(7)
    seed_geography(args.zones, args.works, rng)
    seed_poverty_lines()
    n = args.households
    print(
        f"bench_households: N={n:,} households, {Zone.objects.count():,} zones, "
        f"database {os.environ['LOCAL_PG_DB']}"
    )

    if not args.keep or not Household.objects.exists():
        with connection.cursor() as cursor:  # own database: TRUNCATE beats Django's collector at 2M rows
            cursor.execute("TRUNCATE priority_zones_household CASCADE")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "hogares.csv"
            t = time.perf_counter()
            rows = write_csv(path, n, rng, start=0)
            print(
                f"  generated CSV: {rows:,} person rows, {path.stat().st_size / 1e6:,.0f} MB "
                f"in {time.perf_counter() - t:.1f} s"
            )
            t = time.perf_counter()
            report = do_import_households(path)
            took = time.perf_counter() - t
        assert report.ok, report.as_dict()["rechazos"][:5]
        rate = report.households_written / took
        print(
            f"  import: {report.households_written:,} households + {report.persons_written:,} persons "
            f"in {took:.1f} s = {rate:,.0f} households/s "
            f"(target {TARGET_IMPORT_PER_S:,.0f}/s: x{rate / TARGET_IMPORT_PER_S:.2f}); "
            f"1,000,000 households would take {1_000_000 / rate / 60:.1f} min (target 5)"
        )

        t = time.perf_counter()
        made = do_compute_diagnostics(Household.objects.all())
        took = time.perf_counter() - t
        print(
            f"  diagnostics: {made:,} in {took:.1f} s = {made / took:,.0f} households/s "
            "(disclosure-unit refresh included)"
        )

    zones = Zone.objects.published().for_year(2026)
    for label, fn in (
        ("need figures, every zone", lambda: zones_need_summary(zones)),
        ("need-versus-investment table", lambda: need_versus_investment(2026)),
    ):
        timings = []
        for _ in range(3):
            t = time.perf_counter()
            out = fn()
            timings.append(time.perf_counter() - t)
        best = min(timings)
        print(
            f"  {label}: {len(out):,} zones in {best:.3f} s best of 3 "
            f"(target {TARGET_AGGREGATE_S} s: x{TARGET_AGGREGATE_S / best:.1f})"
        )


if __name__ == "__main__":
    main()
