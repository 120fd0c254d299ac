"""Every write to zones and geography goes through here.

With an `acting_user`, zone writes are refused (PermissionDenied) unless the zone gate lets that
user act on the zone both as stored and as it will stand (see works_map.actions for why both).
INEGI geography is the administrators' alone.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import struct
from pathlib import Path
from typing import Any

from django.contrib.gis.db.models import Union
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import JSONField, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import sql
from psycopg.types.json import Jsonb

from gis_core.access import Action, is_administrator, require_in_place
from gis_core.geometry import as_multipolygon, check_inside_state, ensure_srid, validate_geometry
from gis_core.history import record as record_version
from gis_core.versions import bump_layers, bumps_once
from priority_zones import household_import
from priority_zones.carencias import INCOME_METHOD, HouseholdInput, Line, PersonInput, diagnose
from priority_zones.household_import import HouseholdImportReport
from priority_zones.models import (
    Ageb,
    Diagnostic,
    Household,
    Localidad,
    Municipio,
    Person,
    PovertyLine,
    SourceDocument,
    Zone,
)
from priority_zones.synthetic_base import reserve_ids

ZONE_LAYERS = ("zones",)


def _outside(zone: Zone) -> str:
    return _("La zona «%(n)s» está fuera de su ámbito de trabajo.") % {"n": zone.name}


def _would_leave(zone: Zone) -> str:
    return _("Con este cambio la zona «%(n)s» quedaría fuera de su ámbito de trabajo; no se guardó nada.") % {
        "n": zone.name
    }


UNIT_MODELS: dict[str, type[Municipio] | type[Ageb]] = {"municipios": Municipio, "agebs": Ageb}


def units_geometry(level: str, cvegeos: list[str]) -> MultiPolygon:
    """The union (ST_Union, in PostGIS) of the INEGI municipios or AGEBs with these keys, as a zone's
    outline. Raises a ValidationError on `units` naming the keys that do not exist."""
    model = UNIT_MODELS.get(level)
    if model is None:
        raise ValidationError({"units": _("Unidad desconocida: %(l)s.") % {"l": level}})
    if not cvegeos:
        raise ValidationError({"units": _("Elija al menos una unidad.")})
    found = model.objects.filter(cvegeo__in=cvegeos)
    missing = sorted(set(cvegeos) - set(found.values_list("cvegeo", flat=True)))
    if missing:
        raise ValidationError(
            {"units": _("No hay unidades con estas claves: %(k)s.") % {"k": ", ".join(missing)}}
        )
    union = found.aggregate(union=Union("geom"))["union"]
    return as_multipolygon(ensure_srid(union))


def _zone_geometry(zone: Zone, units: tuple[str, list[str]] | None) -> None:
    if units is not None:
        zone.geom = units_geometry(*units)
    zone.geom = as_multipolygon(validate_geometry(zone.geom))


@transaction.atomic
def do_create_zone(*, acting_user=None, units: tuple[str, list[str]] | None = None, **fields) -> Zone:
    """A new zone; with `units` (a level, "municipios" or "agebs", and CVEGEO keys) its outline is the
    union of those INEGI units, computed in PostGIS, instead of a drawn `geom`."""
    zone = Zone(**fields)
    _zone_geometry(zone, units)
    if acting_user is not None and zone.author_id is None:
        zone.author = acting_user
    zone.full_clean()
    zone.save()
    require_in_place(acting_user, Action.CREATE, zone, _would_leave)
    record_version(zone, acting_user, "CREATE")
    bump_layers(*ZONE_LAYERS)
    return zone


@transaction.atomic
def do_update_zone(
    zone: Zone, *, acting_user=None, units: tuple[str, list[str]] | None = None, **changes
) -> Zone:
    """Change a zone's fields; with `units`, its outline becomes the union of those INEGI units."""
    require_in_place(acting_user, Action.CHANGE, zone, _outside, as_stored=True)
    for name, value in changes.items():
        setattr(zone, name, value)
    if "geom" in changes or units is not None:
        _zone_geometry(zone, units)
    zone.full_clean()
    zone.save()
    require_in_place(acting_user, Action.CHANGE, zone, _would_leave)
    record_version(zone, acting_user, "UPDATE")
    bump_layers(*ZONE_LAYERS)
    return zone


