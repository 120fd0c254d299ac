"""Check a budget file row by row, then write it whole or not at all.

Three kinds (budget.models.Kind), each a `Spec`: the columns it needs, how a data row becomes a
tuple for COPY, and which amount columns the control row (first key cell "TOTAL") must match. Every
problem is reported with its row number and a reason in Spanish; a single problem refuses the
file. A year already loaded is replaced only with `replace=True`, and the report carries the
difference (old and new totals per year and moment) either way.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop as noop

from budget import catalogues
from budget.files import FileRefused, Sheet, normalise, parse_amount
from budget.models import Fund, Kind

MAX_PROBLEMS = 1000  # listed; the count is always exact
EXPENSE_MOMENTS = ("aprobado", "modificado", "comprometido", "devengado", "ejercido", "pagado")
INCOME_MOMENTS = ("estimado", "modificado", "devengado", "recaudado")
TRANSFER_MOMENTS = ("monto",)
# pagado ≤ ejercido ≤ devengado ≤ comprometido ≤ modificado (each pair: smaller, larger)
MOMENT_ORDER = (
    ("pagado", "ejercido"),
    ("ejercido", "devengado"),
    ("devengado", "comprometido"),
    ("comprometido", "modificado"),
)

ALIASES = {
    "ejercicio_fiscal": "ejercicio",
    "anio": "ejercicio",
    "ano": "ejercicio",
    "periodo": "trimestre",
    "clasificacion_funcional": "funcional",
    "subfuncion": "funcional",
    "finalidad_funcion_subfuncion": "funcional",
    "objeto_del_gasto": "partida",
    "cog": "partida",
    "partida_generica": "partida",
    "tipo_de_gasto": "tipo_gasto",
    "fuente_de_financiamiento": "fuente",
    "ff": "fuente",
    "programa_presupuestario": "programa",
    "pp": "programa",
    "nombre_del_programa": "programa_nombre",
    "nombre_del_ramo": "ramo_nombre",
    "nombre_de_la_dependencia": "dependencia_nombre",
    "unidad_responsable": "dependencia",
    "cvegeo": "municipio",
    "clave_municipio": "municipio",
    "importe": "monto",
    "ley_de_ingresos_estimada": "estimado",
}


@dataclass
class Problem:
    row: int  # 0: the file as a whole
    reason: str


@dataclass
class Report:
    kind: str
    filename: str
    encoding: str = ""
    rows: int = 0
    years: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    totals: dict[int, dict[str, Decimal]] = field(default_factory=dict)  # year -> moment -> new total
    previous: dict[int, dict[str, Decimal]] = field(default_factory=dict)  # year -> moment -> old
    needs_replace: list[int] = field(default_factory=list)
    committed: bool = False
    replaced: bool = False

    def add(self, row: int, reason: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(row, reason))

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def difference(self) -> list[dict]:
        """Per year loaded before and moment: old total, new total, new − old."""
        out = []
        for year in sorted(self.previous):
            for moment, old in self.previous[year].items():
                new = self.totals.get(year, {}).get(moment, Decimal(0))
                out.append({"year": year, "moment": moment, "old": old, "new": new, "change": new - old})
        return out

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "file": self.filename,
            "encoding": self.encoding,
            "rows": self.rows,
            "years": self.years,
            "committed": self.committed,
            "replaced": self.replaced,
            "needs_replace": self.needs_replace,
            "problem_count": self.problem_count,
            "problems": [{"row": p.row, "reason": p.reason} for p in self.problems],
            "totals": {str(y): {m: str(v) for m, v in t.items()} for y, t in self.totals.items()},
            "difference": [
                {**d, **{k: str(d[k]) for k in ("old", "new", "change")}} for d in self.difference()
            ],
        }


# What a text check names, translated only when a row fails (gettext per cell was most of the time).
W_RAMO = noop("el ramo")
W_RAMO_NAME = noop("el nombre del ramo")
W_AGENCY = noop("la dependencia")
W_AGENCY_NAME = noop("el nombre de la dependencia")
W_PROGRAM = noop("el programa presupuestario")
W_PROGRAM_NAME = noop("el nombre del programa")


class RowError(ValueError):
    pass


def _code(value: str, catalogue: dict[str, str], what: str) -> str:
    if value not in catalogue:
        raise RowError(
            _("%(what)s «%(v)s» no está en el catálogo CONAC") % {"what": _(what), "v": value[:30]}
        )
    return value


_YEAR = re.compile(r"(19|20)[0-9]{2}")


def _year(value: str) -> int:
    if not _YEAR.fullmatch(value):
        raise RowError(_("ejercicio «%(v)s» no es un año") % {"v": value[:20]})
    return int(value)


def _text(value: str, what: str, max_length: int) -> str:
    if not value:
        raise RowError(_("falta %(what)s") % {"what": _(what)})
    if len(value) > max_length:
        raise RowError(_("%(what)s pasa de %(n)s caracteres") % {"what": _(what), "n": max_length})
    return value


@dataclass(frozen=True)
class Spec:
    kind: str
    required: tuple[str, ...]
    moments: tuple[str, ...]
    key_column: str  # the column whose "TOTAL" marks a control row
    group: Callable[[dict[str, str]], tuple]  # (year,) or (year, quarter): what a control row totals
    parse: Callable[[dict[str, str], dict[str, Decimal], dict], tuple]  # row -> COPY tuple
    columns: tuple[str, ...]  # the model fields of the COPY tuple, in order


def _split_partida(raw: str) -> tuple[str, str, str]:
    """ "611", "6110" or a state's specific "61101" -> (capítulo, concepto, partida genérica)."""
    digits = raw.replace(".", "")
    if not re.fullmatch(r"[1-9][0-9]{2,4}", digits):
        raise RowError(_("partida «%(v)s» no es una clave del objeto del gasto") % {"v": raw[:20]})
    generic = digits[:3] + "0"
    chapter, concept = digits[0] + "000", digits[:2] + "00"
    cog = catalogues.cog()
    for code, what in (
        (chapter, noop("capítulo")),
        (concept, noop("concepto")),
        (generic, noop("partida genérica")),
    ):
        _code(code, cog, what)
    return chapter, concept, generic


