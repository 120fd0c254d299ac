"""The one import report: every row counted once, rejections listed up to the cap, the CSV to fix."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import pytest

from gis_core.importers import MAX_REJECTIONS_LISTED, ImportReport


@dataclass
class Row:
    row: int
    key: str


@dataclass
class Table:
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_it_counts_kept_rejected_and_what_the_write_did():
    report: ImportReport[Row] = ImportReport(source="obras.csv")
    first, second, third = Row(1, "A"), Row(2, "B"), Row(3, "C")
    for row in (first, second, third):
        report.read += 1
        report.keep(row)
    report.read += 1
    report.reject(4, "D", "sin geometría")
    report.tally("created")
    report.tally("updated", 2)
    report.committed = True
    assert (report.kept_count, report.rejected_count, report.total, report.written) == (3, 1, 4, 3)
    assert not report.ok
    assert report.summary() == {
        "source": "obras.csv",
        "rows": 4,
        "kept": 3,
        "rejected": 1,
        "created": 1,
        "updated": 2,
        "unchanged": 0,
        "written": True,
        "notes": [],
    }


def test_a_streaming_import_counts_rows_it_does_not_hold():
    report: ImportReport[Row] = ImportReport()
    report.count_kept(5000)
    report.keep(Row(1, "A"))
    assert report.kept_count == 5001 and report.ok


def test_a_rolled_back_write_forgets_its_counts_but_not_the_rows():
    report: ImportReport[Row] = ImportReport()
    report.keep(Row(1, "A"))
    report.tally("created")
    report.tally("unchanged")
    report.committed = True
    report.forget_writes()
    assert (report.created, report.unchanged, report.written, report.committed) == (0, 0, 0, False)
    assert report.kept_count == 1


def test_it_refuses_an_unknown_write_result():
    with pytest.raises(ValueError, match="unknown write result"):
        ImportReport().tally("deleted")


def test_a_withdrawn_row_moves_from_kept_to_rejected_in_file_order():
    report: ImportReport[Row] = ImportReport()
    first, second, third = Row(1, "A"), Row(2, "B"), Row(3, "C")
    for row in (first, second, third):
        report.keep(row)
    report.reject(2, "B-dup", "duplicada")
    report.withdraw([third, first], "fuera de su ámbito de trabajo")
    assert report.kept == [second]
    assert [(r.row, r.reason) for r in report.rejected] == [
        (1, "fuera de su ámbito de trabajo"),
        (2, "duplicada"),
        (3, "fuera de su ámbito de trabajo"),
    ]
    assert report.total == 4


def test_it_counts_every_rejection_but_lists_only_up_to_its_limit():
    report: ImportReport[Row] = ImportReport(limit=2)
    for line in range(1, 6):
        report.reject(line, f"K{line}", "motivo")
    assert [r.row for r in report.rejected] == [1, 2]
    assert report.rejected_count == 5 and report.summary()["rejected"] == 5
    assert len(parse(report.rejected_csv())) == 1 + 2  # the header and the listed rows


def test_the_default_limit_is_the_shared_cap_and_none_lists_everything():
    capped: ImportReport[Row] = ImportReport()
    uncapped: ImportReport[Row] = ImportReport(limit=None)
    for line in range(MAX_REJECTIONS_LISTED + 1):
        capped.reject(line, "K", "motivo")
        uncapped.reject(line, "K", "motivo")
    assert len(capped.rejected) == MAX_REJECTIONS_LISTED
    assert capped.rejected_count == MAX_REJECTIONS_LISTED + 1
    assert len(uncapped.rejected) == MAX_REJECTIONS_LISTED + 1


def test_the_csv_gives_the_reason_then_the_rows_original_columns():
    table = Table(
        columns=["folio", "monto"],
        rows=[{"folio": "F1", "monto": 10}, {"folio": "F2", "monto": float("nan")}, {"folio": "F3"}],
    )
    report: ImportReport[Row] = ImportReport()
    report.keep(Row(1, "F1"))
    report.reject(2, "F2", "monto ilegible", column="monto")
    report.reject(3, "F3", "sin geometría")
    assert parse(report.rejected_csv(table)) == [
        ["fila", "clave", "motivo", "folio", "monto"],
        ["2", "F2", "monto ilegible", "F2", ""],  # NaN is written empty, not "nan"
        ["3", "F3", "sin geometría", "F3", ""],
    ]
    assert parse(report.rejected_csv()) == [
        ["fila", "clave", "motivo"],
        ["2", "F2", "monto ilegible"],
        ["3", "F3", "sin geometría"],
    ]


def test_a_subclass_names_the_csv_columns_and_may_include_the_column_at_fault():
    class Labelled(ImportReport[Row]):
        rejection_labels = {"row": "renglon", "key": "folio", "column": "columna", "reason": "motivo"}

    report = Labelled()
    report.reject(7, "X-1", "se esperaba un entero", column="edad")
    assert parse(report.rejected_csv()) == [
        ["renglon", "folio", "columna", "motivo"],
        ["7", "X-1", "edad", "se esperaba un entero"],
    ]
    assert report.rejected[0].labelled(report.rejection_labels) == {
        "renglon": 7,
        "folio": "X-1",
        "columna": "edad",
        "motivo": "se esperaba un entero",
    }
