"""CUIS-like household files -> validated Household and Person rows, with a report of every rejection.

The schema is documented in docs/household_schema.md: one row per person, the household's columns
repeated on each of its rows, in a CSV (lon/lat columns) or a GeoPackage point layer (the point is
the dwelling). Parsing and validation live here; the write is `priority_zones.actions
.do_import_households`, in one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from gis_core.importers import ImportReport, RejectedRow, diagnose_lonlat
from priority_zones.carencias import ADULT_ITEMS, FOOD_GROUP_WEIGHTS, HEALTH_INSTITUTIONS, MINOR_ITEMS
from priority_zones.models import Ambito, Household, Person


class RowError(ValueError):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(f"{column}: {reason}")
        self.column = column
        self.reason = reason


class Rejection(RejectedRow):
    """A rejected household: its key is the folio, its row the file line where the household starts."""

    @property
    def folio(self) -> str:
        return self.key


@dataclass
class HouseholdImportReport(ImportReport[Any]):
    """The shared import report, in the household vocabulary of the command's JSON and CSV.

    Households are kept by count only (streamed to the database chunk by chunk, never held), and
    `read` counts file rows: one per person, so it differs from kept + rejected households.
    """

    # Literal keys and CSV header: scripts read the JSON and people fix the CSV, whatever the language.
    rejection_type: ClassVar[type[RejectedRow]] = Rejection
    rejection_labels: ClassVar[Mapping[str, str]] = {
        "row": "renglon_archivo",
        "key": "folio",
        "column": "columna",
        "reason": "motivo",
    }

    mode: str = "all-or-nothing"
    persons_written: int = 0

    @property
    def households_valid(self) -> int:
        return self.kept_count

    @property
    def households_rejected(self) -> int:
        return self.rejected_count

    @property
    def households_written(self) -> int:
        return self.written

    @property
    def rejections(self) -> list[RejectedRow]:
        return self.rejected

    def forget_writes(self) -> None:
        super().forget_writes()
        self.persons_written = 0

    def as_dict(self) -> dict:
        return {
            "filas_leidas": self.read,
            "hogares_validos": self.households_valid,
            "hogares_rechazados": self.households_rejected,
            "hogares_escritos": self.households_written,
            "personas_escritas": self.persons_written,
            "modo": self.mode,
            "rechazos": [r.labelled(self.rejection_labels) for r in self.rejections],
        }


# --- column parsers --------------------------------------------------------------------------------

TRUE = {"1", "si", "sí", "s", "true", "t", "verdadero"}
FALSE = {"0", "no", "n", "false", "f", "falso"}


def blank(raw: str | None) -> bool:
    return raw is None or raw.strip() == ""


def as_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ValueError(_("se esperaba 1/0 o sí/no"))


def int_range(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise ValueError(_("se esperaba un entero")) from None
        if not low <= value <= high:
            raise ValueError(_("debe estar entre %(low)s y %(high)s") % {"low": low, "high": high})
        return value

    return parse


def money(raw: str) -> Decimal:
    try:
        value = Decimal(raw.strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(_("se esperaba un monto")) from None
    if value < 0 or value > Decimal("9999999999"):
        raise ValueError(_("monto fuera de rango"))
    return value.quantize(Decimal("0.01"))


def code(choices: Iterable[str]) -> Callable[[str], str]:
    allowed = frozenset(choices)

    def parse(raw: str) -> str:
        value = raw.strip().upper()
        if value not in allowed:
            raise ValueError(
                _("código no válido; use uno de: %(codes)s") % {"codes": ", ".join(sorted(allowed))}
            )
        return value

    return parse


def regex_code(length: int, last_alnum: bool = False) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().upper()
        body = value[:-1] if last_alnum else value
        if len(value) != length or not body.isdigit() or not value[-1:].isalnum():
            raise ValueError(_("clave de %(n)s caracteres no válida") % {"n": length})
        return value

    return parse


def date(raw: str) -> dt.date:
    try:
        value = dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(_("fecha no válida; use AAAA-MM-DD")) from None
    if not dt.date(2000, 1, 1) <= value <= dt.date.today():
        raise ValueError(_("fecha fuera de rango (2000 a hoy)"))
    return value


def health_list(raw: str) -> tuple[str, ...]:
    items = [p.strip().upper() for p in raw.replace(",", ";").split(";") if p.strip()]
    if items == ["NINGUNA"]:
        return ()
    bad = [i for i in items if i not in HEALTH_INSTITUTIONS]
    if bad:
        raise ValueError(
            _("institución no válida: %(bad)s; use NINGUNA o: %(codes)s")
            % {"bad": ", ".join(bad), "codes": ", ".join(sorted(HEALTH_INSTITUTIONS))}
        )
    return tuple(items)


# (column, model field, parser, required)
HOUSEHOLD_COLUMNS: list[tuple[str, str, Callable, bool]] = [
    ("fecha_levantamiento", "survey_date", date, True),
    ("cve_mun", "municipio", regex_code(5), True),
    ("cve_loc", "localidad", regex_code(9), False),
    ("cve_ageb", "ageb", lambda raw: raw.strip().upper(), False),
    ("ambito", "ambito", code(Ambito.values), False),
    ("consentimiento", "consent", as_bool, True),
    ("aviso_privacidad", "privacy_notice_version", str.strip, False),
    ("version_instrumento", "instrument_version", str.strip, False),
    ("piso", "floor", code(Household.Floor.values), False),
    ("techo", "roof", code(Household.Roof.values), False),
    ("muros", "wall", code(Household.Wall.values), False),
    ("cuartos", "rooms", int_range(1, 50), False),
    ("cuartos_dormitorio", "bedrooms", int_range(0, 50), False),
    ("residentes", "residents", int_range(1, 60), False),
    ("agua", "water", code(Household.Water.values), False),
    ("drenaje", "drainage", code(Household.Drainage.values), False),
    ("electricidad", "electricity", code(Household.Electricity.values), False),
    ("combustible", "cooking_fuel", code(Household.Fuel.values), False),
    ("chimenea", "has_chimney", as_bool, False),
]


def _cached(columns):
    """Parsers memoised per column: a million rows hold a few hundred distinct values per column."""
    return [(c, n, functools.lru_cache(maxsize=4096)(p), r) for c, n, p, r in columns]


HOUSEHOLD_COLUMNS = _cached(HOUSEHOLD_COLUMNS)
EMSA_COLUMNS = [f"emsa_{k}" for k in ADULT_ITEMS + MINOR_ITEMS]
FOOD_COLUMNS = [f"dias_{g}" for g in FOOD_GROUP_WEIGHTS] + ["dias_azucar"]
PERSON_COLUMNS: list[tuple[str, str, Callable, bool]] = [
    ("renglon", "number", int_range(1, 99), True),
    ("parentesco", "relationship", code(Person.Relationship.values), True),
    ("sexo", "sex", code(Person.Sex.values), True),
    ("edad", "age", int_range(0, 120), False),
    ("anio_nacimiento", "birth_year", int_range(1900, 2100), False),
    ("nivel_educativo", "education_level", code(Person.Education.values), False),
    ("nivel_terminado", "education_completed", as_bool, False),
    ("asiste_escuela", "attends_school", as_bool, False),
    ("afiliacion_salud", "health_affiliations", health_list, False),
    ("afiliacion_otro_nucleo", "health_other_route", as_bool, False),
    ("trabaja", "works", as_bool, False),
    ("posicion", "job_type", code(Person.JobType.values), False),
    ("prestacion_medica", "has_medical_benefit", as_bool, False),
    ("incapacidad", "has_sick_leave", as_bool, False),
    ("sar_afore", "has_retirement_savings", as_bool, False),
    ("pensionado", "is_pensioner", as_bool, False),
    ("monto_adultos_mayores", "elder_programme_amount", money, False),
    ("ingreso_mensual", "monthly_income", money, False),
    ("discapacidad", "has_disability", as_bool, False),
    ("lengua_indigena", "speaks_indigenous_language", as_bool, False),
]
PERSON_COLUMNS = _cached(PERSON_COLUMNS)
FLAG = functools.lru_cache(maxsize=64)(as_bool)
DAYS = functools.lru_cache(maxsize=64)(int_range(0, 7))
REQUIRED_HEADERS = ["folio", "lon", "lat"] + [
    c for c, _f, _p, req in HOUSEHOLD_COLUMNS + PERSON_COLUMNS if req
]
HOUSEHOLD_KEY_COLUMNS = (
    ["folio", "lon", "lat"] + [c for c, *_ in HOUSEHOLD_COLUMNS] + EMSA_COLUMNS + FOOD_COLUMNS
)


def parse_columns(row: dict, columns) -> dict:
    out = {}
    for column, name, parser, required in columns:
        raw = row.get(column)
        if not raw or raw.isspace():
            if required:
                raise RowError(column, _("dato obligatorio"))
            continue
        try:
            out[name] = parser(raw)
        except ValueError as exc:
            raise RowError(column, str(exc)) from None
    return out


def parse_household(row: dict) -> dict:
    values = parse_columns(row, HOUSEHOLD_COLUMNS)
    problem = diagnose_lonlat(row.get("lon"), row.get("lat"))
    if problem:
        raise RowError("lon/lat", problem)
    lon, lat = float(row["lon"]), float(row["lat"])
    if not values["consent"]:
        raise RowError("consentimiento", _("sin consentimiento informado no se registra el hogar"))
    if not values["municipio"].startswith("11"):
        raise RowError("cve_mun", _("el municipio no es de Guanajuato (11)"))
    food = {}
    for key in ADULT_ITEMS + MINOR_ITEMS:
        raw = row.get(f"emsa_{key}")
        if not blank(raw):
            try:
                food[key] = FLAG(raw)
            except ValueError as exc:
                raise RowError(f"emsa_{key}", str(exc)) from None
    groups = {}
    for column in FOOD_COLUMNS:
        raw = row.get(column)
        if not blank(raw):
            try:
                groups[column.removeprefix("dias_")] = DAYS(raw)
            except ValueError as exc:
                raise RowError(column, str(exc)) from None
    values.update(lon=lon, lat=lat, food_security=food, food_groups=groups)
    return values


def parse_person(row: dict) -> dict:
    values = parse_columns(row, PERSON_COLUMNS)
    affiliations = values.get("health_affiliations")
    values["health_affiliations"] = None if affiliations is None else list(affiliations)
    age, born = values.get("age"), values.get("birth_year")
    if age is not None and born is not None:
        surveyed = (row.get("fecha_levantamiento") or "")[:4]
        if surveyed.isdigit() and abs(int(surveyed) - born - age) > 1:
            raise RowError("anio_nacimiento", _("no concuerda con la edad y la fecha de levantamiento"))
    if values.get("job_type") and values.get("works") is False:
        raise RowError("posicion", _("posición en el trabajo para alguien que no trabaja"))
    return values


# --- readers ---------------------------------------------------------------------------------------


def read_rows(path: Path) -> Iterator[dict]:
    """Rows as dicts of strings; a GeoPackage's point becomes lon/lat in EPSG:4326."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            yield from csv.DictReader(fh)
        return
    if suffix == ".gpkg":
        import pyogrio

        frame = pyogrio.read_dataframe(path)
        if frame.crs is not None and frame.crs.to_epsg() != 4326:
            frame = frame.to_crs(4326)
        geoms = frame.geometry
        frame = frame.drop(columns=frame.geometry.name)
        records = frame.astype(object).where(frame.notna(), None).to_dict("records")
        for record, geom in zip(records, geoms, strict=True):
            row = {k: ("" if v is None else str(v)) for k, v in record.items()}
            if geom is not None and not geom.is_empty:
                row["lon"], row["lat"] = str(geom.x), str(geom.y)
            yield row
        return
    raise ValueError(_("Formato no admitido: use .csv o .gpkg"))


