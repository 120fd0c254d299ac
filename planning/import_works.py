"""The check of a works register, row by row (planning.imports reads the file and hands it here):
the geometry and its municipio, the fiscal year, the folio repeated or derived, every register field
against the catalogues and value maps (planning.work_fields), and the funding split by source from
a long-format table (folio, fuente, monto) in another sheet or file."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.utils.translation import gettext as _

from gis_core.importers import diagnose_lonlat
from planning.import_rows import (
    CheckedRow,
    ImportRefused,
    Options,
    Outcome,
    Table,
    as_text,
    inside_reason,
    municipio_at,
    parse_number,
    row_folio,
)
from planning.work_fields import (
    FUNDING_PREFIX,
    WORK_FIELDS,
    Catalogues,
    RowRefused,
    amount_cell,
    check_work,
    column_key,
    field_labels,
    normal,
)


def check_works(table: Table, options: Options, outcome: Outcome) -> Outcome:
    """Every register field of every row, against the catalogues and value maps (works_fields)."""
    from works_map.models import Category, FundingSource, WorkStatus

    unknown_maps = sorted(set(options.value_maps) - set(WORK_FIELDS))
    if unknown_maps:
        raise ImportRefused(
            _("Mapa de valores para campos desconocidos: %(f)s.") % {"f": ", ".join(unknown_maps)}
        )
    if options.default_status not in WorkStatus.values:
        raise ImportRefused(_("Estatus desconocido: %(s)s.") % {"s": options.default_status})
    default_category = None
    if options.category_code:
        default_category = Category.objects.filter(code=options.category_code).first()
        if default_category is None:
            raise ImportRefused(_("No existe la categoría «%(c)s».") % {"c": options.category_code})
    elif "category" not in outcome.mapping:
        raise ImportRefused(
            _("Indique la columna de categoría o una categoría para todas las obras (p. ej. --category).")
        )
    funding_columns = {}
    for target_field, column in outcome.mapping.items():
        if target_field.startswith(FUNDING_PREFIX):
            code = target_field[len(FUNDING_PREFIX) :]
            funding_source = FundingSource.objects.filter(code=code).first()
            if funding_source is None:
                raise ImportRefused(
                    _("No existe la fuente de financiamiento «%(c)s» (columna %(col)s).")
                    % {"c": code, "col": column}
                )
            funding_columns[target_field] = funding_source
    catalogues = Catalogues.load(options.value_maps)
    long_funding = _long_funding(table, options, catalogues, outcome)
    localidades = _has_localidades()
    seen: dict[str, int] = {}
    for index, record in enumerate(table.rows, start=1):
        outcome.read += 1
        values = {f: record.get(column) for f, column in outcome.mapping.items()}
        year_text = as_text(values.get("fiscal_year")) or str(options.fiscal_year or "")
        key = f"{row_folio(values)}/{year_text}"
        warnings: list[str] = []
        try:
            geom, municipio = _work_place(record.get("__geom__"), values)
            _work_year(values, options)
            if key in seen:
                raise RowRefused(_("folio repetido en el archivo (ya en la fila %(r)s)") % {"r": seen[key]})
            if not as_text(values.get("folio")):
                warnings.append(
                    _("sin folio: se usa %(f)s, derivado del contenido de la fila") % {"f": row_folio(values)}
                )
            work = check_work(
                values,
                catalogues,
                default_category=default_category,
                default_status=options.default_status,
                funding_columns=funding_columns,
                warnings=warnings,
            )
            _match_funding(work, values, long_funding, warnings)
            _check_municipio(work, municipio, geom, localidades)
        except RowRefused as refused:
            outcome.reject(index, key, str(refused))
            continue
        seen[key] = index
        row = CheckedRow(index, key, values, geom, warnings, work=work, municipio=municipio)
        outcome.keep(row)
    outcome.unknown_values = catalogues.unknown_summary()
    labels = field_labels()
    for name, counts in outcome.unknown_values.items():
        listed = ", ".join(
            _("«%(v)s» (%(n)s filas)") % {"v": value, "n": count} for value, count in counts.items()
        )
        outcome.notes.append(
            _("Valores sin equivalencia en %(f)s: %(l)s.") % {"f": labels.get(name, name), "l": listed}
        )
    return outcome


def _work_place(geom: Any, values: dict[str, Any]) -> tuple[GEOSGeometry, Any]:
    if isinstance(geom, str):
        raise RowRefused(geom)
    if geom is None:
        raise RowRefused(_("sin geometría (ni columnas de longitud y latitud)"))
    if not geom.valid:
        raise RowRefused(_("geometría inválida: %(why)s") % {"why": geom.valid_reason})
    reason = diagnose_lonlat(geom.x, geom.y) if geom.geom_type == "Point" else inside_reason(geom)
    if reason is not None:
        raise RowRefused(reason)
    municipio = municipio_at(geom)
    if municipio is None:
        raise RowRefused(_("no cae en ningún municipio de Guanajuato"))
    if not as_text(values.get("name")):
        raise RowRefused(_("falta el campo obligatorio «%(f)s»") % {"f": WORK_FIELDS["name"].label})
    return geom, municipio


def _work_year(values: dict[str, Any], options: Options) -> None:
    raw = values.get("fiscal_year")
    year = parse_number(raw)
    if as_text(raw) and year is None:
        raise RowRefused(_("el ejercicio fiscal no es un año: «%(v)s»") % {"v": as_text(raw)})
    if year is None and options.fiscal_year:
        year = Decimal(options.fiscal_year)
    if year is None or year != year.to_integral_value() or not 2000 <= year <= 2100:
        raise RowRefused(_("falta el ejercicio fiscal o no es un año entre 2000 y 2100"))
    values["fiscal_year"] = int(year)


def _check_municipio(work: Any, municipio: Any, geom: GEOSGeometry, localidades: bool) -> None:
    """The municipio and localidad from the geometry, or as declared if the geometry agrees."""
    from priority_zones.models import Localidad

    declared = work.declared_municipio
    if declared is not None and declared.pk != municipio.pk:
        raise RowRefused(
            _("la geometría cae en %(g)s (%(gc)s), no en el municipio declarado %(d)s (%(dc)s)")
            % {"g": municipio.name, "gc": municipio.cvegeo, "d": declared.name, "dc": declared.cvegeo}
        )
    work.fields["municipio"] = municipio
    if not localidades:
        return
    point = geom if geom.geom_type == "Point" else geom.point_on_surface
    named = work.localidad_text
    if named:
        in_municipio = Localidad.objects.filter(municipio=municipio)
        found = in_municipio.filter(cvegeo=named).first() or next(
            (loc for loc in in_municipio.only("pk", "name", "geom") if normal(loc.name) == normal(named)),
            None,
        )
        if found is None:
            raise RowRefused(_("no existe la localidad «%(l)s» en %(m)s") % {"l": named, "m": municipio.name})
        if found.geom is not None and not found.geom.buffer(0.005).intersects(point):
            raise RowRefused(_("la geometría no cae en la localidad declarada %(l)s") % {"l": found.name})
        work.fields["localidad"] = found
        return
    work.fields["localidad"] = Localidad.objects.filter(municipio=municipio, geom__intersects=point).first()


def _has_localidades() -> bool:
    from priority_zones.models import Localidad

    return Localidad.objects.exists()


# --- a long-format funding table: folio, source, amount -------------------------------------------

FUNDING_TABLE_FIELDS: dict[str, tuple[str, ...]] = {
    "folio": WORK_FIELDS["folio"].candidates,
    "fiscal_year": WORK_FIELDS["fiscal_year"].candidates,
    "funding_source": (*WORK_FIELDS["funding_source"].candidates, "programa", "source"),
    "amount_approved": (*WORK_FIELDS["amount_approved"].candidates, "importe"),
    "amount_modified": WORK_FIELDS["amount_modified"].candidates,
    "amount_exercised": WORK_FIELDS["amount_exercised"].candidates,
    "amount_paid": WORK_FIELDS["amount_paid"].candidates,
}
FundingSplits = dict[tuple[str, int | None], Any]  # (folio, year or None) -> [(source, amounts)] or a reason


def _funding_frame(table: Table, options: Options) -> tuple[Any, str] | None:
    import pandas as pd

    if options.funding_path:
        path = Path(options.funding_path)
        if not path.is_file():
            raise ImportRefused(_("No existe el archivo de fuentes %(p)s.") % {"p": path})
        if path.suffix.lower() == ".xlsx":
            return pd.read_excel(path, dtype=str, sheet_name=options.funding_sheet or 0), path.name
        raw = path.read_bytes()
        try:
            raw.decode("utf-8-sig")
            encoding = "utf-8-sig"
        except UnicodeDecodeError:
            encoding = "cp1252"
        return pd.read_csv(io.BytesIO(raw), dtype=str, encoding=encoding, keep_default_na=False), path.name
    sheets = table.sheets
    if not sheets:
        return None
    if options.funding_sheet:
        if options.funding_sheet not in sheets:
            raise ImportRefused(
                _("El libro no tiene la hoja «%(h)s»; sus hojas son: %(all)s.")
                % {"h": options.funding_sheet, "all": ", ".join(sheets)}
            )
        return sheets[options.funding_sheet], options.funding_sheet
    for name, frame in list(sheets.items())[1:]:
        keys = {column_key(c) for c in frame.columns}
        if any(c in keys for c in FUNDING_TABLE_FIELDS["folio"]) and any(
            c in keys for c in FUNDING_TABLE_FIELDS["funding_source"]
        ):
            return frame, name
    return None


def _long_funding(table: Table, options: Options, catalogues: Catalogues, outcome: Outcome) -> FundingSplits:
    found = _funding_frame(table, options)
    if found is None:
        return {}
    frame, name = found
    by_key = {column_key(c): c for c in reversed(list(frame.columns))}
    columns = {
        f: next((by_key[c] for c in candidates if c in by_key), None)
        for f, candidates in FUNDING_TABLE_FIELDS.items()
    }
    if not (columns["folio"] and columns["funding_source"] and columns["amount_approved"]):
        raise ImportRefused(
            _("La tabla de fuentes «%(n)s» necesita columnas de folio, fuente y monto; tiene: %(c)s.")
            % {"n": name, "c": ", ".join(map(str, frame.columns))}
        )
    outcome.notes.append(
        _("Fuentes de financiamiento por obra leídas de «%(n)s» (%(r)s filas).")
        % {"n": name, "r": len(frame)}
    )
    splits: FundingSplits = {}
    for number, record in enumerate(frame.to_dict("records"), start=2):
        folio = as_text(record.get(columns["folio"]))[:40]
        year_text = as_text(record.get(columns["fiscal_year"])) if columns["fiscal_year"] else ""
        year = int(year_text) if year_text.isdigit() else None
        key = (folio, year)
        if isinstance(splits.get(key), str):
            continue
        values = {f: record.get(c) for f, c in columns.items() if c and f.startswith("amount")}
        values["funding_source"] = record.get(columns["funding_source"])
        try:
            source, why = catalogues.resolve("funding_source", values["funding_source"])
            if why:
                raise RowRefused(why)
            amounts = {}
            for field_name in ("amount_approved", "amount_modified", "amount_exercised", "amount_paid"):
                if field_name in values:
                    amount = _split_amount(values, field_name)
                    if amount is not None:
                        amounts[field_name] = amount
        except RowRefused as refused:
            splits[key] = _("tabla de fuentes «%(n)s», fila %(r)s: %(why)s") % {
                "n": name,
                "r": number,
                "why": refused,
            }
            continue
        splits.setdefault(key, []).append((source, amounts))
    return splits


def _split_amount(values: dict[str, Any], name: str) -> Decimal | None:
    return amount_cell(values, name, WORK_FIELDS[name].label)


def _match_funding(work: Any, values: dict[str, Any], splits: FundingSplits, warnings: list[str]) -> None:
    if not splits:
        return
    folio = row_folio(values)
    found = splits.get((folio, values["fiscal_year"]), splits.get((folio, None)))
    if found is None:
        return
    if isinstance(found, str):
        raise RowRefused(found)
    total = sum((a.get("amount_approved", Decimal(0)) for _s, a in found), Decimal("0.00"))
    if not work.fields.get("amount_approved"):
        work.fields["amount_approved"] = total
    elif total != work.fields["amount_approved"]:
        warnings.append(
            _("la suma por fuente (%(s)s) difiere del monto aprobado (%(a)s)")
            % {"s": total, "a": work.fields["amount_approved"]}
        )
    work.funding = found
