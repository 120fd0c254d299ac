"""Budget files as targets of the import wizard: expenditure lines, income lines (CRI) and federal
transfers to municipios. The wizard's steps are the works' (upload, columns with guesses, a dry-run
check with its per-row report, the write as a queued job with progress); the reading, the checks
and the write are the budget app's own (budget.files, budget.loading, budget.actions), the same
code `manage.py load_budget` runs. Always all-or-nothing; a year already loaded is replaced only
when the planner ticks «reemplazar» after seeing the difference."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from budget import actions as budget_actions
from budget.access import may_load_budget
from budget.files import FileRefused, Sheet, read_sheet
from budget.loading import FIELD_LABELS, OPTIONAL, SPECS, Checked, Report, guess_columns
from budget.models import Kind
from gis_core.storage import local_copy
from planning.import_rows import BUDGET_TARGETS, ImportRefused, Options, described_columns
from planning.models import ImportJob, ImportMapping

KINDS = dict(zip(BUDGET_TARGETS, (Kind.EXPENSE, Kind.INCOME, Kind.TRANSFERS), strict=True))
EXTENSIONS = (".csv", ".xlsx")
SAMPLES = 3
REJECTED_LISTED = 1000  # the report's own cap (budget.loading.MAX_PROBLEMS); the count stays exact


def is_budget(target: str) -> bool:
    return target in KINDS


def fields(target: str) -> tuple[str, ...]:
    kind = KINDS[target]
    return (*SPECS[kind].required, *OPTIONAL[kind])


def required(target: str) -> tuple[str, ...]:
    return SPECS[KINDS[target]].required


def field_choices(target: str) -> list[tuple[str, str]]:
    needed = set(required(target))
    return [
        (name, f"{FIELD_LABELS[name]}" + ("" if name in needed else _(" (opcional)")))
        for name in fields(target)
    ]


def refuse_unless_allowed(user, target: str) -> None:
    """The budget gate (budget.access): only an administrator loads or replaces a budget."""
    if user is None or not may_load_budget(user):
        raise ImportRefused(_("Solo un administrador carga el presupuesto."))


def refuse_extension(extension: str) -> None:
    if extension not in EXTENSIONS:
        raise ImportRefused(
            _("Formato no admitido para el presupuesto (%(s)s): use CSV o XLSX.") % {"s": extension or "?"}
        )


def _data(job: ImportJob) -> bytes:
    with local_copy(job.file.name, job.file.storage) as path:
        return path.read_bytes()


def _mapping(options: Options) -> dict[str, str] | None:
    """The planner's column map once the mapping step stored one; before that, the guess by names."""
    return dict(options.mapping) if options.mapping else None


def _kind_and_options(job: ImportJob) -> tuple[str, Options]:
    options = Options(**job.options)
    refuse_unless_allowed(job.created_by, options.target)
    return KINDS[options.target], options


def check(job: ImportJob) -> Checked:
    kind, options = _kind_and_options(job)
    try:
        return budget_actions.check_file(_data(job), f"archivo{job.extension}", kind, _mapping(options))
    except FileRefused as error:
        raise ImportRefused(str(error)) from None


def mapping_step(job: ImportJob) -> dict[str, Any]:
    """What the mapping page shows: each column with samples and the field it feeds (and why)."""
    kind, options = _kind_and_options(job)
    try:
        sheet = read_sheet(_data(job), f"archivo{job.extension}")
    except FileRefused as error:
        raise ImportRefused(str(error)) from None
    guessed, reason = guess_columns(kind, sheet.columns)
    mapping, why = guessed, reason
    missing = {f: c for f, c in options.mapping.items() if c and c not in sheet.columns}
    if options.mapping:
        mapping = {f: c for f, c in options.mapping.items() if c and f not in missing}
        why = {f: _("indicada por usted") for f in mapping}
        for name in missing:  # a saved mapping names a column this file does not have: guess it
            if name in guessed and guessed[name] not in mapping.values():
                mapping[name], why[name] = guessed[name], reason[name]
    columns = described_columns(sheet.columns, lambda index, _c: _samples(sheet, index), mapping, why)
    table = {
        "rows": sheet.rows,
        "driver": "XLSX" if sheet.encoding == "xlsx" else "CSV",
        "crs": _("sin geometría"),
        "encoding": sheet.encoding,
        "notes": [_notes(kind)],
    }
    return {
        "columns": columns,
        "choices": field_choices(options.target),
        "values": [],
        "options": options,
        "table": table,
        "saved": ImportMapping.objects.filter(target=options.target),
        "missing": missing,
    }


def _samples(sheet: Sheet, index: int) -> list[str]:
    found: list[str] = []
    for row in sheet.rows:
        value = row[index]
        if value and value.upper() != "TOTAL" and value[:60] not in found:
            found.append(value[:60])
            if len(found) == SAMPLES:
                break
    return found


def _notes(kind: str) -> str:
    return {
        Kind.EXPENSE: _(
            "Egresos: una fila por línea presupuestaria y trimestre, con una fila TOTAL de control por "
            "ejercicio y trimestre (en la columna del ramo)."
        ),
        Kind.INCOME: _(
            "Ingresos por CRI: una fila TOTAL de control por ejercicio (en la columna del rubro)."
        ),
        Kind.TRANSFERS: _(
            "Transferencias a municipios: una fila TOTAL de control por ejercicio "
            "(en la columna del municipio)."
        ),
    }[Kind(kind)]


