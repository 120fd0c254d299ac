"""Every write to child records: registration with consent, measurements (one or a CSV), screenings,
referrals, guidance texts, and erasure (on request or at the end of retention).

Each action runs in one transaction, writes the access log, and refreshes the disclosure units once
at the end, so nothing is ever stored half-way and public figures follow the records.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gis_core.versions import bump_layers
from growth import access, screening
from growth.measurements import MeasurementError, Valid, check, score_many, validate
from growth.models import (
    Centre,
    Child,
    Erasure,
    GrowthAccessLog,
    GuidanceText,
    Measurement,
    Referral,
    Screening,
)
from priority_zones.models import Household, Municipio, Person

LAYERS = ("growth",)
MAX_IMPORT_ROWS = 50_000
IMPORT_COLUMNS = ("clave", "fecha_medicion", "peso_kg", "talla_cm", "posicion")


def refresh_units() -> None:
    """Every disclosure unit recomputed from every child (the timer command, the generator)."""
    with connection.cursor() as cursor:
        cursor.callproc("growth_refresh_units")
    bump_layers(*LAYERS)


def refresh_units_at(points: Iterable[Point | None]) -> int:
    """The disclosure units of the 5 km squares holding these points (the children a write touched)
    recomputed; the same units a full refresh gives (growth/sql/growth_units_incremental.sql)."""
    wkb = [bytes(p.ewkb) for p in points if p is not None]
    if not wkb:
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT growth_refresh_units_at(%s::geometry[])", [wkb])
        squares = cursor.fetchone()[0]
    bump_layers(*LAYERS)
    return squares


def after_write(points: Iterable[Point | None]) -> None:
    """Public figures follow a write at once (only the 5 km squares of the children written are
    recomputed) unless GROWTH_REFRESH_ON_WRITE is off; then `manage.py growth_refresh_units` on a
    timer refreshes them all."""
    if settings.GROWTH_REFRESH_ON_WRITE:
        refresh_units_at(points)


def retention_date(birth_date: dt.date) -> dt.date:
    """Kept until the child turns five plus GROWTH_RETENTION_YEARS (then purged)."""
    years = 5 + settings.GROWTH_RETENTION_YEARS
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:  # 29 February
        return birth_date.replace(year=birth_date.year + years, day=28)


# --- children ----------------------------------------------------------------------------------------


@dataclass
class ChildInput:
    sex: str
    birth_date: dt.date
    consent: bool
    privacy_notice_version: str
    caregiver_relationship: str
    municipio: Municipio | None = None
    household: Household | None = None
    person: Person | None = None
    centre: Centre | None = None
    synthetic: bool = False


def do_register_child(data: ChildInput, acting_user, *, today: dt.date | None = None) -> Child:
    today = today or dt.date.today()
    if not data.consent:
        raise MeasurementError(
            _("Sin el consentimiento de la madre, el padre o la persona tutora no se registra nada."),
            "consentimiento",
        )
    if data.privacy_notice_version != settings.GROWTH_PRIVACY_NOTICE_VERSION:
        raise MeasurementError(
            _("El consentimiento debe darse sobre el aviso de privacidad vigente (versión %(v)s).")
            % {"v": settings.GROWTH_PRIVACY_NOTICE_VERSION},
            "aviso_privacidad",
        )
    if not data.caregiver_relationship.strip():
        raise MeasurementError(_("Indique el parentesco de quien da el consentimiento."), "parentesco")
    if data.sex not in Child.Sex.values:
        raise MeasurementError(_("El sexo debe ser «M» (niña) o «H» (niño)."), "sexo")
    if data.birth_date > today:
        raise MeasurementError(_("La fecha de nacimiento no puede ser futura."), "fecha_nacimiento")
    if (today - data.birth_date).days > 1826:
        raise MeasurementError(
            _("Sólo se registran menores de 5 años (los patrones de la OMS 2006 llegan a 5 años)."),
            "fecha_nacimiento",
        )
    if data.person is not None and data.household is None:
        data.household = data.person.household
    if data.person is not None and data.person.household_id != data.household.pk:  # type: ignore[union-attr]
        raise MeasurementError(_("La persona no pertenece a ese hogar."), "persona")
    municipio: Municipio | None
    if data.household is not None:
        location, municipio = data.household.location, data.household.municipio
    elif data.centre is not None:
        location, municipio = data.centre.location, data.centre.municipio or data.municipio
    else:
        raise MeasurementError(
            _("Indique el hogar del diagnóstico o el centro donde se registra a la niña o el niño."), "centro"
        )
    if municipio is None:
        raise MeasurementError(_("Indique el municipio."), "municipio")
    if not access.municipio_in_scope(acting_user, municipio.pk):
        raise MeasurementError(_("Ese municipio está fuera de su ámbito."), "municipio")
    with transaction.atomic():
        child = Child.objects.create(
            code=f"N-{secrets.token_hex(4).upper()}",
            sex=data.sex,
            birth_date=data.birth_date,
            household=data.household,
            person=data.person,
            centre=data.centre,
            municipio=municipio,
            location=location,
            consent_at=timezone.now(),
            privacy_notice_version=data.privacy_notice_version,
            caregiver_relationship=data.caregiver_relationship.strip()[:40],
            retain_until=retention_date(data.birth_date),
            synthetic=data.synthetic,
            created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        )
        access.log(acting_user, GrowthAccessLog.Action.WRITE, "registro con consentimiento", [child.pk])
    return child


# --- measurements --------------------------------------------------------------------------------------


def _measurement(child: Child, checked, acting_user, source: str) -> Measurement:
    return Measurement(
        child=child,
        measured_on=checked.measured_on,
        age_days=checked.age_days,
        weight_kg=checked.weight_kg,
        height_cm=checked.height_cm,
        position=checked.position,
        z_wfa=checked.z["wfa"],
        z_lhfa=checked.z["lhfa"],
        z_wflh=checked.z["wflh"],
        z_bmi=checked.z["bmi"],
        flags=checked.flags,
        source=source,
        recorded_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        **checked.classes,
    )


def do_record_measurement(
    child: Child, values: dict, acting_user, *, accept_flagged: bool = False, today: dt.date | None = None
) -> Measurement:
    checked = check(
        sex=child.sex,
        birth_date=child.birth_date,
        measured_on=values.get("fecha_medicion"),
        weight=values.get("peso_kg"),
        height=values.get("talla_cm"),
        position=values.get("posicion"),
        accept_flagged=accept_flagged,
        today=today,
    )
    if Measurement.objects.filter(child=child, measured_on=checked.measured_on).exists():
        raise MeasurementError(
            _("Ya hay una medición de esta niña o niño el %(d)s: corrija esa en lugar de duplicarla.")
            % {"d": checked.measured_on},
            "fecha_medicion",
        )
    try:
        with transaction.atomic():
            measurement = _measurement(child, checked, acting_user, Measurement.Source.FORM)
            measurement.save()
            access.log(acting_user, GrowthAccessLog.Action.WRITE, "medición", [child.pk])
            _refer_if_needed(child, measurement, acting_user)
            after_write([child.location])
    except IntegrityError:  # a concurrent duplicate
        raise MeasurementError(
            _("Ya hay una medición de esta niña o niño en esa fecha."), "fecha_medicion"
        ) from None
    return measurement


def _refer_if_needed(child: Child, measurement: Measurement, acting_user) -> Referral | None:
    """Severe wasting, severe stunting or obesity is referred to the nearest centre."""
    reasons = []
    if measurement.z_wflh is not None and "wflh" not in measurement.flags and measurement.z_wflh < -3:
        reasons.append(_("emaciación severa"))
    if measurement.z_lhfa is not None and "lhfa" not in measurement.flags and measurement.z_lhfa < -3:
        reasons.append(_("baja talla severa"))
    if measurement.obese:
        reasons.append(_("obesidad"))
    if not reasons:
        return None
    centre = nearest_centre(child.location)
    if centre is None:
        return None
    return Referral.objects.create(
        child=child,
        measurement=measurement,
        centre=centre,
        reason=_("Medición del %(d)s: %(r)s") % {"d": measurement.measured_on, "r": ", ".join(reasons)},
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    flagged: int = 0
    errors: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def do_import_measurements(data: bytes, acting_user, *, today: dt.date | None = None) -> ImportReport:
    """A CSV of measurements of registered children (columns IMPORT_COLUMNS, plus optional
    `confirmar_atipico`). All rows are checked first; with any error nothing is stored and every
    row's reason is reported. Children must be in the user's scope."""
    report = ImportReport()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.errors.append(
            {"row": 0, "parameter": "archivo", "message": _("El archivo debe estar en UTF-8.")}
        )
        return report
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in IMPORT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        report.errors.append(
            {
                "row": 1,
                "parameter": "columnas",
                "message": _("Faltan columnas: %(c)s.") % {"c": ", ".join(missing)},
            }
        )
        return report
    rows = list(itertools.islice(reader, MAX_IMPORT_ROWS + 1))
    if len(rows) > MAX_IMPORT_ROWS:
        report.errors.append(
            {"row": 0, "parameter": "archivo", "message": _("Máximo %(n)s filas.") % {"n": MAX_IMPORT_ROWS}}
        )
        return report
    report.rows = len(rows)
    codes = {(r.get("clave") or "").strip() for r in rows}
    children = {c.code: c for c in access.scoped_children(acting_user).filter(code__in=codes)}
    existing = set(
        Measurement.objects.filter(child__in=children.values()).values_list("child__code", "measured_on")
    )
    seen: set[tuple[str, dt.date]] = set()
    valid: list[tuple[int, Child, Valid]] = []
    for number, row in enumerate(rows, start=2):
        code = (row.get("clave") or "").strip()
        child = children.get(code)
        try:
            if child is None:
                raise MeasurementError(
                    _("No hay una niña o niño con la clave «%(c)s» en su ámbito.") % {"c": code}, "clave"
                )
            checked = validate(
                sex=child.sex,
                birth_date=child.birth_date,
                measured_on=row.get("fecha_medicion"),
                weight=row.get("peso_kg"),
                height=row.get("talla_cm"),
                position=row.get("posicion"),
                accept_flagged=(row.get("confirmar_atipico") or "").strip().lower()
                in ("1", "si", "sí", "true"),
                today=today,
            )
            key = (code, checked.measured_on)
            if key in existing or key in seen:
                raise MeasurementError(
                    _("Medición duplicada: «%(c)s» ya tiene una medición el %(d)s.")
                    % {"c": code, "d": checked.measured_on},
                    "fecha_medicion",
                )
            seen.add(key)
            valid.append((number, child, checked))
        except MeasurementError as exc:
            report.errors.append({"row": number, "parameter": exc.parameter, "message": str(exc)})
    # Z-scores of every valid row in one numpy pass; unconfirmed implausible rows become errors.
    pending = []
    for (number, child, _valid), scored in zip(valid, score_many([item[2] for item in valid]), strict=True):
        if isinstance(scored, MeasurementError):
            report.errors.append({"row": number, "parameter": scored.parameter, "message": str(scored)})
        else:
            pending.append(_measurement(child, scored, acting_user, Measurement.Source.IMPORT))
    report.errors.sort(key=lambda e: e["row"])
    if report.errors:
        return report
    with transaction.atomic():
        Measurement.objects.bulk_create(pending, batch_size=2000)
        access.log(
            acting_user,
            GrowthAccessLog.Action.WRITE,
            "importación de mediciones",
            [m.child_id for m in pending],
        )
        after_write({m.child_id: m.child.location for m in pending}.values())
    report.created = len(pending)
    report.flagged = sum(1 for m in pending if m.flags)
    return report


# --- screening and referrals ---------------------------------------------------------------------------


def nearest_centre(point: Point | None) -> Centre | None:
    if point is None:
        return None
    return Centre.objects.nearest(point).first()


def do_record_screening(
    child: Child, answers: dict[str, str], acting_user, *, answered_on: dt.date | None = None
) -> Screening:
    answered_on = answered_on or dt.date.today()
    months = screening.age_months(child.birth_date, answered_on)
    band = screening.band_for(months)
    outcome = screening.score(band, answers)
    centre = nearest_centre(child.location)
    with transaction.atomic():
        record = Screening.objects.create(
            child=child,
            answered_on=answered_on,
            questionnaire_version=screening.questionnaire()["version"],
            band=outcome.band,
            answers=outcome.answers,
            scores={"total": outcome.total, "dominios": outcome.by_domain, "alertas": outcome.alerts},
            result=outcome.result,
            respondent=Screening.Respondent.STAFF,
            centre=centre,
            recorded_by=acting_user,
        )
        if outcome.result == Screening.Result.REFER and centre is not None:
            Referral.objects.create(
                child=child,
                screening=record,
                centre=centre,
                reason=_("Tamizaje del %(d)s: resultado «referir»") % {"d": answered_on},
                created_by=acting_user,
            )
        access.log(acting_user, GrowthAccessLog.Action.WRITE, "tamizaje", [child.pk])
        after_write([child.location])
    return record


def do_set_referral_status(referral: Referral, status: str, acting_user) -> Referral:
    if status not in Referral.Status.values:
        raise MeasurementError(_("Estado de referencia no válido."), "estado")
    with transaction.atomic():
        referral.status = status
        referral.save(update_fields=["status"])
        access.log(acting_user, GrowthAccessLog.Action.WRITE, "estado de referencia", [referral.child_id])
    return referral


def do_save_guidance(guidance: GuidanceText, *, title: str, body: str, acting_user) -> GuidanceText:
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise MeasurementError(_("El título y el texto son obligatorios."), "texto" if title else "titulo")
    guidance.title, guidance.body = title[:200], body
    guidance.updated_by = acting_user
    guidance.save()
    return guidance


# --- erasure and retention -------------------------------------------------------------------------------


def do_erase_child(child: Child, acting_user, *, reason: str = Erasure.Reason.REQUEST) -> Erasure:
    """Delete a child and every record about it; keep only a count-only trace (no personal data)."""
    with transaction.atomic():
        erasure = Erasure.objects.create(
            reason=reason,
            measurements=child.measurements.count(),
            screenings=child.screenings.count(),
            requested_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        )
        access.log(acting_user, GrowthAccessLog.Action.ERASE, f"supresión: {reason}", [child.pk])
        location = child.location
        child.delete()
        after_write([location])
    return erasure


def do_purge_expired(today: dt.date | None = None) -> int:
    """Erase every child whose retention period has ended (the daily command calls this)."""
    today = today or dt.date.today()
    expired = list(Child.objects.filter(retain_until__lt=today))
    with transaction.atomic():
        for child in expired:
            Erasure.objects.create(
                reason=Erasure.Reason.RETENTION,
                measurements=child.measurements.count(),
                screenings=child.screenings.count(),
            )
        Child.objects.filter(pk__in=[c.pk for c in expired]).delete()
        if expired:
            after_write([c.location for c in expired])
    return len(expired)