def _classification(functional: str, partida: str, tipo: str, source: str) -> tuple:
    """The CONAC part of a line, checked: (finalidad, función, subfunción, capítulo, concepto,
    partida genérica, tipo, fuente). A budget repeats a few hundred of these over its lines, so
    `_expense` keeps each one checked in a per-file memo."""
    _code(functional, catalogues.funcional(), noop("subfunción"))
    parts = functional.split(".")
    if len(parts) != 3:
        raise RowError(_("la clave funcional «%(v)s» debe llegar a subfunción (f.f.s)") % {"v": functional})
    chapter, concept, generic = _split_partida(partida)
    _code(tipo, catalogues.tipos_gasto(), noop("tipo de gasto"))
    if len(source) != 2:
        raise RowError(_("la fuente de financiamiento «%(v)s» debe tener 2 dígitos") % {"v": source[:10]})
    _code(source, catalogues.fuentes(), noop("fuente de financiamiento"))
    return (parts[0], ".".join(parts[:2]), functional, chapter, concept, generic, tipo, source)


def _expense(cells: dict[str, str], amounts: dict[str, Decimal], memo: dict) -> tuple:
    year = _year(cells["ejercicio"])
    quarter = _quarter(cells["trimestre"])
    key = (cells["funcional"], cells["partida"], cells["tipo_gasto"], cells["fuente"])
    classification = memo.get(key)
    if classification is None:
        classification = memo[key] = _classification(*key)
    for smaller, larger in MOMENT_ORDER:
        if amounts[smaller] > amounts[larger]:
            raise RowError(
                _("momentos contradictorios: %(a)s (%(va)s) mayor que %(b)s (%(vb)s)")
                % {"a": smaller, "va": amounts[smaller], "b": larger, "vb": amounts[larger]}
            )
    return (
        year,
        quarter,
        _text(cells["ramo"], W_RAMO, 10),
        _text(cells.get("ramo_nombre", "") or cells["ramo"], W_RAMO_NAME, 200),
        _text(cells["dependencia"], W_AGENCY, 20),
        _text(
            cells.get("dependencia_nombre", "") or cells["dependencia"],
            W_AGENCY_NAME,
            200,
        ),
        *classification,
        _text(cells["programa"], W_PROGRAM, 20),
        _text(cells.get("programa_nombre", "") or cells["programa"], W_PROGRAM_NAME, 300),
        *(amounts[m] for m in EXPENSE_MOMENTS),
    )