def headers_missing(first: dict) -> list[str]:
    return [h for h in REQUIRED_HEADERS if h not in first]


@dataclass
class ParsedHousehold:
    line: int
    folio: str
    values: dict
    key: tuple
    persons: list[dict] = field(default_factory=list)
    error: RowError | None = None


def parse_households(rows: Iterable[dict], report: HouseholdImportReport) -> Iterator[ParsedHousehold]:
    """Group consecutive rows by folio and validate each household as it completes (streaming:
    memory stays flat for millions of rows). A household with any bad row is rejected whole; a folio
    that reappears after other folios is a duplicate."""
    seen: set[str] = set()
    parsed: ParsedHousehold | None = None
    for line, row in enumerate(rows, start=2):
        report.read += 1
        if line == 2:
            missing = headers_missing(row)
            if missing:
                raise ValueError(_("Faltan columnas obligatorias: %(cols)s") % {"cols": ", ".join(missing)})
        folio = (row.get("folio") or "").strip()
        if not folio or len(folio) > 32:
            yield ParsedHousehold(
                line=line,
                folio=folio,
                values={},
                key=(),
                error=RowError("folio", _("folio vacío o de más de 32 caracteres")),
            )
            continue
        key = tuple(map(row.get, HOUSEHOLD_KEY_COLUMNS))
        if parsed is None or parsed.folio != folio:
            if parsed is not None:
                yield parsed
            parsed = ParsedHousehold(line=line, folio=folio, values={}, key=key)
            if folio in seen:
                parsed.error = RowError(
                    "folio", _("folio repetido: los renglones de un hogar deben ir juntos y una sola vez")
                )
                continue
            seen.add(folio)
            try:
                parsed.values = parse_household(row)
            except RowError as exc:
                parsed.error = exc
        elif parsed.error is None and key != parsed.key:
            parsed.error = RowError(
                "folio",
                _("los datos del hogar difieren entre renglones del mismo folio (línea %(l)s)") % {"l": line},
            )
        if parsed.error is not None:
            continue
        try:
            person = parse_person(row)
        except RowError as exc:
            parsed.error = RowError(exc.column, _("línea %(l)s: %(r)s") % {"l": line, "r": exc.reason})
            continue
        if any(p["number"] == person["number"] for p in parsed.persons):
            parsed.error = RowError(
                "renglon", _("renglón %(n)s repetido (línea %(l)s)") % {"n": person["number"], "l": line}
            )
            continue
        parsed.persons.append(person)
    if parsed is not None:
        yield parsed


