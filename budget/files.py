"""Budget files as the state and SHCP publish them -> rows of text cells, and the cell readers.

CSV in UTF-8 (with or without BOM) or Windows-1252, comma or semicolon separated; or the first sheet
of an XLSX workbook. Amounts may carry a "$" and thousands separators ("1,234,567.89").
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

MAX_BYTES = 200 * 1024 * 1024


class FileRefused(Exception):
    """The file as a whole cannot be read: wrong format, no header, a required column missing."""


@dataclass
class Sheet:
    header: list[str]  # normalised column names
    rows: list[list[str]]  # data rows, as text; the file's row number is index + 2
    encoding: str
    columns: list[str] = field(default_factory=list)  # the column names as the file writes them


def normalise(name: str) -> str:
    """ "Fuente de Financiamiento" -> "fuente_de_financiamiento"; accents and case do not matter."""
    text = unicodedata.normalize("NFKD", str(name or "")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page; every byte decodes in cp1252 but five.
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            raise FileRefused(_("El archivo no está en UTF-8 ni en Windows-1252.")) from None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # A number cell: its shortest decimal form; an integral float (a code typed as a number) loses ".0".
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def read_sheet(data: bytes, filename: str) -> Sheet:
    if len(data) > MAX_BYTES:
        raise FileRefused(_("El archivo pasa de 200 MB."))
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
            raise FileRefused(_("El archivo XLSX no se puede abrir (¿dañado o de otro formato?).")) from None
        sheet = book.worksheets[0]
        table = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        encoding = "xlsx"
    elif name.endswith(".csv") or name.endswith(".txt"):
        text, encoding = _decode(data)
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        try:
            table = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
        except csv.Error as exc:  # a NUL byte, an unclosed quote at the end, a field past the limit
            raise FileRefused(_("El CSV no se puede leer: %(e)s.") % {"e": str(exc)[:120]}) from None
    else:
        raise FileRefused(_("Formato no admitido: use CSV o XLSX."))
    table = [row for row in table if any(cell for cell in row)]
    if not table:
        raise FileRefused(_("El archivo está vacío."))
    header = [normalise(c) for c in table[0]]
    width = len(header)
    rows = [(row + [""] * width)[:width] for row in table[1:]]
    return Sheet(header=header, rows=rows, encoding=encoding, columns=list(table[0]))


_PLAIN = re.compile(r"[0-9]+(\.[0-9]+)?")
_GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?")


# The shape nearly every amount has ("1,234,567.89", "1234.5", "12"): read without the slow path.
_FAST = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,15})(?:\.[0-9]{1,2})?")


def parse_amount(raw: str) -> Decimal:
    """ "$1,234,567.89" -> Decimal("1234567.89"); empty -> 0. ValueError names what is wrong."""
    if _FAST.fullmatch(raw):
        return Decimal(raw.replace(",", ""))
    text = raw.replace("$", "").replace(" ", "").replace("\u00a0", "")
    if text == "":
        return Decimal(0)
    if text.startswith("-") or text.startswith("("):
        raise ValueError(_("monto negativo «%(v)s»") % {"v": raw})
    if not (_PLAIN.fullmatch(text) or _GROUPED.fullmatch(text)):
        raise ValueError(_("monto ilegible «%(v)s»") % {"v": raw[:40]})
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValueError(_("monto ilegible «%(v)s»") % {"v": raw[:40]}) from None
    if value != value.quantize(Decimal("0.01")):
        # An XLSX number cell may carry float noise; a typed amount with three decimals is an error.
        if len(text.rpartition(".")[2]) > 8:
            return value.quantize(Decimal("0.01"))
        raise ValueError(_("monto con más de dos decimales «%(v)s»") % {"v": raw[:40]})
    if value >= Decimal("1e15"):
        raise ValueError(_("monto fuera de rango «%(v)s»") % {"v": raw[:40]})
    return value
