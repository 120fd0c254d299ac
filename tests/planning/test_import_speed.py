"""The register import writes through the works actions in bulk mode (issue 14): the model
constraints are left to the database, whose refusal is the same per-row reason `full_clean` gives,
and what every row would look up again is read once per import. Nothing is checked less."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from gis_core.constraints import violation_message
from gis_core.models import Version
from planning import imports
from planning.import_writers import write_rows
from tests.planning.test_import_register import leon_row, write_csv
from tests.works_map.test_investment_totals import works, zones  # noqa: F401 (fixtures)
from works_map.actions import do_create_work, do_record_progress, do_update_work
from works_map.models import Work, WorkFunding


def new_work(leon, category, **fields):
    values = {
        "folio": "BULK-1",
        "fiscal_year": 2025,
        "name": "Red de agua",
        "category": category,
        "municipio": leon,
        "geom": Point(-101.65, 21.15, srid=4326),
    }
    values.update(fields)
    return values


# Each pair: a field value the database refuses by a named constraint, and that constraint's message.
REFUSED = [
    (
        {"planned_start": dt.date(2025, 5, 1), "planned_end": dt.date(2025, 4, 1)},
        "work_planned_dates_ordered",
    ),
    ({"actual_start": dt.date(2025, 5, 1), "actual_end": dt.date(2025, 1, 1)}, "work_actual_dates_ordered"),
    ({"fiscal_year": 1999}, "work_fiscal_year_range"),
]


@pytest.mark.parametrize(("fields", "constraint"), REFUSED)
def test_bulk_and_checked_writes_refuse_the_same_rows_with_the_same_message(
    db, leon, water_category, fields, constraint
):
    from works_map.models import Work as Model

    message = next(str(c.violation_error_message) for c in Model._meta.constraints if c.name == constraint)
    for bulk in (False, True):
        with pytest.raises(ValidationError) as refused:
            with transaction.atomic():  # the import's per-row savepoint
                do_create_work(bulk=bulk, **new_work(leon, water_category, **fields))
        assert message in refused.value.messages, (bulk, refused.value.messages)
    assert not Work.objects.exists()  # nothing half-written either way
    assert not Version.objects.exists()


def test_a_negative_funding_amount_is_refused_by_the_database_with_the_fields_message(
    db, leon, water_category, fismdf
):
    with pytest.raises(ValidationError) as refused:
        with transaction.atomic():
            do_create_work(
                bulk=True,
                funding=[(fismdf, {"amount_approved": Decimal("-1")})],
                **new_work(leon, water_category),
            )
    assert refused.value.messages == ["«amount_approved» no puede ser negativo."]
    assert not Work.objects.exists() and not WorkFunding.objects.exists()


def test_a_repeated_folio_is_refused_by_the_unique_constraint_and_the_first_work_stays(
    db, leon, water_category
):
    with transaction.atomic():
        first = do_create_work(bulk=True, **new_work(leon, water_category))
    with pytest.raises(ValidationError) as refused:
        with transaction.atomic():
            do_create_work(bulk=True, **new_work(leon, water_category, name="Otra"))
    assert refused.value.messages == ["Ya existe una obra con ese folio en ese ejercicio fiscal."]
    assert list(Work.objects.values_list("pk", "name")) == [(first.pk, "Red de agua")]


def test_bulk_still_checks_field_values_and_the_progress_range(db, leon, water_category):
    with pytest.raises(ValidationError) as refused:
        with transaction.atomic():
            do_create_work(bulk=True, **new_work(leon, water_category, status="NO-EXISTE"))
    assert "status" in refused.value.message_dict  # choices are still checked in Python
    with transaction.atomic():
        work = do_create_work(bulk=True, **new_work(leon, water_category))
    with pytest.raises(ValidationError) as refused:
        with transaction.atomic():
            do_record_progress(
                work,
                reported_on=dt.date(2025, 6, 1),
                physical_pct=Decimal("120"),
                financial_pct=Decimal("10"),
                bulk=True,
            )
    assert "debe estar entre 0 y 100" in " ".join(
        refused.value.messages
    )  # the field's max_digits or the constraint
    assert not work.progress_reports.exists()


def test_a_bulk_update_records_a_version_numbered_after_the_create(db, leon, water_category):
    with transaction.atomic():
        work = do_create_work(bulk=True, **new_work(leon, water_category))
        do_update_work(work, bulk=True, name="Red de agua, segunda etapa")
    assert list(
        Version.objects.filter(object_id=work.pk).order_by("number").values_list("number", "change")
    ) == [
        (1, "CREATE"),
        (2, "UPDATE"),
    ]


def test_an_unknown_constraint_is_still_named_in_spanish(db):
    with pytest.raises(IntegrityError) as raised:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE t (x int CONSTRAINT t_x_small CHECK (x < 2))")
            cursor.execute("INSERT INTO t VALUES (5)")
    assert violation_message(raised.value).startswith("La base de datos rechazó la fila:")


def register(tmp_path, n: int, **changes):
    rows = [leon_row(f"Q-{i:03d}", **changes) for i in range(n)]
    path = write_csv(tmp_path / f"registro_{n}.csv", rows)
    options = imports.Options(target="works", mode="valid")
    return imports.check_rows(imports.read_table(path, options), options, path.name), options


def test_the_import_writes_a_new_work_in_a_bounded_number_of_queries(
    db, tmp_path, leon, water_category, fismdf, sop
):
    """Work, funding, agency, version, progress report and its approval: 10 statements a row, plus
    one savepoint pair. (Before issue 14 a row took about 45: one per model constraint and relation.)"""
    counts = {}
    for n in (5, 25):
        Work.objects.all().delete()
        outcome, options = register(tmp_path, n)
        with CaptureQueriesContext(connection) as queries:
            write_rows(outcome, options)
        assert outcome.created == n, outcome.rejected
        counts[n] = len(queries)
    per_row = (counts[25] - counts[5]) / 20
    assert per_row <= 10, counts
    work = Work.objects.get(folio="Q-000")
    assert work.physical_progress == Decimal("45.50") and work.funding.get().source == fismdf
    assert [(a.agency, a.role) for a in work.agency_roles.all()] == [(sop, "EJECUTORA")]


def test_a_reimport_reads_the_stored_works_once_not_once_a_row(
    db, tmp_path, leon, water_category, fismdf, sop
):
    outcome, options = register(tmp_path, 20)
    write_rows(outcome, options)
    outcome, options = register(tmp_path, 20)
    with CaptureQueriesContext(connection) as queries:
        write_rows(outcome, options)
    assert (outcome.created, outcome.unchanged) == (0, 20)
    work_reads = [q for q in queries if q["sql"].startswith('SELECT "works_map_work"')]
    assert len(work_reads) == 1


# --- the totals' advisory lock (issue 13 item 11) ---------------------------------------------------


@pytest.mark.usefixtures("zones", "works")
def test_an_import_keeps_memberships_and_totals_exact_with_the_lock_taken_at_the_end(
    db, tmp_path, fismdf, sop
):
    """Zones of every kind over León; the import defers the triggers to one apply before commit."""
    from tests.works_map.test_investment_totals import assert_tables_exact
    from works_map.models import WorkZone

    before = assert_tables_exact()
    rows = [leon_row(f"Z-{i:03d}", Longitud=f"{-101.75 + i * 0.005:.3f}", Latitud="21.12") for i in range(30)]
    path = write_csv(tmp_path / "zonas.csv", rows)
    options = imports.Options(target="works", mode="valid", publish=True)
    outcome = imports.check_rows(imports.read_table(path, options), options, path.name)
    write_rows(outcome, options)
    assert outcome.created == 30, outcome.rejected
    imported = Work.objects.filter(folio__startswith="Z-")
    assert WorkZone.objects.filter(work__in=imported).exists()
    assert assert_tables_exact() > before
    # Re-imported with new amounts (the update path notes each work's counted state first).
    rows = [
        leon_row(
            f"Z-{i:03d}", Longitud=f"{-101.75 + i * 0.005:.3f}", Latitud="21.12", **{"Monto ejercido": "7"}
        )
        for i in range(30)
    ]
    path = write_csv(tmp_path / "zonas2.csv", rows)
    outcome = imports.check_rows(imports.read_table(path, options), options, path.name)
    write_rows(outcome, options)
    assert outcome.updated == 30
    assert assert_tables_exact() > before


@pytest.mark.django_db(transaction=True)
def test_an_unrelated_amount_update_does_not_wait_for_a_running_import(leon, xichu, water_category):
    """Unrelated: a work elsewhere (in Xichú: no map cell in common with the imported works in León,
    whose cell rows the import holds until it commits, layers/sql/work_cells.sql)."""
    import threading

    from tests.works_map.test_investment_totals import assert_tables_exact
    from works_map.actions import apply_deferred_totals, defer_totals

    other = do_create_work(
        **new_work(xichu, water_category, folio="OTRA", geom=Point(-100.06, 21.29, srid=4326))
    )
    written, finish = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def importing() -> None:
        try:
            with transaction.atomic():
                defer_totals()
                for i in range(3):
                    with transaction.atomic():
                        do_create_work(bulk=True, **new_work(leon, water_category, folio=f"IMP-{i}"))
                written.set()
                finish.wait(10)
                apply_deferred_totals()
        except BaseException as error:  # noqa: BLE001 (reported by the test)
            errors.append(error)
            written.set()
        finally:
            connection.close()

    thread = threading.Thread(target=importing)
    thread.start()
    assert written.wait(10)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")  # waiting for the import would fail here
            do_update_work(other, amount_approved=Decimal("123.00"))
    finally:
        finish.set()
        thread.join(10)
    assert not errors, errors
    assert Work.objects.filter(folio__startswith="IMP-").count() == 3
    assert_tables_exact()
    with connection.cursor() as cursor:
        cursor.execute("SELECT n, approved FROM works_map_worktotal WHERE work_year = 2025")
        assert cursor.fetchone() == (4, Decimal("123.00"))  # the three imported works and the other one


def test_deleting_works_while_totals_are_deferred_is_refused(db, leon, water_category):
    from works_map.actions import defer_totals

    work = do_create_work(**new_work(leon, water_category))
    with pytest.raises(Exception, match="deferred"):
        with transaction.atomic():
            defer_totals()
            Work.objects.filter(pk=work.pk).delete()
    assert Work.objects.filter(pk=work.pk).exists()