@transaction.atomic
def do_delete_zone(zone: Zone, *, acting_user=None) -> None:
    require_in_place(acting_user, Action.DELETE, zone, _outside, as_stored=True)
    record_version(zone, acting_user, "DELETE")
    zone.delete()
    bump_layers(*ZONE_LAYERS)


# --- INEGI geography ----------------------------------------------------------------------------

GEOGRAPHY_LAYERS: dict[type, tuple[str, ...]] = {
    Municipio: ("municipios",),
    Localidad: ("localidades",),
    Ageb: ("agebs",),
}
Geography = Municipio | Localidad | Ageb


def _require_administrator(acting_user) -> None:
    if acting_user is not None and not is_administrator(acting_user):
        raise PermissionDenied(_("Solo un administrador modifica la geografía del INEGI."))


def changed_values(obj: Any, values: dict[str, Any]) -> dict[str, Any]:
    """The values that differ from the stored object (geometries compared exactly, to 1e-9 degrees),
    so that re-importing the same file writes nothing and records no version."""
    changed = {}
    for name, value in values.items():
        current = getattr(obj, name)
        if isinstance(value, GEOSGeometry) and isinstance(current, GEOSGeometry):
            differs = current.srid != value.srid or not current.equals_exact(value, 1e-9)
        elif isinstance(value, GEOSGeometry) or isinstance(current, GEOSGeometry):
            differs = True  # one side has no geometry
        else:
            differs = current != value
        if differs:
            changed[name] = value
    return changed


@transaction.atomic
def do_save_geography(unit: Geography, *, acting_user=None) -> Geography:
    """Create or change a municipio, localidad or AGEB as it stands (the admin's form, an import):
    administrators only; the geometry checked, a version recorded, its map layer bumped."""
    _require_administrator(acting_user)
    if unit.geom is not None:
        unit.geom = as_multipolygon(validate_geometry(unit.geom))
    change = "UPDATE" if unit.pk is not None else "CREATE"
    unit.full_clean()
    unit.save()
    # A created unit has a new id: no earlier version to number from (nor to look up).
    record_version(unit, acting_user, change, first=change == "CREATE")
    bump_layers(*GEOGRAPHY_LAYERS[type(unit)])
    return unit


@transaction.atomic
def do_delete_geography(unit: Geography, *, acting_user=None) -> None:
    """Remove a geographic unit (the database refuses while works, zones or households point at it)."""
    _require_administrator(acting_user)
    record_version(unit, acting_user, "DELETE")
    unit.delete()
    bump_layers(*GEOGRAPHY_LAYERS[type(unit)])


def _upsert_geography(
    model: type[Municipio] | type[Localidad] | type[Ageb],
    cvegeo: str,
    values: dict[str, Any],
    defaults: dict[str, Any],
    acting_user,
) -> str:
    _require_administrator(acting_user)
    if values.get("geom") is not None:
        # In the stored form, so that an unchanged outline compares equal (do_save_geography checks it).
        values = {**values, "geom": as_multipolygon(ensure_srid(values["geom"]))}
    existing = model.objects.filter(cvegeo=cvegeo).first()
    if existing is None:
        do_save_geography(model(cvegeo=cvegeo, **{**defaults, **values}), acting_user=acting_user)
        return "created"
    changes = changed_values(existing, values)
    if not changes:
        return "unchanged"
    for name, value in changes.items():
        setattr(existing, name, value)
    do_save_geography(existing, acting_user=acting_user)
    return "updated"


@transaction.atomic
def do_upsert_municipio(
    cvegeo: str, *, acting_user=None, frame_version: str = "IMPORT", **values: Any
) -> str:
    """Create or update the municipio with this CVEGEO; "created", "updated" or "unchanged".

    `frame_version` is the marco geoestadístico of a new row; pass it in `values` to change a stored one."""
    return _upsert_geography(Municipio, cvegeo, values, {"frame_version": frame_version}, acting_user)