def _quarter(value: str) -> int:
    text = value.upper().removeprefix("T").removeprefix("Q")
    if text not in {"1", "2", "3", "4"}:
        raise RowError(_("trimestre «%(v)s» no es 1, 2, 3 ni 4") % {"v": value[:10]})
    return int(text)


def _income(cells: dict[str, str], amounts: dict[str, Decimal], _context: dict) -> tuple:
    year = _year(cells["ejercicio"])
    rubro = _code(cells["rubro"], catalogues.cri(), noop("rubro CRI"))
    if len(rubro) != 1:
        raise RowError(_("el rubro CRI «%(v)s» debe tener 1 dígito") % {"v": rubro})
    tipo = cells["tipo"]
    if len(tipo) == 1:
        tipo = rubro + tipo  # "tipo 1 of rubro 8" written without its rubro
    _code(tipo, catalogues.cri(), noop("tipo CRI"))
    if tipo[0] != rubro:
        raise RowError(_("el tipo CRI «%(t)s» no pertenece al rubro %(r)s") % {"t": tipo, "r": rubro})
    concept = cells.get("concepto", "") or catalogues.cri()[tipo]
    return (
        year,
        rubro,
        tipo,
        _text(concept, noop("el concepto"), 300),
        *(amounts[m] for m in INCOME_MOMENTS),
    )


FUND_ALIASES = {
    "FAIS-FISMDF": Fund.FISMDF,
    "FISMDF": Fund.FISMDF,
    "FISM": Fund.FISMDF,
    "FAIS": Fund.FISMDF,
    "FORTAMUN": Fund.FORTAMUN,
    "FORTAMUN-DF": Fund.FORTAMUN,
    "PARTICIPACIONES": Fund.PARTICIPACIONES,
    "RAMO 28": Fund.PARTICIPACIONES,
    "RAMO28": Fund.PARTICIPACIONES,
}


def _transfer(cells: dict[str, str], amounts: dict[str, Decimal], municipios: dict[str, int]) -> tuple:
    year = _year(cells["ejercicio"])
    raw = cells["municipio"]
    key = raw.zfill(3) if len(raw) <= 3 else raw
    municipio = municipios.get(key)
    if municipio is None:
        raise RowError(_("municipio «%(v)s» no es una clave INEGI de Guanajuato") % {"v": raw[:10]})
    fund = FUND_ALIASES.get(cells["fondo"].upper())
    if fund is None:
        raise RowError(
            _("fondo «%(v)s» no es FAIS-FISMDF, FORTAMUN ni PARTICIPACIONES") % {"v": cells["fondo"][:30]}
        )
    return (year, municipio, str(fund), amounts["monto"])


def _by_year_quarter(cells: dict[str, str]) -> tuple:
    return (_year(cells["ejercicio"]), _quarter(cells["trimestre"]))


def _by_year(cells: dict[str, str]) -> tuple:
    return (_year(cells["ejercicio"]),)


SPECS = {
    Kind.EXPENSE: Spec(
        Kind.EXPENSE,
        required=(
            "ejercicio",
            "trimestre",
            "ramo",
            "dependencia",
            "funcional",
            "partida",
            "tipo_gasto",
            "fuente",
            "programa",
            *EXPENSE_MOMENTS,
        ),
        moments=EXPENSE_MOMENTS,
        key_column="ramo",
        group=_by_year_quarter,
        parse=_expense,
        columns=(
            "fiscal_year",
            "quarter",
            "ramo",
            "ramo_name",
            "dependencia",
            "dependencia_name",
            "finalidad",
            "funcion",
            "subfuncion",
            "capitulo",
            "concepto",
            "partida",
            "tipo_gasto",
            "fuente",
            "programa",
            "programa_name",
            *EXPENSE_MOMENTS,
        ),
    ),
    Kind.INCOME: Spec(
        Kind.INCOME,
        required=("ejercicio", "rubro", "tipo", *INCOME_MOMENTS),
        moments=INCOME_MOMENTS,
        key_column="rubro",
        group=_by_year,
        parse=_income,
        columns=("fiscal_year", "rubro", "tipo", "concept", *INCOME_MOMENTS),
    ),
    Kind.TRANSFERS: Spec(
        Kind.TRANSFERS,
        required=("ejercicio", "municipio", "fondo", "monto"),
        moments=TRANSFER_MOMENTS,
        key_column="municipio",
        group=_by_year,
        parse=_transfer,
        columns=("fiscal_year", "municipio_id", "fund", "amount"),
    ),
}


