"""The import wizard's mapping step: every column of the file with sample values and the field it feeds
(guessed, and why), the coded values no catalogue or synonym resolves (with a choice of catalogue
entry or «rechazar»), and the options; the planner's choices are parsed back into the job's options.
Saved mappings (ImportMapping) are the same JSON as `import_file --mapping-file`."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gis_core.storage import local_copy
from planning import import_budget, imports
from planning.actions import do_save_import_mapping
from planning.import_rows import described_columns
from planning.models import ImportJob, ImportMapping
from planning.work_fields import (
    CODED_FIELDS,
    FUNDING_PREFIX,
    REJECT,
    WORK_FIELDS,
    Catalogues,
    column_key,
    normal,
    text,
)

SAMPLES = 3
# The values listed per coded field (a register has a few dozen status words, not thousands).
MAX_VALUES = 200
GEOGRAPHY_LABELS = {
    "cvegeo": gettext_lazy("Clave geográfica (CVEGEO)"),
    "name": gettext_lazy("Nombre"),
    "population": gettext_lazy("Población"),
    "lon": WORK_FIELDS["lon"].label,
    "lat": WORK_FIELDS["lat"].label,
    "wkt": WORK_FIELDS["wkt"].label,
}
# What the mapping step's options set in ImportJob.options (and a saved mapping's "options").
OPTION_NAMES = (
    "mode",
    "fiscal_year",
    "source_srid",
    "encoding",
    "category_code",
    "default_status",
    "publish",
)


def field_choices(target: str) -> list[tuple[str, str]]:
    from works_map.models import FundingSource

    if import_budget.is_budget(target):
        return import_budget.field_choices(target)
    if target != "works":
        return [(name, str(GEOGRAPHY_LABELS[name])) for name in imports.TARGET_FIELDS[target]]
    choices = [(name, str(spec.label)) for name, spec in WORK_FIELDS.items()]
    for source in FundingSource.objects.order_by("code"):
        label = _("Monto aprobado de la fuente %(s)s") % {"s": f"{source.code} ({source.name})"}
        choices.append((f"{FUNDING_PREFIX}{source.code}", label))
    return choices


def catalogue_choices(field_name: str) -> list[tuple[str, str]]:
    from priority_zones.models import Municipio
    from works_map.models import Agency, Category, FundingSource, Work, WorkStatus

    lists: dict[str, Any] = {
        "status": lambda: WorkStatus.choices,
        "kind": lambda: Work.Kind.choices,
        "modality": lambda: Work.Modality.choices,
        "execution_mode": lambda: Work.ExecutionMode.choices,
        "category": lambda: [(c.code, f"{c.name} ({c.code})") for c in Category.objects.order_by("code")],
        "agency": lambda: [(a.code, f"{a.acronym} — {a.name}") for a in Agency.objects.order_by("acronym")],
        "funding_source": lambda: [(s.code, s.name) for s in FundingSource.objects.order_by("code")],
        "municipio": lambda: [
            (m.cvegeo, m.name) for m in Municipio.objects.order_by("name").only("cvegeo", "name")
        ],
    }
    return [(code, str(label)) for code, label in lists[field_name]()]


def _samples(table: imports.Table, column: str) -> list[str]:
    found: list[str] = []
    for row in table.rows:
        value = text(row.get(column))
        if value and value not in found:
            found.append(value[:60])
            if len(found) == SAMPLES:
                break
    return found


def mapping_step(job: ImportJob) -> dict[str, Any]:
    """What the mapping page shows for the job's file and current options."""
    if import_budget.is_budget(job.options["target"]):
        return import_budget.mapping_step(job)
    options = imports.Options(**job.options)
    with local_copy(job.file.name, job.file.storage) as path:
        table = imports.read_table(path, options)
    keys = {column_key(c) for c in table.columns}
    missing = {f: c for f, c in options.mapping.items() if c and column_key(c) not in keys}
    for name in missing:  # a saved mapping names a column this file does not have: guess that field
        del options.mapping[name]
    mapping, why = imports.guess_mapping(table.columns, options)
    columns = described_columns(table.columns, lambda _i, column: _samples(table, column), mapping, why)
    return {
        "columns": columns,
        "choices": field_choices(options.target),
        "values": _coded_values(table, mapping, options) if options.target == "works" else [],
        "options": options,
        "table": table,
        "saved": ImportMapping.objects.filter(target=options.target),
        "missing": missing,
    }


