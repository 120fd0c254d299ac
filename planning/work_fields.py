"""What a works register holds, column by column: the target fields with their Spanish labels and the
column names agencies give them, the value maps for coded fields (status words, category names,
agency names and acronyms, funding sources), and the check of one row against all of that.

planning.imports reads the file and calls `check_work` for each row; planning.import_writers writes
what it returns. Both the dry run and the real run go through here, so they refuse the same rows.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gis_core.importers import fits_decimal_field
from works_map.models import Work

# Every amount of a work is stored in a column like this one (numeric(16, 2): under 10^14 pesos).
AMOUNT_COLUMN = Work._meta.get_field("amount_approved")
# Larger counts of people are typing mistakes, not beneficiaries (Guanajuato has about 6.2 million).
MAX_PEOPLE = 20_000_000
# A value-map target that refuses the rows holding that value.
REJECT = "RECHAZAR"


@dataclass(frozen=True)
class FieldSpec:
    label: Any  # lazy Spanish label
    kind: str  # text, year, amount, percent, date, count, code
    candidates: tuple[str, ...] = ()


# Candidates run from the most specific name to the most generic: the first present wins, and the
# guess says which others were present (e.g. ANIO_ARCHIVO before CICLO for the fiscal year).
WORK_FIELDS: dict[str, FieldSpec] = {
    "folio": FieldSpec(
        gettext_lazy("Folio"),
        "text",
        ("folio", "folio_obra", "clave_obra", "cve_obra", "id_obra", "cve_cartera", "cve_ppi", "id_ppi"),
    ),
    "fiscal_year": FieldSpec(
        gettext_lazy("Ejercicio fiscal"),
        "year",
        (
            "fiscal_year",
            "ejercicio_fiscal",
            "anio_ejercicio",
            "anio_archivo",
            "ejercicio",
            "anio",
            "ano",
            "ciclo",
        ),
    ),
    "name": FieldSpec(
        gettext_lazy("Nombre de la obra o acción"),
        "text",
        ("nombre_obra", "nombre_de_la_obra", "nombre_ppi", "nombre_proyecto", "nombre", "name", "obra"),
    ),
    "description": FieldSpec(
        gettext_lazy("Descripción"),
        "text",
        ("descripcion_obra", "descripcion_ppi", "descripcion", "description"),
    ),
    "kind": FieldSpec(
        gettext_lazy("Tipo (obra o acción)"),
        "code",
        ("obra_o_accion", "obra_accion", "tipo_obra_accion", "kind"),
    ),
    "category": FieldSpec(
        gettext_lazy("Categoría (rubro, tema o subtema)"),
        "code",
        ("categoria", "subtema", "tema", "rubro", "category"),
    ),
    "status": FieldSpec(
        gettext_lazy("Estatus"),
        "code",
        ("estatus", "estatus_obra", "status", "situacion", "estado_obra", "estatus_operacion"),
    ),
    "modality": FieldSpec(gettext_lazy("Modalidad"), "code", ("modalidad", "modality")),
    "execution_mode": FieldSpec(
        gettext_lazy("Modalidad de ejecución"),
        "code",
        ("modalidad_ejecucion", "modalidad_de_ejecucion", "tipo_ejecucion", "execution_mode"),
    ),
    "amount_approved": FieldSpec(
        gettext_lazy("Monto aprobado"),
        "amount",
        ("amount_approved", "monto_aprobado", "importe_aprobado", "inversion_aprobada", "aprobado", "monto"),
    ),
    "amount_modified": FieldSpec(
        gettext_lazy("Monto modificado"),
        "amount",
        ("amount_modified", "monto_modificado", "importe_modificado", "modificado"),
    ),
    "amount_exercised": FieldSpec(
        gettext_lazy("Monto ejercido"),
        "amount",
        ("amount_exercised", "monto_ejercido", "importe_ejercido", "ejercido"),
    ),
    "amount_paid": FieldSpec(
        gettext_lazy("Monto pagado"), "amount", ("amount_paid", "monto_pagado", "importe_pagado", "pagado")
    ),
    "funding_source": FieldSpec(
        gettext_lazy("Fuente de financiamiento (toda la obra)"),
        "code",
        ("fuente_financiamiento", "fuente_de_financiamiento", "fuente", "fondo", "funding_source"),
    ),
    "agency": FieldSpec(
        gettext_lazy("Dependencia ejecutora"),
        "code",
        (
            "dependencia_ejecutora",
            "ejecutora",
            "dependencia",
            "unidad_responsable",
            "descripcion_ur",
            "agency",
        ),
    ),
    "planned_start": FieldSpec(
        gettext_lazy("Inicio programado"),
        "date",
        ("inicio_programado", "fecha_inicio_programada", "fecha_inicio", "fecha_inicio_cal_ff"),
    ),
    "planned_end": FieldSpec(
        gettext_lazy("Término programado"),
        "date",
        (
            "termino_programado",
            "fecha_termino_programada",
            "fecha_fin_programada",
            "fecha_termino",
            "fecha_fin",
            "fecha_fin_cal_ff",
        ),
    ),
    "actual_start": FieldSpec(gettext_lazy("Inicio real"), "date", ("inicio_real", "fecha_inicio_real")),
    "actual_end": FieldSpec(
        gettext_lazy("Término real"), "date", ("termino_real", "fecha_termino_real", "fecha_fin_real")
    ),
    "physical_progress": FieldSpec(
        gettext_lazy("Avance físico %"),
        "percent",
        ("avance_fisico", "porcentaje_avance_fisico", "physical_progress", "avance"),
    ),
    "financial_progress": FieldSpec(
        gettext_lazy("Avance financiero %"),
        "percent",
        ("avance_financiero", "porcentaje_avance_financiero", "financial_progress"),
    ),
    "progress_date": FieldSpec(
        gettext_lazy("Fecha del avance"),
        "date",
        ("fecha_de_avance", "fecha_avance", "fecha_corte", "fecha_reporte"),
    ),
    "beneficiaries": FieldSpec(
        gettext_lazy("Beneficiarios (total)"),
        "count",
        ("beneficiarios_total", "total_beneficiarios", "beneficiarios", "poblacion_beneficiada"),
    ),
    "beneficiaries_women": FieldSpec(
        gettext_lazy("Beneficiarias mujeres"),
        "count",
        ("beneficiarias_mujeres", "beneficiarios_mujeres", "mujeres"),
    ),
    "beneficiaries_men": FieldSpec(
        gettext_lazy("Beneficiarios hombres"), "count", ("beneficiarios_hombres", "hombres")
    ),
    "address": FieldSpec(
        gettext_lazy("Domicilio o ubicación"),
        "text",
        ("domicilio", "direccion", "ubicacion", "localizacion", "address"),
    ),
    "municipio": FieldSpec(
        gettext_lazy("Municipio (nombre o clave)"),
        "code",
        ("municipio", "nom_mun", "cvegeo_mun", "cve_mun", "nombre_municipio"),
    ),
    "localidad": FieldSpec(
        gettext_lazy("Localidad (nombre o clave)"), "code", ("localidad", "nom_loc", "cvegeo_loc", "cve_loc")
    ),
    "lon": FieldSpec(
        gettext_lazy("Longitud"), "number", ("lon", "longitud", "longitude", "x", "longitud_inicial")
    ),
    "lat": FieldSpec(
        gettext_lazy("Latitud"), "number", ("lat", "latitud", "latitude", "y", "latitud_inicial")
    ),
    "wkt": FieldSpec(gettext_lazy("Geometría en WKT"), "text", ("wkt", "geometry_wkt", "geom")),
}

# The fields whose values go through a value map to a catalogue or a list of choices.
CODED_FIELDS = (
    "kind",
    "category",
    "status",
    "modality",
    "execution_mode",
    "funding_source",
    "agency",
    "municipio",
)
# A column per funding source: "funding:<source code>" -> the column with that source's approved amount.
FUNDING_PREFIX = "funding:"


def normal(text: Any) -> str:
    """How values and column names are compared: no accents, no case, punctuation as one space."""
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def column_key(name: str) -> str:
    return normal(name).replace(" ", "_")


# Built-in Spanish synonyms, besides each code and its label (normalised as by `normal`).
SYNONYMS: dict[str, dict[str, str]] = {
    "status": {
        **dict.fromkeys(("planeacion", "en planeacion", "planeada", "en proyecto", "proyecto"), "PLANEACION"),
        **dict.fromkeys(
            (
                "programada",
                "programado",
                "por iniciar",
                "no iniciada",
                "no iniciado",
                "sin iniciar",
                "autorizada",
                "aprobada",
            ),
            "PROGRAMADA",
        ),
        **dict.fromkeys(
            (
                "en contratacion",
                "en licitacion",
                "licitacion",
                "en proceso de licitacion",
                "en proceso de contratacion",
            ),
            "EN_CONTRATACION",
        ),
        **dict.fromkeys(("contratada", "contratado", "adjudicada", "adjudicado"), "CONTRATADA"),
        **dict.fromkeys(
            (
                "en ejecucion",
                "en proceso",
                "ejecucion",
                "en obra",
                "iniciada",
                "iniciado",
                "en curso",
                "en construccion",
                "proceso",
            ),
            "EN_EJECUCION",
        ),
        **dict.fromkeys(("suspendida", "suspendido", "detenida", "detenido", "pausada"), "SUSPENDIDA"),
        **dict.fromkeys(
            (
                "terminada",
                "terminado",
                "concluida",
                "concluido",
                "finalizada",
                "finalizado",
                "completada",
                "completado",
                "ejecutada",
            ),
            "TERMINADA",
        ),
        **dict.fromkeys(("entregada", "entregado", "en operacion", "operando"), "ENTREGADA"),
        **dict.fromkeys(("finiquitada", "finiquitado"), "FINIQUITADA"),
        **dict.fromkeys(("cerrada", "cerrado"), "CERRADA"),
        **dict.fromkeys(("cancelada", "cancelado", "baja"), "CANCELADA"),
    },
    "kind": {"obra": "OBRA", "obras": "OBRA", "accion": "ACCION", "acciones": "ACCION"},
    "modality": {
        "nueva": "CONSTRUCCION",
        "obra nueva": "CONSTRUCCION",
        "conservacion": "MANTENIMIENTO",
        "adquisicion": "EQUIPAMIENTO",
        "otro": "OTRA",
    },
    "execution_mode": {
        **dict.fromkeys(("contrato", "por contrato", "contratada"), "CONTRATO"),
        **dict.fromkeys(
            ("administracion directa", "por administracion directa", "admon directa", "administracion"),
            "ADMINISTRACION_DIRECTA",
        ),
    },
}


def field_labels() -> dict[str, str]:
    return {name: str(spec.label) for name, spec in WORK_FIELDS.items()}


# --- parsing one cell ---------------------------------------------------------------------------

NUMBER_TEXT = re.compile(r"^-?\$?\s*-?[\d,]*\.?\d+(e[+-]?\d+)?$", re.IGNORECASE)


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return str(value).strip().lstrip("'") in ("", "-", "nan", "NaT", "None")


def text(value: Any) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().lstrip("'")


def number(value: Any) -> Decimal | None:
    """A number written as a number or as text ("92,040", "$ 1,250.50", "61.41%"); None if blank.

    Raises ValueError when the cell holds something that is not a number."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float | Decimal):
        result = Decimal(str(value))
    else:
        raw = str(value).strip().lstrip("'").rstrip("%").strip().replace(" ", "")
        if not NUMBER_TEXT.match(raw):
            raise ValueError(value)
        try:
            result = Decimal(raw.replace("$", "").replace(",", ""))
        except InvalidOperation:
            raise ValueError(value) from None
    if not result.is_finite():
        raise ValueError(value)
    return result


DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y/%m/%d", "%d/%m/%y", "%Y%m%d")


def date(value: Any) -> dt.date | None:
    """A date as XLSX, GDAL or a person writes it (day before month, as in Mexico); None if blank.

    Raises ValueError when it does not parse."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):  # a pandas Timestamp
        return value.to_pydatetime().date()
    raw = str(value).strip()
    raw = re.sub(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "", raw)  # "2024-03-01 00:00:00" from XLSX
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw, fmt).date()  # noqa: DTZ007 (a calendar date, no time)
        except ValueError:
            continue
    raise ValueError(value)


# --- catalogues and value maps ------------------------------------------------------------------


@dataclass
class Catalogues:
    """The catalogues read once per import, and how each value of a coded field resolves."""

    value_maps: dict[str, dict[str, str]]
    lookup: dict[str, dict[str, Any]] = field(default_factory=dict)
    # A predecessor agency's successor (SICOM -> SOP): rows naming the old agency go to the new one.
    successor: dict[int, Any] = field(default_factory=dict)
    municipios: dict[str, Any] = field(default_factory=dict)
    unknown: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    @classmethod
    def load(cls, value_maps: dict[str, dict[str, str]]) -> Catalogues:
        from priority_zones.models import Municipio
        from works_map.models import Agency, Category, FundingSource, Work, WorkStatus

        found = cls({f: {normal(k): v for k, v in m.items()} for f, m in value_maps.items()})

        def choices(field_name: str, options) -> dict[str, Any]:
            table = {normal(code): code for code, _label in options}
            table.update({normal(label): code for code, label in options})
            table.update(SYNONYMS.get(field_name, {}))
            return table

        found.lookup["status"] = choices("status", WorkStatus.choices)
        found.lookup["kind"] = choices("kind", Work.Kind.choices)
        found.lookup["modality"] = choices("modality", Work.Modality.choices)
        found.lookup["execution_mode"] = choices("execution_mode", Work.ExecutionMode.choices)
        categories: dict[str, Any] = {}
        for category in Category.objects.all():
            categories[normal(category.name)] = category
        for category in Category.objects.all():  # codes win over a name that happens to equal one
            categories[normal(category.code)] = category
        found.lookup["category"] = categories
        agencies: dict[str, Any] = {}
        for agency in Agency.objects.select_related("predecessor"):
            agencies[normal(agency.name)] = agency
            agencies[normal(agency.acronym)] = agency
            if agency.predecessor_id:
                found.successor[agency.predecessor_id] = agency
        for agency in Agency.objects.all():
            agencies[normal(agency.code)] = agency
        found.lookup["agency"] = agencies
        sources: dict[str, Any] = {}
        for source in FundingSource.objects.all():
            sources[normal(source.fund)] = source
            sources[normal(source.name)] = source
        for source in FundingSource.objects.all():
            sources[normal(source.code)] = source
        found.lookup["funding_source"] = sources
        municipios: dict[str, Any] = {}
        for municipio in Municipio.objects.only("pk", "cvegeo", "name"):
            municipios[normal(municipio.name)] = municipio
            municipios[municipio.cvegeo] = municipio
            municipios[municipio.cvegeo[2:]] = municipio  # the 3-digit CVE_MUN
            municipios[str(int(municipio.cvegeo[2:]))] = municipio
        found.municipios = municipios
        found.lookup["municipio"] = municipios
        return found

    def resolve(self, field_name: str, raw: Any) -> tuple[Any, str | None]:
        """(the catalogue entry or code, None) or (None, why not); counts unknown values."""
        shown = text(raw)
        key = normal(shown)
        table = self.lookup[field_name]
        mapped = self.value_maps.get(field_name, {}).get(key)
        if mapped is not None:
            if mapped.strip().upper() == REJECT:
                return None, _("«%(v)s» en %(f)s: rechazado por el mapa de valores") % {
                    "v": shown,
                    "f": WORK_FIELDS[field_name].label,
                }
            entry = table.get(normal(mapped))
            if entry is None:
                return None, _("el mapa de valores lleva «%(v)s» a «%(c)s», que no existe en %(f)s") % {
                    "v": shown,
                    "c": mapped,
                    "f": WORK_FIELDS[field_name].label,
                }
            return entry, None
        entry = table.get(key)
        if entry is None:
            self.unknown[field_name][shown] += 1
            return None, _("%(f)s desconocido: «%(v)s» (asígnelo en el mapa de valores)") % {
                "f": WORK_FIELDS[field_name].label,
                "v": shown,
            }
        return entry, None

    def unknown_summary(self) -> dict[str, dict[str, int]]:
        return {f: dict(c.most_common()) for f, c in self.unknown.items() if c}


# --- one row -------------------------------------------------------------------------------------


class RowRefused(ValueError):
    """This row cannot be imported (the message says why)."""


def _number_cell(values: dict[str, Any], name: str, label: Any) -> Decimal | None:
    """The cell as a number (None when empty), or the row refused naming the field and the text."""
    try:
        return number(values.get(name))
    except ValueError:
        raise RowRefused(
            _("%(f)s no es un número: «%(v)s»") % {"f": label, "v": text(values.get(name))}
        ) from None


def amount_cell(values: dict[str, Any], name: str, label: Any) -> Decimal | None:
    amount = _number_cell(values, name, label)
    if amount is None:
        return None
    if amount < 0:
        raise RowRefused(_("%(f)s negativo: %(v)s") % {"f": label, "v": amount})
    if not fits_decimal_field(amount, AMOUNT_COLUMN):
        raise RowRefused(
            _("%(f)s fuera de rango (más de 10^14 pesos): %(v)s") % {"f": label, "v": text(values.get(name))}
        )
    return amount.quantize(Decimal("0.01"))


def _count(values: dict[str, Any], name: str) -> int | None:
    label = WORK_FIELDS[name].label
    value = _number_cell(values, name, label)
    if value is None:
        return None
    if value < 0 or value != value.to_integral_value() or value > MAX_PEOPLE:
        raise RowRefused(
            _("%(f)s debe ser un entero entre 0 y %(m)s: %(v)s") % {"f": label, "m": MAX_PEOPLE, "v": value}
        )
    return int(value)


def _percent(values: dict[str, Any], name: str) -> Decimal | None:
    label = WORK_FIELDS[name].label
    value = _number_cell(values, name, label)
    if value is None:
        return None
    if not 0 <= value <= 100:
        raise RowRefused(_("%(f)s fuera de 0–100: %(v)s") % {"f": label, "v": value})
    return value.quantize(Decimal("0.01"))


def _date(values: dict[str, Any], name: str) -> dt.date | None:
    try:
        return date(values.get(name))
    except ValueError:
        raise RowRefused(
            _("%(f)s no es una fecha (use AAAA-MM-DD o DD/MM/AAAA): «%(v)s»")
            % {"f": WORK_FIELDS[name].label, "v": text(values.get(name))}
        ) from None


@dataclass
class WorkRow:
    """A register row as the writer stores it."""

    fields: dict[str, Any]
    funding: list[tuple[Any, dict[str, Decimal]]] | None = None
    agency: Any = None
    declared_municipio: Any = None
    localidad_text: str = ""
    progress: tuple[Decimal, Decimal] | None = None
    progress_date: dt.date | None = None


def check_work(
    values: dict[str, Any],
    catalogues: Catalogues,
    *,
    default_category: Any,
    default_status: str,
    funding_columns: dict[str, Any],
    warnings: list[str],
) -> WorkRow:
    """Check every register field of one row; raises RowRefused with the first reason found."""
    row: dict[str, Any] = {}
    for name in ("name", "description", "address"):
        if name in values:
            value = text(values.get(name))
            limit = 300 if name != "description" else 10_000
            if len(value) > limit:
                warnings.append(
                    _("%(f)s recortado a %(n)s caracteres") % {"f": WORK_FIELDS[name].label, "n": limit}
                )
            row[name] = value[:limit]
    for name in ("amount_approved", "amount_modified", "amount_exercised", "amount_paid"):
        if name in values:
            amount = amount_cell(values, name, WORK_FIELDS[name].label)
            if amount is None and name != "amount_modified":
                warnings.append(_("%(f)s vacío: se registra 0") % {"f": WORK_FIELDS[name].label})
                amount = Decimal("0.00")
            row[name] = amount
    if "amount_approved" not in values:
        row["amount_approved"] = Decimal("0.00")
    for name in ("kind", "status", "modality", "execution_mode"):
        if name in values and text(values.get(name)):
            code, why = catalogues.resolve(name, values[name])
            if why:
                raise RowRefused(why)
            row[name] = code
    if not row.get("status"):
        if "status" in values:
            warnings.append(_("estatus vacío: se usa «%(s)s»") % {"s": default_status})
        row["status"] = default_status
    if "category" in values and text(values.get("category")):
        category, why = catalogues.resolve("category", values["category"])
        if why:
            raise RowRefused(why)
        row["category"] = category
    elif default_category is not None:
        row["category"] = default_category
    else:
        raise RowRefused(_("sin categoría: indique la columna o una categoría para todo el archivo"))
    for pair in (("planned_start", "planned_end"), ("actual_start", "actual_end")):
        start, end = (_date(values, name) if name in values else None for name in pair)
        if start and end and end < start:
            raise RowRefused(
                _("%(e)s (%(d2)s) anterior a %(s)s (%(d1)s)")
                % {"e": WORK_FIELDS[pair[1]].label, "d2": end, "s": WORK_FIELDS[pair[0]].label, "d1": start}
            )
        for date_field, when in zip(pair, (start, end), strict=True):
            if date_field in values:
                row[date_field] = when
    counts: dict[str, int | None] = {
        name: _count(values, name)
        for name in ("beneficiaries", "beneficiaries_women", "beneficiaries_men")
        if name in values
    }
    row.update(counts)
    women, men, total = (
        counts.get("beneficiaries_women"),
        counts.get("beneficiaries_men"),
        counts.get("beneficiaries"),
    )
    if women is not None and men is not None:
        if total is None:
            row["beneficiaries"] = women + men
        elif women + men > total:
            raise RowRefused(
                _("mujeres (%(w)s) más hombres (%(m)s) superan el total de beneficiarios (%(t)s)")
                % {"w": women, "m": men, "t": total}
            )
    result = WorkRow(row)
    physical = _percent(values, "physical_progress") if "physical_progress" in values else None
    financial = _percent(values, "financial_progress") if "financial_progress" in values else None
    if physical is not None or financial is not None:
        result.progress = (physical or Decimal("0.00"), financial or Decimal("0.00"))
        result.progress_date = _date(values, "progress_date") if "progress_date" in values else None
    if "agency" in values and text(values.get("agency")):
        agency, why = catalogues.resolve("agency", values["agency"])
        if why:
            raise RowRefused(why)
        successor = catalogues.successor.get(agency.pk)
        if successor is not None:
            warnings.append(
                _("%(old)s ahora es %(new)s: se asigna a %(new)s")
                % {"old": agency.acronym, "new": successor.acronym}
            )
            agency = successor
        result.agency = agency
    result.funding = _funding(values, row, catalogues, funding_columns, warnings)
    if "municipio" in values and text(values.get("municipio")):
        municipio, why = catalogues.resolve("municipio", values["municipio"])
        if why:
            raise RowRefused(why)
        result.declared_municipio = municipio
    if "localidad" in values:
        result.localidad_text = text(values.get("localidad"))
    return result


def _funding(
    values: dict[str, Any],
    row: dict[str, Any],
    catalogues: Catalogues,
    funding_columns: dict[str, Any],
    warnings: list[str],
) -> list[tuple[Any, dict[str, Decimal]]] | None:
    """The work's funding rows: one source for the whole work, a column per source, or none (None)."""
    amounts = {
        name: row[name]
        for name in ("amount_approved", "amount_modified", "amount_exercised", "amount_paid")
        if row.get(name) is not None
    }
    if "funding_source" in values and text(values.get("funding_source")):
        source, why = catalogues.resolve("funding_source", values["funding_source"])
        if why:
            raise RowRefused(why)
        return [(source, amounts)]
    if not funding_columns:
        return None
    split = []
    for key, source in funding_columns.items():
        amount = amount_cell(values, key, source.code)
        if amount:
            split.append((source, {"amount_approved": amount}))
    total = sum((a["amount_approved"] for _s, a in split), Decimal("0.00"))
    if split and row.get("amount_approved") in (None, Decimal("0.00")):
        row["amount_approved"] = total
    elif split and total != row.get("amount_approved"):
        warnings.append(
            _("la suma por fuente (%(s)s) difiere del monto aprobado (%(a)s)")
            % {"s": total, "a": row["amount_approved"]}
        )
    return split