def preview(job: ImportJob) -> ImportJob:
    """The dry run: every row checked and the years already loaded compared; nothing written."""
    try:
        checked = check(job)
    except ImportRefused as error:
        job.status, job.error = ImportJob.Status.FAILED, str(error)
        job.save()
        return job
    budget_actions.compare_with_loaded(checked.report)
    store(job, checked.report, checked.sheet)
    job.preview = {}
    job.save()
    return job


def store(job: ImportJob, report: Report, sheet: Sheet | None) -> None:
    """The report as the job page and its JSON show it (job.summary["budget"] is Report.as_dict())."""
    options = Options(**job.options)
    chosen = _mapping(options)
    if chosen:
        mapping, why = chosen, {f: _("indicada por usted") for f in chosen}
    else:
        mapping, why = guess_columns(KINDS[options.target], sheet.columns if sheet else [])
    rows = len(sheet.rows) if sheet else 0
    notes = [
        _notes(KINDS[options.target]),
        _("Todo o nada: si una fila tiene un problema no se escribe ninguna."),
    ]
    if report.needs_replace and report.ok:
        notes.append(
            _(
                "El ejercicio %(y)s ya está cargado: revise la diferencia y marque «Reemplazar» "
                "para sustituirlo."
            )
            % {"y": ", ".join(map(str, report.needs_replace))}
        )
    job.total = report.rows
    job.progress = report.rows if report.committed else job.progress
    job.summary = {
        "rows": rows,
        "kept": report.rows if report.ok else 0,
        "rejected": report.problem_count,
        "warned": 0,
        "crs": "",
        "encoding": report.encoding,
        "notes": notes,
        "mapping": {f: c for f, c in mapping.items() if c},
        "guesses": {f: w for f, w in why.items() if mapping.get(f)},
        "budget": {**report.as_dict(), **_shown(report)},
    }
    job.rejected = [
        {"row": p.row, "key": _key(sheet, p.row), "reason": p.reason}
        for p in report.problems[:REJECTED_LISTED]
    ]
    job.rejected_csv = _rejected_csv(report, sheet)


def _pesos(amount: Decimal) -> str:
    return f"{'-' if amount < 0 else ''}${abs(amount):,.2f}"


def _shown(report: Report) -> dict[str, list[dict[str, Any]]]:
    """The totals and the difference with amounts written for people ("$1,234,567.89")."""
    return {
        "shown_totals": [
            {"year": year, "moment": moment, "amount": _pesos(amount)}
            for year, moments in sorted(report.totals.items())
            for moment, amount in moments.items()
        ],
        "shown_difference": [
            {**d, "old": _pesos(d["old"]), "new": _pesos(d["new"]), "change": _pesos(d["change"])}
            for d in report.difference()
        ],
    }


def _key(sheet: Sheet | None, row: int) -> str:
    """The row's first cells (year, quarter or key), so a reader finds it in the file; "" for the file."""
    if sheet is None or row < 2 or row - 2 >= len(sheet.rows):
        return ""
    return " · ".join(c for c in sheet.rows[row - 2][:3] if c)[:60]


def _rejected_csv(report: Report, sheet: Sheet | None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("fila"), _("motivo"), *(sheet.columns if sheet else [])])
    for problem in report.problems:
        cells = sheet.rows[problem.row - 2] if sheet and 2 <= problem.row < len(sheet.rows) + 2 else []
        writer.writerow([problem.row or "", problem.reason, *cells])
    return out.getvalue()


def confirm(job: ImportJob, *, replace: bool) -> None:
    """Before the job is queued: a file with problems is not sent, and a loaded year needs «reemplazar»."""
    refuse_unless_allowed(job.created_by, job.options["target"])
    found = job.summary.get("budget", {})
    if found.get("problem_count"):
        raise ImportRefused(
            _("El archivo tiene %(n)s problema(s) (vea el informe por fila); corríjalo y súbalo de nuevo.")
            % {"n": found["problem_count"]}
        )
    if found.get("needs_replace") and not replace:
        raise ImportRefused(
            _(
                "El ejercicio %(y)s ya está cargado; marque «Reemplazar» después de revisar la diferencia, "
                "o no se escribe nada."
            )
            % {"y": ", ".join(map(str, found["needs_replace"]))}
        )
    job.options = {**job.options, "replace": bool(replace)}
    job.save(update_fields=["options"])


def write(job: ImportJob, progress: Callable[[int], None]) -> str:
    """The worker's run: check the file again (the file is the truth, not the preview) and write it
    whole through budget.actions. Returns "" when written, else the reason nothing was."""
    checked = check(job)
    options = Options(**job.options)
    if checked.report.ok:
        job.total = checked.report.rows
        job.save(update_fields=["total"])
    report = budget_actions.do_write_budget(
        checked, job.original_name, replace=options.replace, acting_user=job.created_by, progress=progress
    )
    if not report.committed and not report.previous:
        budget_actions.compare_with_loaded(report)
    store(job, report, checked.sheet)
    if report.committed:
        return ""
    first = report.problems[0].reason if report.problems else ""
    return _("No se escribió nada: %(n)s problema(s). %(first)s") % {
        "n": report.problem_count,
        "first": first,
    }