def _coded_values(table: imports.Table, mapping: dict[str, str], options: imports.Options) -> list[dict]:
    """Per coded field, the values no catalogue entry or synonym resolves, and those the user mapped."""
    catalogues = Catalogues.load({})
    listed = []
    for name in CODED_FIELDS:
        column = mapping.get(name)
        if not column:
            continue
        counts = Counter(text(row.get(column)) for row in table.rows)
        counts.pop("", None)
        # Compared as the check compares them: "Concluido / Operación" is "Concluido/Operación".
        chosen = {normal(k): v for k, v in options.value_maps.get(name, {}).items()}
        entries = []
        for value, count in counts.most_common(MAX_VALUES):
            _entry, why = catalogues.resolve(name, value)
            if why is None and normal(value) not in chosen:
                continue
            entries.append({"value": value, "count": count, "choice": chosen.get(normal(value), "")})
        if entries:
            listed.append(
                {
                    "field": name,
                    "label": str(WORK_FIELDS[name].label),
                    "entries": entries,
                    "choices": catalogue_choices(name),
                }
            )
    return listed


def apply(job: ImportJob, data: Any, user) -> str:
    """Store the planner's choices in the job; returns the button pressed ("preview", "refresh", "load")."""
    target = job.options["target"]
    action = data.get("action", "refresh")
    if action == "load":
        saved = ImportMapping.objects.filter(target=target, pk=data.get("saved") or 0).first()
        if saved is None:
            raise ValidationError(_("Elija una correspondencia guardada."))
        job.options = _from_saved(job.options, saved.as_json())
        job.save(update_fields=["options"])
        return action
    fields = dict(field_choices(target))
    mapping: dict[str, str] = dict.fromkeys(imports.TARGET_FIELDS[target], "")  # "" = not imported
    columns = data.getlist("column")
    for index, column in enumerate(columns):
        chosen = data.get(f"field-{index}", "")
        if not chosen:
            continue
        if chosen not in fields:
            raise ValidationError(_("Campo desconocido: %(f)s.") % {"f": chosen})
        if mapping.get(chosen):
            raise ValidationError(
                _("«%(f)s» está asignado a dos columnas: %(a)s y %(b)s.")
                % {"f": fields[chosen], "a": mapping[chosen], "b": column}
            )
        mapping[chosen] = column
    value_maps: dict[str, dict[str, str]] = {}
    for key in data:
        if key.startswith("value-") and data.get(key):
            name, _sep, index = key[len("value-") :].rpartition("-")
            raw = data.get(f"raw-{name}-{index}")
            if name in CODED_FIELDS and raw is not None:
                value_maps.setdefault(name, {})[raw] = data[key]
    options = {**job.options, "mapping": mapping, "value_maps": value_maps, **_options(data, target)}
    checked = imports.Options(**options)  # refuses unknown modes and statuses before anything is stored
    if action == "preview":  # a required field without a column is said here, not as a failed import
        imports.refuse_missing({f: c for f, c in mapping.items() if c}, checked)
    job.options = options
    job.save(update_fields=["options"])
    name = (data.get("save_name") or "").strip()[:80]
    if name:
        do_save_import_mapping(
            name=name,
            target=target,
            columns={f: c for f, c in mapping.items() if c},
            values=value_maps,
            options={k: options[k] for k in OPTION_NAMES if options.get(k) not in (None, "")},
            acting_user=user,
        )
    return action


def _options(data: Any, target: str) -> dict[str, Any]:
    from planning.forms import MappingOptionsForm

    form = MappingOptionsForm(data, target=target)
    if not form.is_valid():
        raise ValidationError(
            [f"{form.fields[f].label}: {' '.join(str(m) for m in e)}" for f, e in form.errors.items()]
        )
    return form.options()


def _from_saved(current: dict[str, Any], saved: dict[str, Any]) -> dict[str, Any]:
    options = {**current, "mapping": dict(saved.get("columns", {})), "value_maps": saved.get("values", {})}
    for key, value in saved.get("options", {}).items():
        if key in OPTION_NAMES:
            options[key] = value
    return options


REJECT_CHOICE = (REJECT, gettext_lazy("Rechazar las filas con este valor"))