@transaction.atomic
def do_upsert_localidad(
    cvegeo: str, *, acting_user=None, frame_version: str = "IMPORT", ambito: str = "R", **values: Any
) -> str:
    """Create or update the localidad with this CVEGEO (as do_upsert_municipio). Its point, when
    given, must lie in the state like any outline."""
    if values.get("point") is not None:
        values = {**values, "point": ensure_srid(values["point"], "point")}
        check_inside_state(values["point"], "point")
    defaults = {"frame_version": frame_version, "ambito": ambito}
    return _upsert_geography(Localidad, cvegeo, values, defaults, acting_user)


@transaction.atomic
def do_upsert_ageb(
    cvegeo: str, *, acting_user=None, frame_version: str = "IMPORT", ambito: str = "U", **values: Any
) -> str:
    """Create or update the AGEB with this CVEGEO (as do_upsert_municipio)."""
    defaults = {"frame_version": frame_version, "ambito": ambito}
    return _upsert_geography(Ageb, cvegeo, values, defaults, acting_user)


# --- ZAP declarations ----------------------------------------------------------------------------


@dataclasses.dataclass
class DeclarationResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    synthetic_deleted: int = 0

    def tally(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@transaction.atomic
def do_apply_zap_declaration(plan, *, replace: bool = False, acting_user=None) -> DeclarationResult:
    """Write a checked declaration (priority_zones.zap_declarations.plan_declaration): one
    published zone per key with the unit's outline and census population, the source document
    created or brought up to date. All or nothing: a refused key, or a year already loaded without
    `replace`, writes nothing. With `replace`, the zones of keys no longer declared are deleted."""
    from priority_zones.zap_declarations import source_document

    _require_administrator(acting_user)
    d = plan.declaration
    if not plan.ok:
        keys = ", ".join(key for _row, key, _why in plan.refused[:20])
        raise ValidationError(
            _("Claves rechazadas (%(n)s): %(keys)s. No se escribió nada.")
            % {"n": len(plan.refused), "keys": keys}
        )
    if plan.replaces and not replace:
        raise ValidationError(
            _(
                "La declaratoria %(kind)s %(year)s ya está cargada; "
                "use reemplazar para aplicar las diferencias."
            )
            % {"kind": d.kind, "year": d.year}
        )
    result = DeclarationResult()
    with bumps_once():
        document = source_document(d.source)
        if document is None:
            document = SourceDocument(
                kind=d.source.kind, reference=d.source.reference, **d.source.as_values()
            )
        else:
            for name, value in d.source.as_values().items():
                setattr(document, name, value)
        document.full_clean()
        document.save()
        official = Zone.objects.filter(kind=d.kind, fiscal_year=d.year, synthetic=False)
        for zone in official.filter(cvegeo__in=plan.removed):
            do_delete_zone(zone, acting_user=acting_user)
            result.deleted += 1
        for zone in Zone.objects.filter(kind=d.kind, fiscal_year=d.year, synthetic=True, cvegeo__in=d.keys):
            do_delete_zone(zone, acting_user=acting_user)
            result.synthetic_deleted += 1
        stored = {z.cvegeo: z for z in official.filter(cvegeo__in=d.keys)}
        for key in d.keys:
            values = _declared_zone_values(d.kind, key)
            values.update(source=document, status=Zone.Status.PUBLISHED, synthetic=False)
            zone = stored.get(key)
            if zone is None:
                do_create_zone(acting_user=acting_user, kind=d.kind, fiscal_year=d.year, cvegeo=key, **values)
                result.created += 1
                continue
            changes = changed_values(zone, values)
            if changes:
                do_update_zone(zone, acting_user=acting_user, **changes)
                result.updated += 1
            else:
                result.unchanged += 1
    return result


def _declared_zone_values(kind: str, key: str) -> dict[str, Any]:
    """A rural ZAP is the municipio's outline; an urban ZAP the AGEB's."""
    if kind == Zone.Kind.ZAP_RURAL:
        municipio = Municipio.objects.get(cvegeo=key)
        return {
            "name": municipio.name,
            "municipio": municipio,
            "geom": municipio.geom,
            "population": municipio.population_2020,
        }
    ageb = Ageb.objects.select_related("municipio", "localidad").get(cvegeo=key)
    place = ageb.localidad.name if ageb.localidad else ageb.municipio.name
    return {
        "name": _("AGEB %(ageb)s, %(place)s") % {"ageb": key[-4:], "place": place},
        "municipio": ageb.municipio,
        "geom": ageb.geom,
        "population": ageb.population_2020,
    }


# --- Household diagnostics -----------------------------------------------------------------------

DIAGNOSTIC_CHUNK = 5000
HOUSEHOLD_LAYERS = ("need",)

PERSON_INPUT_FIELDS = [f.name for f in dataclasses.fields(PersonInput)]
HOUSEHOLD_INPUT_FIELDS = [
    f.name
    for f in dataclasses.fields(HouseholdInput)
    if f.name not in ("survey_year", "persons", "partial_income")
]


class LineTable:
    """Every PovertyLine in memory: the latest on or before a date, by ámbito."""

    def __init__(self) -> None:
        self.by_ambito: dict[str, list[tuple[dt.date, Line]]] = {}
        for row in PovertyLine.objects.order_by("reference_date"):
            self.by_ambito.setdefault(row.ambito, []).append(
                (row.reference_date, Line(extreme=row.extreme, poverty=row.poverty, row_id=row.pk))
            )

    def at(self, date: dt.date, ambito: str) -> Line | None:
        rows = self.by_ambito.get(ambito, [])
        i = bisect.bisect_right(rows, date, key=lambda row: row[0])
        return rows[i - 1][1] if i else None


def refresh_disclosure_units() -> None:
    with connection.cursor() as cursor:
        cursor.callproc("priority_zones_refresh_disclosure_units")


def _household_ids(households) -> list[int]:
    if isinstance(households, QuerySet):
        return list(households.order_by("pk").values_list("pk", flat=True))
    return sorted(h if isinstance(h, int) else h.pk for h in households)


DIAGNOSTIC_COLUMNS = [
    "household",
    "version",
    "methodology_version",
    "poverty_line",
    "computed_at",
    "rezago_educativo",
    "acceso_salud",
    "seguridad_social",
    "calidad_vivienda",
    "servicios_basicos",
    "alimentacion",
    "carencias_count",
    "income_per_capita",
    "income_estimated",
    "income_method",
    "poverty_class",
    "person_results",
    "computed_by",
]


def _diagnose_chunk(ids: list[int], lines: LineTable, acting_user) -> list[tuple]:
    """Rows for DIAGNOSTIC_COLUMNS, one per household of the chunk (two reads)."""
    now = timezone.now()
    user_id = acting_user.pk if acting_user is not None else None
    persons: dict[int, list[PersonInput]] = {}
    for row in (
        Person.objects.filter(household_id__in=ids)
        .order_by("household_id", "number")
        .values("household_id", *PERSON_INPUT_FIELDS)
    ):
        persons.setdefault(row.pop("household_id"), []).append(PersonInput(**row))
    made = []
    for row in Household.objects.filter(pk__in=ids).values(
        "pk", "survey_date", "instrument_version", "latest_diagnostic__version", *HOUSEHOLD_INPUT_FIELDS
    ):
        pk, date = row.pop("pk"), row.pop("survey_date")
        instrument = row.pop("instrument_version")
        previous = row.pop("latest_diagnostic__version") or 0
        line = lines.at(date, row["ambito"])
        result = diagnose(
            HouseholdInput(
                survey_year=date.year,
                persons=persons.get(pk, ()),
                partial_income=instrument.upper().startswith("CUIS"),
                **row,
            ),
            line,
        )
        made.append(
            (
                pk,
                previous + 1,
                result.methodology_version,
                line.row_id if line else None,
                now,
                *result.carencias,
                result.carencias_count,
                result.income_per_capita,
                result.income_estimated,
                INCOME_METHOD,
                result.poverty_class,
                Jsonb(
                    {
                        str(p.number): [p.rezago_educativo, p.acceso_salud, p.seguridad_social]
                        for p in result.persons
                    }
                ),
                user_id,
            )
        )
    return made


@transaction.atomic
def do_compute_diagnostics(households, *, acting_user=None, chunk: int = DIAGNOSTIC_CHUNK) -> int:
    """Insert a new Diagnostic version for each household (never an update); return how many.

    Reads are set-based (one households query and one persons query per chunk); a database
    trigger moves Household.latest_diagnostic. Public aggregates are refreshed once at the end.
    """
    ids = _household_ids(households)
    lines = LineTable()
    created = 0
    for start in range(0, len(ids), chunk):
        batch = _diagnose_chunk(ids[start : start + chunk], lines, acting_user)
        copy_into(Diagnostic, DIAGNOSTIC_COLUMNS, batch)
        created += len(batch)
    if created:
        refresh_disclosure_units()
        bump_layers(*HOUSEHOLD_LAYERS)
    return created


# --- Household import ----------------------------------------------------------------------------

IMPORT_BATCH = 5000


@transaction.atomic
def do_import_households(path, *, keep_valid: bool = False, acting_user=None) -> HouseholdImportReport:
    """Validate a CUIS-like file and write its households and persons in one transaction.

    Streaming: households are validated and written chunk by chunk inside the transaction. In the
    default all-or-nothing mode the first rejection stops the writing (validation goes on, so the
    report lists every rejected row) and the transaction is rolled back: nothing is half-written.
    With keep_valid, the valid households are kept and the report lists the rest.
    """
    report = HouseholdImportReport(mode="keep-valid" if keep_valid else "all-or-nothing")
    rows = household_import.read_rows(Path(path))
    for valid in household_import.validated_chunks(rows, report, size=IMPORT_BATCH):
        if report.households_rejected and not keep_valid:
            continue
        _write_households(valid, report)
    if report.households_rejected and not keep_valid:
        transaction.set_rollback(True)
        report.forget_writes()
        return report
    report.committed = True
    if report.households_written:
        bump_layers(*HOUSEHOLD_LAYERS)
    return report


def copy_into(model, names: list[str], rows) -> None:
    """COPY rows (tuples of Python values, in `names` order) into the model's table.

    psycopg adapts and escapes each value; the statement is composed from model metadata with
    psycopg.sql identifiers, never from user input. Triggers fire as for INSERT.
    """
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table),
        sql.SQL(", ").join(sql.Identifier(model._meta.get_field(n).column) for n in names),
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _columns(model, skip: tuple[str, ...]) -> list:
    return [f for f in model._meta.concrete_fields if f.name not in skip]


