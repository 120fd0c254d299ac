"""Small budget files built row by row, each test changing one cell to name its edge case."""

from __future__ import annotations

from decimal import Decimal

import pytest

HEADER = (
    "ejercicio,trimestre,ramo,ramo_nombre,dependencia,dependencia_nombre,funcional,partida,tipo_gasto,"
    "fuente,programa,programa_nombre,aprobado,modificado,comprometido,devengado,ejercido,pagado"
)

# Two lines of SOP's water program and one of education, quarter 4 of 2025.
LINES = [
    [
        "2025",
        "4",
        "10",
        "Obra Pública",
        "1001",
        "SOP",
        "2.2.3",
        "6130",
        "2",
        "25",
        "K001",
        "Agua potable",
        "1,000,000.00",
        "1,200,000.00",
        "1,100,000.00",
        "900,000.00",
        "800,000.00",
        "700,000.00",
    ],
    [
        "2025",
        "4",
        "10",
        "Obra Pública",
        "1001",
        "SOP",
        "2.2.1",
        "6140",
        "2",
        "16",
        "K003",
        "Urbanización",
        "500,000.00",
        "500,000.00",
        "400,000.00",
        "300,000.00",
        "300,000.00",
        "250,000.00",
    ],
    [
        "2025",
        "4",
        "07",
        "Educación",
        "0701",
        "SEG",
        "2.5.1",
        "1130",
        "1",
        "15",
        "E071",
        "Educación básica",
        "2,000,000.00",
        "2,000,000.00",
        "2,000,000.00",
        "1,900,000.00",
        "1,800,000.00",
        "1,800,000.00",
    ],
]
MOMENTS = 6


def _total(rows: list[list[str]], year: str = "2025", quarter: str = "4") -> list[str]:
    sums = [sum(Decimal(r[12 + i].replace(",", "")) for r in rows) for i in range(MOMENTS)]
    return [year, quarter, "TOTAL", "", "", "", "", "", "", "", "", "", *(f"{s:,.2f}" for s in sums)]


def expense_csv(rows=None, total=None, header: str = HEADER) -> str:
    rows = [list(r) for r in (LINES if rows is None else rows)]
    total = _total(rows) if total is None else total
    body = [header, *(",".join(f'"{c}"' for c in r) for r in rows)]
    if total is not False:
        body.append(",".join(f'"{c}"' for c in total))
    return "\n".join(body) + "\n"


def changed(index: int, column: int, value: str) -> list[list[str]]:
    """LINES with one cell changed (the control row is recomputed, so only that cell is wrong)."""
    rows = [list(r) for r in LINES]
    rows[index][column] = value
    return rows


@pytest.fixture
def load():
    from budget.actions import do_load_budget

    def run(text: str | bytes, kind: str = "egresos", name: str = "presupuesto.csv", **kwargs):
        data = text.encode() if isinstance(text, str) else text
        return do_load_budget(data, name, kind, **kwargs)

    return run


@pytest.fixture
def budget_2025(db, load):
    report = load(expense_csv())
    assert report.committed, report.problems
    return report