class References:
    """Lookups that need the database, loaded once (municipios) or per chunk (the rest)."""

    def __init__(self) -> None:
        from priority_zones.models import Municipio

        self.municipios = dict(Municipio.objects.values_list("cvegeo", "pk"))


def check_references(parsed: list[ParsedHousehold], refs: References) -> None:
    """Codes that need the database: municipio, localidad, AGEB exist; folio not already stored."""
    from priority_zones.models import Ageb, Localidad

    live = [p for p in parsed if p.error is None]
    municipios = refs.municipios
    loc_codes = {p.values["localidad"] for p in live if "localidad" in p.values}
    localidades = {
        cvegeo: (pk, ambito, mun)
        for cvegeo, pk, ambito, mun in Localidad.objects.filter(cvegeo__in=loc_codes).values_list(
            "cvegeo", "pk", "ambito", "municipio__cvegeo"
        )
    }
    ageb_codes = {p.values["ageb"] for p in live if "ageb" in p.values}
    agebs = dict(Ageb.objects.filter(cvegeo__in=ageb_codes).values_list("cvegeo", "pk"))
    existing: set[str] = set()
    folios = [p.folio for p in live]
    for start in range(0, len(folios), 50_000):
        existing.update(
            Household.objects.filter(folio__in=folios[start : start + 50_000]).values_list("folio", flat=True)
        )
    for p in live:
        v = p.values
        if p.folio in existing:
            p.error = RowError("folio", _("el folio ya está registrado"))
            continue
        mun = v["municipio"]
        if mun not in municipios:
            p.error = RowError("cve_mun", _("municipio %(c)s no cargado") % {"c": mun})
            continue
        v["municipio"] = municipios[mun]
        if "localidad" in v:
            found = localidades.get(v["localidad"])
            if found is None or found[2] != mun:
                p.error = RowError("cve_loc", _("localidad inexistente o de otro municipio"))
                continue
            v["localidad"] = found[0]
            v.setdefault("ambito", found[1])
        if "ambito" not in v:
            p.error = RowError("ambito", _("dato obligatorio cuando no se da la localidad"))
            continue
        if "ageb" in v:
            if v["ageb"] not in agebs:
                p.error = RowError("cve_ageb", _("AGEB inexistente"))
                continue
            v["ageb"] = agebs[v["ageb"]]
        if not p.persons:
            p.error = RowError("renglon", _("el hogar no tiene personas"))


def validated_chunks(
    rows: Iterable[dict], report: HouseholdImportReport, size: int = 5000
) -> Iterator[list[ParsedHousehold]]:
    """Chunks of valid households; every rejected one is counted and listed in the report."""
    refs = References()
    chunk: list[ParsedHousehold] = []

    def settle(chunk: list[ParsedHousehold]) -> list[ParsedHousehold]:
        check_references(chunk, refs)
        valid = []
        for p in chunk:
            if p.error is None:
                valid.append(p)
            else:
                report.reject(p.line, p.folio, p.error.reason, p.error.column)
        report.count_kept(len(valid))
        return valid

    for parsed in parse_households(rows, report):
        chunk.append(parsed)
        if len(chunk) >= size:
            yield settle(chunk)
            chunk = []
    if chunk:
        yield settle(chunk)
