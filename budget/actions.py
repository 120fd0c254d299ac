"""Every write of the budget: a file loaded whole (or refused whole), and the synthetic demo removed."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.gis.db.models.functions import AsSVG
from django.db import connection, transaction
from django.db.models import Count, Max, Sum
from django.utils.translation import gettext as _
from psycopg import sql

from budget.files import FileRefused, read_sheet
from budget.loading import SPECS, Checked, Report, check, with_mapping
from budget.models import (
    BudgetLoad,
    ExpenseLine,
    ExpenseSummary,
    IncomeLine,
    Kind,
    MunicipioOutline,
    Transfer,
)
from gis_core.functions import SimplifyPreserveTopology
from gis_core.versions import bump_layers
from priority_zones.models import Municipio

MODELS: dict[str, Any] = {Kind.EXPENSE: ExpenseLine, Kind.INCOME: IncomeLine, Kind.TRANSFERS: Transfer}
LAYER = "budget"  # the version that the budget pages' cache keys carry
LOCK_KEY = 1_902_019  # pg_advisory_xact_lock: one budget load at a time


def municipio_keys() -> dict[str, int]:
    keys = {}
    for pk, cvegeo in Municipio.objects.values_list("pk", "cvegeo"):
        keys[cvegeo] = pk
        keys[cvegeo[2:]] = pk  # the 3-digit municipal key SHCP files use within a state
    return keys


def copy_rows(
    model, columns: Iterable[str], rows: Sequence[tuple], progress: Callable[[int], None] | None = None
) -> None:
    """COPY the tuples into the model's table; the statement names columns from model metadata only."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table),
        sql.SQL(", ").join(sql.Identifier(model._meta.get_field(c).column) for c in columns),
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        if progress is None:
            for row in rows:
                copy.write_row(row)
            return
        step = max(1, len(rows) // 100)
        for done, row in enumerate(rows, start=1):
            copy.write_row(row)
            if done % step == 0 or done == len(rows):
                progress(done)


def _previous(kind: str, years: list[int]) -> dict[int, dict[str, Decimal]]:
    """The totals of the years already loaded (at their latest quarter), moment by moment."""
    spec = SPECS[Kind(kind)]
    model = MODELS[Kind(kind)]
    loaded = BudgetLoad.objects.filter(kind=kind, fiscal_year__in=years)
    out: dict[int, dict[str, Decimal]] = {}
    fields = [("amount" if m == "monto" else m) for m in spec.moments]
    for load in loaded:
        rows = model.objects.filter(fiscal_year=load.fiscal_year)
        if kind == Kind.EXPENSE:
            rows = rows.filter(quarter=load.latest_quarter)
        sums = rows.aggregate(**{f: Sum(f) for f in fields})
        out[load.fiscal_year] = {m: sums[f] or Decimal(0) for m, f in zip(spec.moments, fields, strict=True)}
    return out


def check_file(data: bytes, filename: str, kind: str, mapping: dict[str, str] | None = None) -> Checked:
    """Read and check every row; nothing written. `mapping` (field -> column as the file names it)
    replaces the guess by column names. FileRefused when the file as a whole cannot be read."""
    sheet = read_sheet(data, filename)
    if mapping is not None:
        sheet = with_mapping(sheet, mapping)
    return check(sheet, kind, filename, municipio_keys() if kind == Kind.TRANSFERS else {})


def refused(kind: str, filename: str, error: FileRefused) -> Report:
    report = Report(kind=kind, filename=filename)
    report.add(0, str(error))
    return report


def compare_with_loaded(report: Report) -> Report:
    """Fill the report's difference with the years already loaded (a read, for a dry run)."""
    report.previous = _previous(report.kind, report.years)
    report.needs_replace = sorted(report.previous)
    return report


def do_load_budget(
    data: bytes,
    filename: str,
    kind: str,
    *,
    replace: bool = False,
    acting_user=None,
    synthetic: bool = False,
    mapping: dict[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Read, check and (when every row passes) write a budget file in one transaction.

    Refused with the difference when a year in the file is already loaded and `replace` is False."""
    try:
        checked = check_file(data, filename, kind, mapping)
    except FileRefused as exc:
        return refused(kind, filename, exc)
    return do_write_budget(
        checked, filename, replace=replace, acting_user=acting_user, synthetic=synthetic, progress=progress
    )


def do_write_budget(
    checked: Checked,
    filename: str,
    *,
    replace: bool = False,
    acting_user=None,
    synthetic: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Write a checked file whole, or nothing when any row failed or a loaded year is not to be
    replaced. `progress(n)` hears the rows copied so far, about a hundred times."""
    report = checked.report
    if not report.ok:
        return report
    spec = checked.spec
    kind = spec.kind
    model = MODELS[Kind(kind)]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        compare_with_loaded(report)
        if report.needs_replace and not replace:
            report.add(
                0,
                _(
                    "El ejercicio %(y)s ya está cargado; vuelva a enviarlo marcando «reemplazar» para "
                    "sustituirlo (vea la diferencia)."
                )
                % {"y": ", ".join(map(str, report.needs_replace))},
            )
            return report
        model.objects.filter(fiscal_year__in=report.years).delete()
        copy_rows(model, spec.columns, checked.rows, progress)
        if kind == Kind.EXPENSE:
            summarise_expenses(report.years)
        year_i = spec.columns.index("fiscal_year")
        counts: dict[int, int] = {}
        for row in checked.rows:
            counts[row[year_i]] = counts.get(row[year_i], 0) + 1
        user = getattr(acting_user, "username", "") or ""
        for year in report.years:
            totals = report.totals[year]
            BudgetLoad.objects.update_or_create(
                fiscal_year=year,
                kind=kind,
                defaults={
                    "source_name": filename[:200],
                    "rows": counts[year],
                    "total": totals[spec.moments[0]],
                    "latest_quarter": checked.latest_quarter.get(year),
                    "synthetic": synthetic,
                    "loaded_by": user[:150],
                },
            )
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(model._meta.db_table)))
        report.committed = True
        report.replaced = bool(report.needs_replace)
    bump_layers(LAYER)
    return report


MOMENTS = ("aprobado", "modificado", "comprometido", "devengado", "ejercido", "pagado")


def summarise_expenses(years: list[int]) -> None:
    """Rewrite the years' ExpenseSummary rows: one grouped query per classification."""
    ExpenseSummary.objects.filter(fiscal_year__in=years).delete()
    lines = ExpenseLine.objects.filter(fiscal_year__in=years)
    sums = {m: Sum(m) for m in MOMENTS}
    for dimension, code_field, name_field in ExpenseSummary.DIMENSIONS:
        keys = ["fiscal_year", "quarter", *([code_field] if code_field else [])]
        extra = {"label": Max(name_field)} if name_field else {}
        if dimension == "dependencia":
            extra["ramo_code"] = Max("ramo")
        grouped = lines.values(*keys).annotate(**sums, n=Count("id"), **extra).order_by()
        ExpenseSummary.objects.bulk_create(
            ExpenseSummary(
                fiscal_year=row["fiscal_year"],
                quarter=row["quarter"],
                dimension=dimension,
                code=row[code_field] if code_field else "",
                parent=row.get("ramo_code", ""),
                label=(row.get("label") or "")[:300],
                lines=row["n"],
                **{m: row[m] for m in MOMENTS},
            )
            for row in grouped
        )


def do_delete_synthetic_budget() -> int:
    """Remove every year loaded as synthetic (the demo), all three kinds."""
    with transaction.atomic():
        deleted = 0
        for load in BudgetLoad.objects.filter(synthetic=True):
            deleted += MODELS[Kind(load.kind)].objects.filter(fiscal_year=load.fiscal_year).delete()[0]
            if load.kind == Kind.EXPENSE:
                ExpenseSummary.objects.filter(fiscal_year=load.fiscal_year).delete()
            load.delete()
    bump_layers(LAYER)
    return deleted


OUTLINE_TOLERANCE = 0.004  # degrees, ~400 m: invisible at the map's size on a phone or a desktop


def do_refresh_outlines() -> int:
    """(Re)write every municipio's simplified SVG outline; returns how many."""
    rows = Municipio.objects.annotate(
        svg=AsSVG(SimplifyPreserveTopology("geom", OUTLINE_TOLERANCE), precision=3)
    ).values_list("pk", "frame_version", "svg")
    with transaction.atomic():
        MunicipioOutline.objects.all().delete()
        MunicipioOutline.objects.bulk_create(
            MunicipioOutline(municipio_id=pk, frame_version=frame, svg=svg or "") for pk, frame, svg in rows
        )
    return len(rows)
