"""ZAP declarations (Declaratoria de Zonas de Atención Prioritaria) read from the published lists.

A declaration is one kind (rural: municipios, Anexo A; urbana: urban AGEBs, Anexo B), one fiscal
year and one source document. Reading and planning write nothing: `plan_declaration` checks every
key against the loaded geography and compares with what is stored for that year and for the year
before; `priority_zones.actions.do_apply_zap_declaration` writes the plan in one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from priority_zones.models import Ageb, Municipio, SourceDocument, Zone

KEY_PATTERNS: dict[str, re.Pattern[str]] = {
    Zone.Kind.ZAP_RURAL: re.compile(r"^[0-9]{5}$"),
    Zone.Kind.ZAP_URBANA: re.compile(r"^[0-9]{12}[0-9A-Z]$"),
}
KINDS = {"rural": Zone.Kind.ZAP_RURAL, "urbana": Zone.Kind.ZAP_URBANA}
# Column names (accents, case and spaces folded) that hold a whole key, best first.
WHOLE_KEY: dict[str, tuple[str, ...]] = {
    Zone.Kind.ZAP_RURAL: ("cvegeo_mun", "cvegeo", "clave_geoestadistica", "clave_municipal"),
    Zone.Kind.ZAP_URBANA: ("cvegeo_ageb", "cvegeo", "clave_geoestadistica", "clave_ageb_completa"),
}
# Otherwise the key is assembled from INEGI's component columns (Bienestar's Anexo A/B layout).
PARTS = (
    (("cve_ent", "clave_entidad", "clave_de_la_entidad", "entidad"), 2),
    (("cve_mun", "clave_municipio", "clave_del_municipio", "mun"), 3),
    (("cve_loc", "clave_localidad", "clave_de_la_localidad", "loc"), 4),
    (("cve_ageb", "clave_ageb", "clave_de_la_ageb", "ageb"), 4),
)
HEADER_SEARCH_ROWS = 15  # Bienestar's files put the header on row 5


def fold(name: Any) -> str:
    text = unicodedata.normalize("NFKD", str(name or "")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


@dataclass
class Source:
    kind: str
    reference: str
    title: str
    published_on: dt.date
    url: str = ""

    def as_values(self) -> dict[str, Any]:
        return {"title": self.title, "published_on": self.published_on, "url": self.url}


@dataclass
class Declaration:
    kind: str
    year: int
    source: Source
    keys: list[str] = field(default_factory=list)  # unique, in file order
    rows: dict[str, int] = field(default_factory=dict)  # key -> first row
    duplicates: int = 0
    malformed: list[tuple[int, str]] = field(default_factory=list)  # (row, value)
    skipped: int = 0  # rows left out by `only`


def _table(path: Path) -> list[list[Any]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return [row for row in csv.reader(io.StringIO("\n".join(lines)))]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().lstrip("'").upper()


def _key_reader(header: list[str], kind: str):
    """A function row -> key for this header, or None when the header holds no key column."""
    for name in WHOLE_KEY[kind]:
        if name in header:
            index = header.index(name)
            width = 5 if kind == Zone.Kind.ZAP_RURAL else 13
            return lambda row: _cell(row[index] if index < len(row) else "").zfill(width)
    wanted = PARTS[:2] if kind == Zone.Kind.ZAP_RURAL else PARTS
    indexes = []
    for names, width in wanted:
        found = next((header.index(n) for n in names if n in header), None)
        if found is None:
            return None
        indexes.append((found, width))
    return lambda row: "".join(_cell(row[i] if i < len(row) else "").zfill(w) for i, w in indexes)


def _header(table: list[list[Any]], kind: str):
    for start, row in enumerate(table[:HEADER_SEARCH_ROWS]):
        reader = _key_reader([fold(c) for c in row], kind)
        if reader is not None:
            return start, reader
    raise ValueError(
        _(
            "No se encontró la columna de claves (p. ej. cvegeo, o CVE_ENT y CVE_MUN) "
            "en las primeras %(n)s filas."
        )
        % {"n": HEADER_SEARCH_ROWS}
    )


def read_declaration(path: Path, kind: str, year: int, source: Source, only: str = "") -> Declaration:
    """The keys of a CSV or XLSX list. Raises ValueError when no key column is found."""
    table = _table(Path(path))
    start, reader = _header(table, kind)
    declaration = Declaration(kind=kind, year=year, source=source)
    for number, row in enumerate(table[start + 1 :], start=start + 2):
        if not any(_cell(c) for c in row):
            continue
        key = reader(row)
        if only and not key.startswith(only):
            declaration.skipped += 1
            continue
        if not KEY_PATTERNS[kind].match(key):
            declaration.malformed.append((number, key))
            continue
        if key in declaration.rows:
            declaration.duplicates += 1
            continue
        declaration.rows[key] = number
        declaration.keys.append(key)
    return declaration


@dataclass
class Plan:
    declaration: Declaration
    refused: list[tuple[int, str, str]] = field(default_factory=list)  # (row, key, reason)
    stored: set[str] = field(default_factory=set)  # official zones of this kind and year
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    previous_year: int | None = None
    entered: list[str] = field(default_factory=list)  # keys not declared the year before
    left: list[str] = field(default_factory=list)  # keys of the year before no longer declared
    synthetic_replaced: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.refused

    @property
    def replaces(self) -> bool:
        return bool(self.stored)

    def lines(self) -> list[str]:
        d = self.declaration
        label = dict(Zone.Kind.choices)[d.kind]
        out = [
            _("%(label)s %(year)s, %(ref)s: %(n)s claves")
            % {"label": label, "year": d.year, "ref": d.source.reference, "n": len(d.keys)}
        ]
        if d.duplicates:
            out.append(_("  %(n)s claves repetidas en el archivo (se cuentan una vez)") % {"n": d.duplicates})
        if d.skipped:
            out.append(_("  %(n)s filas fuera del ámbito pedido (--only)") % {"n": d.skipped})
        for row, key, reason in self.refused:
            out.append(
                _("  RECHAZADA fila %(r)s, clave %(k)s: %(why)s") % {"r": row, "k": key, "why": reason}
            )
        if self.replaces:
            out.append(
                _("  ya cargada: %(a)s nuevas, %(r)s retiradas, %(k)s sin cambio")
                % {"a": len(self.added), "r": len(self.removed), "k": len(self.kept)}
            )
            out += [f"    + {k} {self.names.get(k, '')}".rstrip() for k in self.added]
            out += [f"    - {k} {self.names.get(k, '')}".rstrip() for k in self.removed]
        if self.previous_year is None:
            out.append(_("  sin declaratoria de %(y)s cargada para comparar") % {"y": d.year - 1})
        else:
            out.append(
                _("  respecto a %(y)s: entran %(e)s, salen %(l)s")
                % {"y": self.previous_year, "e": len(self.entered), "l": len(self.left)}
            )
            out += [f"    entra {k} {self.names.get(k, '')}".rstrip() for k in self.entered]
            out += [f"    sale {k} {self.names.get(k, '')}".rstrip() for k in self.left]
        if self.synthetic_replaced:
            out.append(
                _("  %(n)s zonas sintéticas de demostración con la misma clave serán reemplazadas")
                % {"n": len(self.synthetic_replaced)}
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        d = self.declaration
        return {
            "kind": d.kind,
            "year": d.year,
            "keys": len(d.keys),
            "refused": [{"row": r, "key": k, "reason": why} for r, k, why in self.refused],
            "already_loaded": self.replaces,
            "added": self.added,
            "removed": self.removed,
            "kept": len(self.kept),
            "previous_year": self.previous_year,
            "entered": self.entered,
            "left": self.left,
        }


def _official(kind: str, year: int):
    return Zone.objects.filter(kind=kind, fiscal_year=year, synthetic=False, cvegeo__isnull=False)


def plan_declaration(declaration: Declaration) -> Plan:
    """Check the keys against the loaded geography and compare with the stored zones. Reads only."""
    d = declaration
    plan = Plan(declaration=d)
    unit = "municipios" if d.kind == Zone.Kind.ZAP_RURAL else "AGEB urbanas"
    for row, key in d.malformed:
        plan.refused.append((row, key, _("clave mal formada para una ZAP %(k)s") % {"k": d.kind}))
    if d.kind == Zone.Kind.ZAP_RURAL:
        known = dict(Municipio.objects.filter(cvegeo__in=d.keys).values_list("cvegeo", "name"))
    else:
        known = {
            k: k for k in Ageb.objects.filter(cvegeo__in=d.keys, ambito="U").values_list("cvegeo", flat=True)
        }
    for key in d.keys:
        if key not in known:
            plan.refused.append(
                (
                    d.rows[key],
                    key,
                    _("la clave %(k)s no existe en la geografía cargada (%(u)s)") % {"k": key, "u": unit},
                )
            )
    plan.refused.sort()
    plan.names.update(known)
    stored = dict(_official(d.kind, d.year).order_by().values_list("cvegeo", "name"))
    plan.stored = set(stored)
    for key, name in stored.items():
        plan.names.setdefault(key, name)
    wanted = set(d.keys)
    plan.added = sorted(wanted - plan.stored)
    plan.removed = sorted(plan.stored - wanted)
    plan.kept = sorted(wanted & plan.stored)
    previous = _official(d.kind, d.year - 1).order_by().values_list("cvegeo", "name")
    before = dict(previous)
    if before:
        plan.previous_year = d.year - 1
        plan.entered = sorted(wanted - set(before))
        plan.left = sorted(set(before) - wanted)
        for key, name in before.items():
            plan.names.setdefault(key, name)
    plan.synthetic_replaced = sorted(
        Zone.objects.filter(
            kind=d.kind, fiscal_year=d.year, synthetic=True, cvegeo__in=plan.added
        ).values_list("cvegeo", flat=True)
    )
    return plan


def source_document(source: Source) -> SourceDocument | None:
    return SourceDocument.objects.filter(kind=source.kind, reference=source.reference).first()


def read_upload(data: dict[str, Any], source: Source) -> Declaration:
    """The declaration of an uploaded file (the staff page): read from a temporary copy."""
    import tempfile

    upload = data["file"]
    suffix = Path(upload.name).suffix.lower()
    if suffix not in (".csv", ".txt", ".xlsx", ".xlsm"):
        raise ValueError(_("Se espera un archivo CSV o XLSX."))
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
        tmp.flush()
        return read_declaration(
            Path(tmp.name), KINDS[data["kind"]], data["year"], source, data.get("only") or ""
        )


def to_token(plan: Plan) -> dict[str, Any]:
    """What the confirmation needs (signed by the view): the keys read and the source, not the file."""
    d = plan.declaration
    s = d.source
    return {
        "kind": d.kind,
        "year": d.year,
        "keys": d.keys,
        "source": [s.kind, s.reference, s.title, s.published_on.isoformat(), s.url],
        "replaces": plan.replaces,
    }


def from_token(payload: dict[str, Any]) -> Declaration:
    kind, reference, title, published, url = payload["source"]
    source = Source(kind, reference, title, dt.date.fromisoformat(published), url)
    keys = list(payload["keys"])
    return Declaration(
        kind=payload["kind"],
        year=payload["year"],
        source=source,
        keys=keys,
        rows={k: i for i, k in enumerate(keys, 1)},
    )