@dataclass
class Checked:
    spec: Spec
    rows: list[tuple]
    report: Report
    latest_quarter: dict[int, int]
    sheet: Sheet | None = None  # what was read, for a per-row report that shows the refused rows


def check(sheet: Sheet, kind: str, filename: str, municipios: dict[str, int]) -> Checked:
    """Every row read and checked; nothing written. The report lists each problem with its row.
    `municipios`: CVEGEO (5 digits) and INEGI municipal key (3 digits) -> municipio id."""
    spec = SPECS[Kind(kind)]
    report = Report(kind=spec.kind, filename=filename, encoding=sheet.encoding)
    header = [ALIASES.get(name, name) for name in sheet.header]
    missing = [c for c in spec.required if c not in header]
    if missing:
        raise FileRefused(_("Faltan columnas: %(c)s.") % {"c": ", ".join(missing)})
    index = {name: i for i, name in reversed(list(enumerate(header)))}
    sums: dict[tuple, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * len(spec.moments))
    controls: dict[tuple, tuple[int, list[Decimal]]] = {}
    rows: list[tuple] = []
    latest: dict[int, int] = {}
    context: dict = dict(municipios) if spec.kind == Kind.TRANSFERS else {}
    year_i = spec.columns.index("fiscal_year")
    for number, raw in enumerate(sheet.rows, start=2):
        cells = {name: raw[i] for name, i in index.items()}
        try:
            amounts = {}
            for moment in spec.moments:
                try:
                    amounts[moment] = parse_amount(cells[moment])
                except ValueError as exc:
                    raise RowError(f"{moment}: {exc}") from None
            if cells[spec.key_column].upper() == "TOTAL":
                group = spec.group(cells)
                if group in controls:
                    raise RowError(_("fila TOTAL repetida para %(g)s") % {"g": _group_label(group)})
                controls[group] = (number, [amounts[m] for m in spec.moments])
                continue
            group = spec.group(cells)
            # A row refused for its codes still counts towards its control total: the total row
            # should not report a second, derived problem.
            total = sums[group]
            for i, moment in enumerate(spec.moments):
                total[i] += amounts[moment]
            row = spec.parse(cells, amounts, context)
        except RowError as exc:
            report.add(number, str(exc))
            continue
        rows.append(row)
        if spec.kind == Kind.EXPENSE:
            latest[group[0]] = max(latest.get(group[0], 0), group[1])
    report.rows = len(rows)
    if not rows and not report.problem_count:
        report.add(0, _("El archivo no tiene filas de datos."))
    for group, total in sorted(sums.items()):
        control = controls.pop(group, None)
        if control is None:
            report.add(0, _("Falta la fila TOTAL de control de %(g)s.") % {"g": _group_label(group)})
            continue
        at, expected = control
        for moment, got, want in zip(spec.moments, total, expected, strict=True):
            if got != want:
                report.add(
                    at,
                    _("la suma de %(m)s de %(g)s es %(got)s y la fila TOTAL dice %(want)s")
                    % {"m": moment, "g": _group_label(group), "got": f"{got:,.2f}", "want": f"{want:,.2f}"},
                )
    for group, (at, _amounts) in sorted(controls.items()):
        report.add(at, _("fila TOTAL de %(g)s sin filas de datos") % {"g": _group_label(group)})
    years = sorted({row[year_i] for row in rows})
    report.years = years
    for year in years:
        position = [t for g, t in sums.items() if g[0] == year and (len(g) == 1 or g[1] == latest.get(year))]
        report.totals[year] = {
            m: sum((t[i] for t in position), Decimal(0)) for i, m in enumerate(spec.moments)
        }
    return Checked(spec=spec, rows=rows, report=report, latest_quarter=latest, sheet=sheet)


