"""Citizen budget benchmark (opt-in: `make bench-budget`).

In its own database (BENCH_DB, default `bench_budget`) on the project-local cluster:
  1. generates a CONAC-coded analytical budget of BENCH_BUDGET_LINES lines (default 200,000: five
     years, 14 agencies, every line in each of the four quarters) as the state publishes it (CSV,
     thousands separators, TOTAL control rows) with budget.synthetic;
  2. loads it through budget.actions.do_load_budget (read, every per-row check, control totals,
     COPY, ANALYZE; one transaction) and, in the same run, COPYs the same file into a plain table of
     text columns (no checks: the raw-SQL limit), and prints both and their ratio;
  3. loads the same file again through the planning import wizard, as staff do: the dry-run check
     (jobs.preview) and the queued job's run (check again, write with progress), each timed;
  4. renders every citizen budget page from the database with an empty cache before each request
     (Django's test client, in process, so no network in the figure) and prints p50 and p95.
Prints figures, ratios and the load average; asserts nothing. BENCH_BUDGET_PAGES_ONLY=1 times the pages
again over the budget an earlier run left in the database.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.pop("DATABASE_URL", None)
os.environ["LOCAL_PG_DB"] = os.environ.get("BENCH_DB", "bench_budget")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "0")

LINES = int(os.environ.get("BENCH_BUDGET_LINES", "200000"))
YEARS = (2022, 2023, 2024, 2025, 2026)
AGENCIES = 14
REPEATS = int(os.environ.get("BENCH_BUDGET_REPEATS", "21"))
PAGE_LIMIT_MS = 200
LOAD_LIMIT_S = 60


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


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def raw_copy(text: str) -> float:
    """The same CSV COPYed into a plain table of text columns: what PostgreSQL alone takes."""
    from django.db import connection, transaction

    header = text.split("\n", 1)[0].split(",")
    columns = ", ".join(f"{name} text" for name in header)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_budget_raw")
        cursor.execute(f"CREATE TABLE bench_budget_raw ({columns})")  # noqa: S608 - our own header
        started = time.perf_counter()
        with cursor.cursor.copy("COPY bench_budget_raw FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            copy.write(text)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_budget_raw")
    return elapsed


def main() -> None:
    import django

    django.setup()
    ensure_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from budget.actions import do_load_budget
    from budget.models import BudgetLoad
    from budget.synthetic import expense_csv, income_csv, link_demo_works, transfers_csv
    from priority_zones.reference_data import load_municipios
    from works_map.catalogs import load_catalogs
    from works_map.demo import generate_all
    from works_map.models import Work

    load_municipios()
    load_catalogs()
    if not Work.objects.filter(synthetic=True).exists():
        generate_all(works=2400, households=0, zones=0, seed=2026, report=lambda _line: None)

    from budget.models import ExpenseLine

    if os.environ.get("BENCH_BUDGET_PAGES_ONLY") and ExpenseLine.objects.exists():
        pages()  # the budget of an earlier run is still there: time the pages only
        return
    per_agency = max(1, LINES // (len(YEARS) * AGENCIES * 4))
    started = time.perf_counter()
    text = expense_csv(years=YEARS, lines_per_agency=per_agency)
    lines = text.count("\n") - 1 - len(YEARS) * 4
    print(
        f"budget CSV: {lines:,} lines, {len(text) / 1e6:.1f} MB, "
        f"generated in {time.perf_counter() - started:.1f} s"
    )
    print(load_average())

    BudgetLoad.objects.all().delete()
    ExpenseLine.objects.all().delete()
    started = time.perf_counter()
    report = do_load_budget(text.encode(), "bench.csv", "egresos", replace=True)
    load_s = time.perf_counter() - started
    assert report.committed, report.problems[:3]
    copy_s = raw_copy(text)
    print(
        f"load_budget (read + checks + COPY + ANALYZE): {load_s:.2f} s ({lines / load_s:,.0f} lines/s); "
        f"limit {LOAD_LIMIT_S} s: {'met' if load_s < LOAD_LIMIT_S else 'NOT met'}"
    )
    print(
        f"raw COPY of the same file into a text table: {copy_s:.2f} s; ratio load/COPY {load_s / copy_s:.1f}x"
    )
    print(load_average())
    wizard(text, lines)

    for kind, csv_text in (("ingresos", income_csv(YEARS)), ("transferencias", transfers_csv(YEARS))):
        assert do_load_budget(csv_text.encode(), f"{kind}.csv", kind, replace=True).committed
    link_demo_works()
    pages()


def wizard(text: str, lines: int) -> None:
    """The same file through the import wizard's job (planning.import_budget), replacing the years."""
    import tempfile

    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.core.files.uploadedfile import SimpleUploadedFile

    from planning import jobs
    from planning.models import ImportJob

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-budget-media-")
    settings.IMPORTS_RUN_IMMEDIATELY = False
    user, _created = User.objects.get_or_create(username="bench-admin", defaults={"is_superuser": True})
    user.groups.add(Group.objects.get_or_create(name="administrator")[0])
    upload = SimpleUploadedFile("bench.csv", text.encode())
    job = jobs.create_job(upload, {"target": "budget_expense"}, user)
    started = time.perf_counter()
    jobs.preview(job)
    check_s = time.perf_counter() - started
    assert job.status == ImportJob.Status.PREVIEW and not job.rejected, job.rejected[:3]
    job.options = {**job.options, "replace": True}
    job.save(update_fields=["options"])
    jobs.enqueue(job)
    started = time.perf_counter()
    jobs.run(job.pk)
    run_s = time.perf_counter() - started
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.error
    print(
        f"wizard: dry-run check {check_s:.2f} s, queued job (check again + write) {run_s:.2f} s "
        f"({lines / run_s:,.0f} lines/s); limit {LOAD_LIMIT_S} s for the write: "
        f"{'met' if run_s < LOAD_LIMIT_S else 'NOT met'}"
    )
    print(load_average())


def pages() -> None:
    from django.core.cache import cache
    from django.test import Client

    from budget.models import ExpenseLine

    client = Client()
    year = YEARS[-1]
    urls = [
        f"/presupuesto/?anio={year}",
        f"/presupuesto/ingresos/?anio={year}",
        f"/presupuesto/gasto/?anio={year}",
        f"/presupuesto/gasto/?anio={year}&capitulo=6000&concepto=6100",
        f"/presupuesto/gasto/?anio={year}&funcion=2.2",
        f"/presupuesto/dependencias/?anio={year}",
        f"/presupuesto/municipios/?anio={year}",
        f"/presupuesto/avance/?anio={year}",
        f"/presupuesto/comparacion/?anio={year}",
        f"/presupuesto/programas/K001/?anio={year}",
        "/presupuesto/glosario/",
    ]
    print(
        f"pages, {REPEATS} requests each, cache cleared before every request "
        f"({ExpenseLine.objects.count():,} lines):"
    )
    worst = 0.0
    for url in urls:
        times = []
        for _ in range(REPEATS):
            cache.clear()
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        p50 = statistics.median(times)
        worst = max(worst, p50)
        p95 = sorted(times)[int(len(times) * 0.95) - 1]
        print(f"  {url:60s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
    print(
        f"slowest page p50 {worst:.1f} ms; "
        f"limit {PAGE_LIMIT_MS} ms: {'met' if worst < PAGE_LIMIT_MS else 'NOT met'}"
    )
    print(load_average())


if __name__ == "__main__":
    main()
