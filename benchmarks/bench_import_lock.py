"""How long an unrelated amount update waits while a works import runs (issue 13 item 11).

Opt-in: `python benchmarks/bench_import_lock.py [rows]` (default 1,000) on the bench database of
bench_imports.py. A work outside the register is created first; then the import writes the
generated register in its one transaction (a thread), and half a second after the import's first
work is written another connection changes the other work's approved amount. Prints how long that
update waited and how long the import ran. Asserts nothing.

The wait is the investment totals' advisory lock (works_map_totals_lock, taken by the totals and
membership triggers of the first work the import inserts and held until it commits)."""

from __future__ import annotations

import random
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_imports as bench  # noqa: E402 (sets the bench database up before Django)


def main() -> None:
    import django

    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    bench.ensure_database()
    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    call_command("migrate", verbosity=0)
    features = bench.seed()
    from django.contrib.gis.geos import Point

    from planning import imports
    from planning.import_writers import write_rows
    from priority_zones.models import Municipio
    from works_map.actions import do_create_work
    from works_map.models import Category, Work

    Work.objects.filter(folio__startswith="B-").delete()
    Work.objects.filter(folio="LOCK-OTHER").delete()
    other = do_create_work(
        folio="LOCK-OTHER",
        fiscal_year=2025,
        name="Otra obra",
        category=Category.objects.get(code="AGUA.RED"),
        municipio=Municipio.objects.get(cvegeo="11020"),
        geom=Point(-101.68, 21.12, srid=4326),
    )
    rng = random.Random(14)
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "registro.csv"
        bench.write_register(path, rows, bench.sample_points(features, rows, rng), rng)
        options = imports.Options(target="works", mode="valid")
        outcome = imports.check_rows(imports.read_table(path, options), options, path.name)
        started = threading.Event()
        timing: dict[str, float] = {}

        def run_import() -> None:
            begun = time.perf_counter()
            write_rows(outcome, options, progress=lambda done: started.set())
            timing["import_s"] = time.perf_counter() - begun
            timing["import_end"] = time.perf_counter()
            connections.close_all()

        thread = threading.Thread(target=run_import)
        thread.start()
        started.wait()
        time.sleep(0.5)
        begun = time.perf_counter()
        with connection.cursor() as cursor:  # autocommit: one statement, its triggers take the lock
            cursor.execute(
                "UPDATE works_map_work SET amount_approved = amount_approved + 1 WHERE id = %s", [other.pk]
            )
        waited = time.perf_counter() - begun
        thread.join()
    print(
        f"import of {outcome.created:,} works ran {timing['import_s']:.1f} s; the unrelated amount "
        f"update waited {waited:.2f} s"
    )


if __name__ == "__main__":
    main()