# Columns a file may have beyond the required ones (a name beside its code).
OPTIONAL = {
    Kind.EXPENSE: ("ramo_nombre", "dependencia_nombre", "programa_nombre"),
    Kind.INCOME: ("concepto",),
    Kind.TRANSFERS: (),
}
FIELD_LABELS = {
    "ejercicio": gettext_lazy("Ejercicio fiscal"),
    "trimestre": gettext_lazy("Trimestre"),
    "ramo": gettext_lazy("Ramo (clave)"),
    "ramo_nombre": gettext_lazy("Ramo (nombre)"),
    "dependencia": gettext_lazy("Dependencia o unidad responsable (clave)"),
    "dependencia_nombre": gettext_lazy("Dependencia (nombre)"),
    "funcional": gettext_lazy("Clasificación funcional (finalidad.función.subfunción)"),
    "partida": gettext_lazy("Objeto del gasto (partida)"),
    "tipo_gasto": gettext_lazy("Tipo de gasto"),
    "fuente": gettext_lazy("Fuente de financiamiento (2 dígitos)"),
    "programa": gettext_lazy("Programa presupuestario (clave)"),
    "programa_nombre": gettext_lazy("Programa presupuestario (nombre)"),
    "aprobado": gettext_lazy("Aprobado"),
    "modificado": gettext_lazy("Modificado"),
    "comprometido": gettext_lazy("Comprometido"),
    "devengado": gettext_lazy("Devengado"),
    "ejercido": gettext_lazy("Ejercido"),
    "pagado": gettext_lazy("Pagado"),
    "rubro": gettext_lazy("Rubro CRI"),
    "tipo": gettext_lazy("Tipo CRI"),
    "concepto": gettext_lazy("Concepto de ingreso"),
    "estimado": gettext_lazy("Estimado (Ley de Ingresos)"),
    "recaudado": gettext_lazy("Recaudado"),
    "municipio": gettext_lazy("Municipio (CVEGEO o clave INEGI de 3 dígitos)"),
    "fondo": gettext_lazy("Fondo (FAIS-FISMDF, FORTAMUN, PARTICIPACIONES)"),
    "monto": gettext_lazy("Monto"),
}


def fields(kind: str) -> tuple[str, ...]:
    """Every field a file of `kind` can feed: the required ones, then the optional names."""
    spec = SPECS[Kind(kind)]
    return (*spec.required, *OPTIONAL[Kind(kind)])


def guess_columns(kind: str, columns: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """(field -> column, field -> why) from the column names alone, as `check` reads an unmapped
    file: a column named like the field, or one of its known synonyms (ALIASES); the first wins."""
    mapping: dict[str, str] = {}
    why: dict[str, str] = {}
    for name in fields(kind):
        present = [c for c in columns if ALIASES.get(normalise(c), normalise(c)) == name]
        if not present:
            continue
        mapping[name] = present[0]
        why[name] = (
            _("nombre reconocido")
            if normalise(present[0]) == name
            else _("sinónimo reconocido de «%(f)s»") % {"f": name}
        )
        if len(present) > 1:
            why[name] += _(" (preferida a %(o)s: la primera del archivo)") % {"o": ", ".join(present[1:])}
    return mapping, why


def with_mapping(sheet: Sheet, mapping: dict[str, str]) -> Sheet:
    """The sheet with each chosen column renamed to its field and every other column left unread.
    `mapping`: field -> column as the file names it. Unknown fields and absent columns are refused."""
    known = set(FIELD_LABELS)
    header = [""] * len(sheet.header)
    for name, column in mapping.items():
        if not column:
            continue
        if name not in known:
            raise FileRefused(_("Campo desconocido «%(f)s».") % {"f": name})
        if column not in sheet.columns:
            raise FileRefused(
                _("La columna «%(c)s» (para «%(f)s») no está en el archivo. Sus columnas son: %(all)s.")
                % {"c": column, "f": name, "all": ", ".join(sheet.columns)}
            )
        index = sheet.columns.index(column)
        if header[index]:
            raise FileRefused(
                _("La columna «%(c)s» está asignada a dos campos: %(a)s y %(b)s.")
                % {"c": column, "a": header[index], "b": name}
            )
        header[index] = name
    return Sheet(header=header, rows=sheet.rows, encoding=sheet.encoding, columns=sheet.columns)


def _group_label(group: tuple) -> str:
    if len(group) == 2:
        return _("el ejercicio %(y)s, trimestre %(q)s") % {"y": group[0], "q": group[1]}
    return _("el ejercicio %(y)s") % {"y": group[0]}
