"""Loading budget files: each bad input has its own reason with its row; nothing is half-written;
a year already loaded is replaced only on request, with the difference shown."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from budget.models import BudgetLoad, ExpenseLine, IncomeLine, Transfer
from tests.budget.conftest import LINES, _total, changed, expense_csv

pytestmark = pytest.mark.django_db


def reasons(report) -> list[tuple[int, str]]:
    return [(p.row, p.reason) for p in report.problems]


def test_a_good_file_with_thousands_separators_loads_every_row(load):
    report = load(expense_csv())
    assert report.committed and report.ok
    assert ExpenseLine.objects.count() == 3
    assert report.totals[2025]["aprobado"] == Decimal("3500000.00")
    line = ExpenseLine.objects.get(programa="K001")
    assert (line.capitulo, line.concepto, line.partida, line.funcion, line.finalidad) == (
        "6000",
        "6100",
        "6130",
        "2.2",
        "2",
    )
    load_row = BudgetLoad.objects.get(fiscal_year=2025, kind="egresos")
    assert load_row.latest_quarter == 4 and load_row.rows == 3


@pytest.mark.parametrize(
    ("row", "column", "value", "fragment"),
    [
        (0, 7, "6180", "partida genérica «6180» no está en el catálogo CONAC"),
        (0, 7, "99", "no es una clave del objeto del gasto"),
        (1, 6, "9.9.9", "subfunción «9.9.9» no está en el catálogo CONAC"),
        (1, 6, "2.2", "debe llegar a subfunción"),
        (2, 9, "19", "fuente de financiamiento «19» no está en el catálogo CONAC"),
        (2, 9, "2", "debe tener 2 dígitos"),
        (2, 8, "7", "tipo de gasto «7» no está en el catálogo CONAC"),
        (0, 1, "5", "trimestre «5»"),
        (0, 0, "20x5", "no es un año"),
        (0, 12, "1.000.000,00", "monto ilegible"),
        (0, 12, "un millón", "monto ilegible"),
        (0, 12, "-5.00", "monto negativo"),
        (0, 12, "10.005", "más de dos decimales"),
        (0, 10, "", "falta el programa presupuestario"),
    ],
)
def test_each_bad_cell_is_refused_with_its_row_and_reason_and_nothing_is_written(
    load, row, column, value, fragment
):
    rows = changed(row, column, value)
    total = _total([r for r in LINES])  # the control row of the good file: only the bad cell differs
    report = load(expense_csv(rows, total=total))
    assert not report.committed
    assert any(at == row + 2 and fragment in reason for at, reason in reasons(report)), reasons(report)
    assert ExpenseLine.objects.count() == 0 and BudgetLoad.objects.count() == 0


def test_moments_that_contradict_each_other_are_refused(load):
    rows = changed(0, 17, "850,000.00")  # pagado 850,000 > ejercido 800,000
    report = load(expense_csv(rows))
    assert reasons(report) == [
        (2, "momentos contradictorios: pagado (850000.00) mayor que ejercido (800000.00)")
    ]
    rows = changed(1, 14, "600,000.00")  # comprometido 600,000 > modificado 500,000
    assert "comprometido (600000.00) mayor que modificado" in reasons(load(expense_csv(rows)))[0][1]
    assert ExpenseLine.objects.count() == 0


def test_a_control_total_that_does_not_add_up_is_refused_on_the_total_row(load):
    total = _total(LINES)
    total[12] = "3,500,000.01"
    report = load(expense_csv(total=total))
    assert reasons(report) == [
        (
            5,
            "la suma de aprobado de el ejercicio 2025, trimestre 4 es 3,500,000.00 "
            "y la fila TOTAL dice 3,500,000.01",
        )
    ]
    assert ExpenseLine.objects.count() == 0


def test_a_file_without_its_control_total_is_refused(load):
    report = load(expense_csv(total=False))
    assert reasons(report) == [(0, "Falta la fila TOTAL de control de el ejercicio 2025, trimestre 4.")]


def test_one_bad_row_among_many_writes_nothing(load):
    rows = [list(LINES[i % 3]) for i in range(300)]
    rows[250][7] = "6180"
    report = load(expense_csv(rows, total=_total([list(LINES[i % 3]) for i in range(300)])))
    assert report.problem_count == 1 and reasons(report)[0][0] == 252
    assert ExpenseLine.objects.count() == 0


def test_a_missing_column_is_named(load):
    header = "ejercicio,trimestre,ramo"
    report = load(header + "\n2025,4,10\n")
    assert "Faltan columnas: dependencia, funcional, partida" in reasons(report)[0][1]


def test_a_windows_1252_file_with_semicolons_loads(load):
    text = expense_csv().replace('","', '";"').replace(',"', ';"')
    header, rest = text.split("\n", 1)
    data = (header.replace(",", ";") + "\n" + rest).replace("Educación", "Educación").encode("cp1252")
    report = load(data)
    assert report.committed, reasons(report)
    assert report.encoding == "cp1252"
    assert ExpenseLine.objects.filter(programa_name="Educación básica").exists()


def test_an_xlsx_file_with_number_cells_loads(load):
    book = Workbook()
    sheet = book.active
    sheet.append(expense_csv().split("\n")[0].split(","))
    for row in [*LINES, _total(LINES)]:
        cells = [*row[:12], *(float(v.replace(",", "")) for v in row[12:])]
        cells[0], cells[1] = int(row[0]), int(row[1])
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    report = load(out.getvalue(), name="presupuesto.xlsx")
    assert report.committed, reasons(report)
    assert ExpenseLine.objects.get(programa="E071").aprobado == Decimal("2000000.00")


def test_a_year_already_loaded_is_refused_with_the_difference_then_replaced_on_request(load, budget_2025):
    rows = changed(0, 12, "1,100,000.00")
    again = load(expense_csv(rows))
    assert not again.committed and again.needs_replace == [2025]
    diff = {d["moment"]: d for d in again.difference()}
    assert diff["aprobado"]["old"] == Decimal("3500000.00") and diff["aprobado"]["change"] == Decimal(
        "100000.00"
    )
    assert ExpenseLine.objects.get(programa="K001").aprobado == Decimal("1000000.00")  # untouched

    replaced = load(expense_csv(rows), replace=True)
    assert replaced.committed and replaced.replaced
    assert {d["moment"]: d["change"] for d in replaced.difference()}["aprobado"] == Decimal("100000.00")
    assert ExpenseLine.objects.count() == 3
    assert ExpenseLine.objects.get(programa="K001").aprobado == Decimal("1100000.00")


def test_income_by_cri_loads_and_a_tipo_outside_its_rubro_is_refused(load):
    good = (
        "ejercicio,rubro,tipo,concepto,estimado,modificado,devengado,recaudado\n"
        "2025,1,15,Nóminas,100.00,100.00,90.00,90.00\n2025,8,81,Participaciones,900.00,900.00,900.00,900.00\n"
        "2025,TOTAL,,,1000.00,1000.00,990.00,990.00\n"
    )
    assert load(good, kind="ingresos").committed
    assert IncomeLine.objects.count() == 2
    bad = good.replace("2025,1,15", "2025,1,43").replace("2025,8,81", "2025,8,89")
    report = load(bad, kind="ingresos", replace=True)
    assert reasons(report) == [
        (2, "el tipo CRI «43» no pertenece al rubro 1"),
        (3, "tipo CRI «89» no está en el catálogo CONAC"),
    ]


def test_transfers_name_their_municipio_by_cvegeo_or_by_its_three_digit_key(load, leon, xichu):
    text = (
        'ejercicio,municipio,fondo,monto\n2025,11020,FAIS-FISMDF,"1,000.00"\n2025,045,FORTAMUN,500.00\n'
        '2025,11099,PARTICIPACIONES,1.00\n2025,11020,FONDO X,1.00\n2025,TOTAL,,"1,502.00"\n'
    )
    report = load(text, kind="transferencias")
    assert reasons(report) == [
        (4, "municipio «11099» no es una clave INEGI de Guanajuato"),
        (5, "fondo «FONDO X» no es FAIS-FISMDF, FORTAMUN ni PARTICIPACIONES"),
    ]
    good = "\n".join(line for i, line in enumerate(text.split("\n")) if i not in (3, 4)).replace(
        "1,502.00", "1,500.00"
    )
    assert load(good, kind="transferencias").committed
    assert Transfer.objects.get(municipio=xichu).amount == Decimal("500.00")


def test_the_database_refuses_contradicting_moments_written_by_any_other_path(budget_2025):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ExpenseLine.objects.filter(programa="K001").update(pagado=Decimal("999999999"))


@pytest.mark.parametrize(
    ("data", "name", "fragment"),
    [
        (b'ejercicio\n"' + b"x" * 140_000 + b'"\n', "campo-enorme.csv", "El CSV no se puede leer"),
        (b"PK\x03\x04 not really a workbook", "roto.xlsx", "no se puede abrir"),
        (b"", "vacio.csv", "El archivo está vacío."),
        (b"a,b\n1,2\n", "presupuesto.pdf", "Formato no admitido"),
        ("año,ñ\n".encode("utf-16"), "utf16.csv", "Faltan columnas"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole_with_its_reason(load, data, name, fragment):
    report = load(data, name=name)
    assert not report.committed and report.problems[0].row == 0
    assert fragment in report.problems[0].reason, reasons(report)
