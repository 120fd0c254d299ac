"""Tables to take away: one declarative table, written as CSV or as a sheet of an XLSX workbook.

A Table names its columns with a kind (text, integer, money, percentage), so the CSV keeps plain
machine-readable values (no thousands separators, a dot for decimals) and the workbook gets real
numbers with Excel number formats, under a header with the report's title and date.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

Kind = Literal["text", "integer", "money", "percent", "decimal"]

# Excel number formats: pesos with centavos, counts with separators, percentages already in 0–100.
NUMBER_FORMATS: dict[str, str] = {
    "integer": "#,##0",
    "money": '"$"#,##0.00',
    "percent": '0.0" %"',
    "decimal": "#,##0.00",
}
SHEET_TITLE_MAX = 31  # Excel's limit
HEADER_ROWS = 3  # title, subtitle, blank; the column names follow


@dataclass(frozen=True)
class Column:
    label: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Table:
    """`slug` names the CSV file and `title` the sheet; a None cell is an empty one (a figure withheld
    or not applicable, which the caption explains)."""

    slug: str
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    note: str = ""


def _number(value: Any, kind: str) -> Any:
    if value is None or kind == "text":
        return value
    number = Decimal(str(value))
    return int(number) if kind == "integer" else number


def to_csv(table: Table) -> str:
    """UTF-8 CSV with a header row of column labels; numbers as plain decimals."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.label for c in table.columns])
    for row in table.rows:
        writer.writerow(
            ["" if v is None else _number(v, c.kind) for c, v in zip(table.columns, row, strict=True)]
        )
    return out.getvalue()


def _sheet_title(title: str, used: set[str]) -> str:
    # Excel forbids []:*?/\ in sheet names and needs them unique within 31 characters.
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:SHEET_TITLE_MAX].strip()
    candidate, n = clean, 2
    while candidate.casefold() in used:
        suffix = f" ({n})"
        candidate = clean[: SHEET_TITLE_MAX - len(suffix)] + suffix
        n += 1
    used.add(candidate.casefold())
    return candidate


def to_xlsx(tables: Sequence[Table], title: str, subtitle: str, generated: dt.datetime) -> bytes:
    """One sheet per table: the report's title and the date on top, bold column names frozen below
    them, numbers as numbers with their format, columns wide enough to read."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    used: set[str] = set()
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDDDDD")
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table.title, used))
        sheet["A1"] = f"{title} · {table.title}"
        sheet["A1"].font = Font(bold=True, size=13)
        sheet["A2"] = f"{subtitle} · {generated:%d/%m/%Y %H:%M}"
        if table.note:
            sheet["A3"] = table.note
            sheet["A3"].alignment = Alignment(wrap_text=False)
        first = HEADER_ROWS + 1
        widths = []
        for col, column in enumerate(table.columns, start=1):
            cell = sheet.cell(row=first, column=col, value=column.label)
            cell.font = bold
            cell.fill = header_fill
            widths.append(len(column.label))
        for r, row in enumerate(table.rows, start=first + 1):
            for col, (column, value) in enumerate(zip(table.columns, row, strict=True), start=1):
                cell = sheet.cell(row=r, column=col, value=_number(value, column.kind))
                if column.kind in NUMBER_FORMATS:
                    cell.number_format = NUMBER_FORMATS[column.kind]
                widths[col - 1] = max(
                    widths[col - 1], len(str(value or "")) + (4 if column.kind == "money" else 1)
                )
        for col, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 10), 60)
        sheet.freeze_panes = sheet.cell(row=first + 1, column=1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