def _db_value(field, value):
    if isinstance(field, JSONField) and value is not None:
        return Jsonb(value)
    return value


def point_ewkb(lon: float, lat: float) -> str:
    """Hex EWKB of a 2D point in EPSG:4326 (what PostGIS reads from COPY text)."""
    return struct.pack("<BIIdd", 1, 0x20000001, 4326, lon, lat).hex()


def _write_households(batch, report: HouseholdImportReport) -> None:
    """COPY a chunk: ids are reserved from the sequence first so persons can reference them."""
    h_fields = _columns(Household, ("id", "location", "latest_diagnostic", "created_at"))
    p_fields = _columns(Person, ("id", "household"))
    ids = reserve_ids(Household, len(batch)).tolist()
    now = timezone.now()
    h_rows, p_rows = [], []
    for pk, parsed in zip(ids, batch, strict=True):
        v = parsed.values
        extra = {"folio": parsed.folio}
        h_rows.append(
            (pk, point_ewkb(v["lon"], v["lat"]), now)
            + tuple(
                _db_value(f, extra[f.name] if f.name in extra else v.get(f.name, f.get_default()))
                for f in h_fields
            )
        )
        for person in parsed.persons:
            p_rows.append((pk,) + tuple(_db_value(f, person.get(f.name, f.get_default())) for f in p_fields))
    copy_into(Household, ["id", "location", "created_at"] + [f.name for f in h_fields], h_rows)
    copy_into(Person, ["household"] + [f.name for f in p_fields], p_rows)
    report.tally("created", len(h_rows))
    report.persons_written += len(p_rows)
