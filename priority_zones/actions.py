"""Every write to zones and geography goes through here."""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
from pathlib import Path

from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.db.models import QuerySet

from gis_core.geometry import as_multipolygon, validate_geometry
from layers.versions import bump_layers
from priority_zones import household_import
from priority_zones.carencias import INCOME_METHOD, HouseholdInput, Line, PersonInput, diagnose
from priority_zones.household_import import HouseholdImportReport
from priority_zones.models import Diagnostic, Household, Person, PovertyLine, Zone

ZONE_LAYERS = ("zones",)


@transaction.atomic
def do_create_zone(*, acting_user=None, **fields) -> Zone:
    zone = Zone(**fields)
    zone.geom = as_multipolygon(validate_geometry(zone.geom))
    if acting_user is not None and zone.author_id is None:
        zone.author = acting_user
    zone.full_clean()
    zone.save()
    bump_layers(*ZONE_LAYERS)
    return zone


@transaction.atomic
def do_update_zone(zone: Zone, *, acting_user=None, **changes) -> Zone:
    for name, value in changes.items():
        setattr(zone, name, value)
    if "geom" in changes:
        zone.geom = as_multipolygon(validate_geometry(zone.geom))
    zone.full_clean()
    zone.save()
    bump_layers(*ZONE_LAYERS)
    return zone


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
        i = bisect.bisect_right([d for d, _ in rows], date)
        return rows[i - 1][1] if i else None


def refresh_disclosure_units() -> None:
    with connection.cursor() as cursor:
        cursor.callproc("priority_zones_refresh_disclosure_units")


def _household_ids(households) -> list[int]:
    if isinstance(households, QuerySet):
        return list(households.order_by("pk").values_list("pk", flat=True))
    return sorted(h if isinstance(h, int) else h.pk for h in households)


def _diagnose_chunk(ids: list[int], lines: LineTable, acting_user) -> list[Diagnostic]:
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
            Diagnostic(
                household_id=pk,
                version=previous + 1,
                methodology_version=result.methodology_version,
                poverty_line_id=line.row_id if line else None,
                rezago_educativo=result.rezago_educativo,
                acceso_salud=result.acceso_salud,
                seguridad_social=result.seguridad_social,
                calidad_vivienda=result.calidad_vivienda,
                servicios_basicos=result.servicios_basicos,
                alimentacion=result.alimentacion,
                carencias_count=result.carencias_count,
                income_per_capita=result.income_per_capita,
                income_estimated=result.income_estimated,
                income_method=INCOME_METHOD,
                poverty_class=result.poverty_class,
                person_results={
                    str(p.number): [p.rezago_educativo, p.acceso_salud, p.seguridad_social]
                    for p in result.persons
                },
                computed_by=acting_user,
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
        Diagnostic.objects.bulk_create(batch, batch_size=chunk)
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
        report.households_written = report.persons_written = 0
    elif report.households_written:
        bump_layers(*HOUSEHOLD_LAYERS)
    return report


def _write_households(batch, report: HouseholdImportReport) -> None:
    households = []
    for parsed in batch:
        v = dict(parsed.values)
        lon, lat = v.pop("lon"), v.pop("lat")
        households.append(
            Household(
                folio=parsed.folio,
                location=Point(lon, lat, srid=4326),
                municipio_id=v.pop("municipio"),
                localidad_id=v.pop("localidad", None),
                ageb_id=v.pop("ageb", None),
                **v,
            )
        )
    Household.objects.bulk_create(households, batch_size=IMPORT_BATCH)
    persons = [
        Person(household_id=household.pk, **person)
        for household, parsed in zip(households, batch, strict=True)
        for person in parsed.persons
    ]
    Person.objects.bulk_create(persons, batch_size=IMPORT_BATCH)
    report.households_written += len(households)
    report.persons_written += len(persons)
