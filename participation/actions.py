"""Every write of citizen participation: one transaction each, a ReportEvent with who and when.

Views and commands call these; none of them saves a report, photo, committee or cédula itself.
`acting_user` None is the citizen (submissions) or the system; staff steps check the gate here.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations import follows
from gis_core.access import Action, require
from outbox import privacy
from participation.access import may_manage_committees
from participation.models import (
    ArcoErasure,
    CitizenReport,
    CommitteeActa,
    ReportEvent,
    ReportPhoto,
    SubmissionMark,
    VigilanceReport,
)
from participation.photos import CleanPhoto
from works_map.models import Agency, Committee, Work

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud or copied by hand
Step = ReportEvent.Step
State = CitizenReport.State


class RateLimited(Exception):
    """Too many submissions from one address or for one e-mail inside the window."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def mark_key(kind: str, value: str) -> str:
    """Keyed with the SECRET_KEY: the table of marks reveals no address or e-mail."""
    return privacy.keyed_hash(kind, value.strip().casefold())


# The two-integer advisory locks of the rate limit live under this first integer, apart from the
# single-bigint locks other apps take (budget loads, the works totals, import jobs).
RATE_LOCK_SPACE = 1_701_001


def _check_rate(address: str, email: str) -> list[str]:
    """Count and (by the caller, in the same transaction) mark under a transaction lock per address and
    per e-mail, so simultaneous submissions from one address cannot all see the count below the limit."""
    window = settings.PARTICIPATION_RATE_WINDOW
    since = timezone.now() - timedelta(seconds=window)
    keys = [mark_key("addr", address)]
    limits = [(keys[0], settings.PARTICIPATION_RATE_PER_ADDRESS, _("esta dirección de red"))]
    if email:
        keys.append(mark_key("email", email))
        limits.append((keys[1], settings.PARTICIPATION_RATE_PER_EMAIL, _("este correo")))
    with connection.cursor() as cursor:
        for key in sorted(keys):  # one order for every submitter: no deadlock between two keys
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [RATE_LOCK_SPACE, key])
    SubmissionMark.objects.filter(at__lt=since).delete()
    for key, limit, what in limits:
        if SubmissionMark.objects.filter(key=key, at__gte=since).count() >= limit:
            raise RateLimited(
                _("Se recibieron demasiados reportes desde %(what)s; intente de nuevo más tarde.")
                % {"what": what},
                window,
            )
    return keys


@transaction.atomic
def do_submit_report(
    work: Work,
    *,
    kind: str,
    text: str,
    photos: Sequence[CleanPhoto] = (),
    email: str = "",
    location: Point | None = None,
    address: str,
) -> CitizenReport:
    """A citizen's report, received (not published). Raises RateLimited past the limits."""
    if not work.published:
        raise ValidationError(_("Sólo se reportan obras publicadas."))
    if len(photos) > settings.PARTICIPATION_MAX_PHOTOS:
        raise ValidationError(
            _("A lo más %(n)s fotos por reporte.") % {"n": settings.PARTICIPATION_MAX_PHOTOS}
        )
    keys = _check_rate(address, email)
    report = CitizenReport(
        work=work,
        municipio_id_at_receipt=work.municipio_id,
        code=new_code(),
        kind=kind,
        text=text,
        original_text=text,
        email=email,
        location=location,
    )
    report.full_clean(exclude=["work"])
    report.save()
    ReportPhoto.objects.bulk_create(
        [
            ReportPhoto(
                report=report, token=p.token, image=p.image, width=p.width, height=p.height,
                size=len(p.image), gps=p.gps,
            )
            for p in photos
        ]
    )  # fmt: skip
    ReportEvent.objects.create(report=report, step=Step.RECEIVED)
    now = timezone.now()
    SubmissionMark.objects.bulk_create([SubmissionMark(key=key, at=now) for key in keys])
    return report


def _locked(report: CitizenReport, acting_user, action: Action = Action.CHANGE) -> CitizenReport:
    """The report as stored, locked for this transaction, after the gate said yes."""
    if acting_user is not None:
        require(acting_user, action, report)
    return CitizenReport.objects.select_for_update().select_related("work").get(pk=report.pk)


def _closed(report: CitizenReport) -> None:
    if report.state == State.REJECTED:
        raise ValidationError(_("El reporte ya se marcó como «no procede»."))


@transaction.atomic
def do_start_review(report: CitizenReport, *, acting_user) -> CitizenReport:
    report = _locked(report, acting_user)
    if report.state == State.RECEIVED:
        report.state = State.IN_REVIEW
        report.save(update_fields=["state"])
        ReportEvent.objects.create(report=report, step=Step.REVIEW, actor=acting_user)
    return report


@transaction.atomic
def do_approve_report(report: CitizenReport, *, acting_user) -> CitizenReport:
    """Publish the report (and its photos not withdrawn)."""
    report = _locked(report, acting_user, Action.APPROVE)
    _closed(report)
    if report.published:
        raise ValidationError(_("El reporte ya está publicado."))
    report.published, report.published_at = True, timezone.now()
    if report.state == State.RECEIVED:
        report.state = State.IN_REVIEW
    report.save(update_fields=["published", "published_at", "state"])
    ReportEvent.objects.create(report=report, step=Step.APPROVED, actor=acting_user)
    return report


@transaction.atomic
def do_edit_report_text(report: CitizenReport, *, text: str, acting_user) -> CitizenReport:
    """Change the public text (e.g. remove a name); the citizen's original stays in original_text."""
    report = _locked(report, acting_user)
    text = text.strip()
    if not text:
        raise ValidationError(_("El texto no puede quedar vacío."))
    if text == report.text:
        raise ValidationError(_("El texto no cambió."))
    before = report.text
    report.text = text
    report.full_clean(exclude=["work"])
    report.save(update_fields=["text"])
    ReportEvent.objects.create(report=report, step=Step.EDITED, actor=acting_user, note=before)
    return report


@transaction.atomic
def do_reject_report(report: CitizenReport, *, reason: str, acting_user) -> CitizenReport:
    report = _locked(report, acting_user)
    _closed(report)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Indique el motivo por el que no procede."))
    report.state, report.rejection_reason, report.published = State.REJECTED, reason, False
    report.full_clean(exclude=["work"])
    report.save(update_fields=["state", "rejection_reason", "published"])
    ReportEvent.objects.create(report=report, step=Step.REJECTED, actor=acting_user, note=reason)
    return report


@transaction.atomic
def do_route_report(report: CitizenReport, *, agency: Agency, acting_user) -> CitizenReport:
    report = _locked(report, acting_user)
    _closed(report)
    if report.state == State.ANSWERED:
        raise ValidationError(_("El reporte ya fue atendido."))
    report.state, report.routed_to = State.ROUTED, agency
    report.save(update_fields=["state", "routed_to"])
    ReportEvent.objects.create(
        report=report, step=Step.ROUTED, actor=acting_user, note=f"{agency.acronym} · {agency.name}"
    )
    return report


@dataclass(frozen=True)
class AnswerNotice:
    tracking_url: str


@transaction.atomic
def do_answer_report(
    report: CitizenReport, *, answer: str, agency: Agency | None, tracking_url: str, acting_user
) -> CitizenReport:
    """The agency's answer, public with the report; the reporter (if they left an e-mail) is told
    through the outbox, inside this transaction: no answer without its message, nor the reverse."""
    from outbox import messages

    report = _locked(report, acting_user)
    _closed(report)
    answer = answer.strip()
    if not answer:
        raise ValidationError(_("Escriba la respuesta."))
    report.state, report.answer, report.answered_at = State.ANSWERED, answer, timezone.now()
    report.answered_by_agency = agency or report.routed_to
    report.full_clean(exclude=["work"])
    report.save(update_fields=["state", "answer", "answered_at", "answered_by_agency"])
    event = ReportEvent.objects.create(report=report, step=Step.ANSWERED, actor=acting_user)
    if report.email:
        messages.enqueue(
            "email",
            report.email,
            subject=_("Respuesta a su reporte %(code)s") % {"code": report.code},
            body=_(
                "Su reporte sobre la obra «%(work)s» recibió una respuesta:\n\n%(answer)s\n\n"
                "Consulte el seguimiento en %(url)s\n"
            )
            % {"work": report.work.name, "answer": answer, "url": tracking_url},
            dedupe_key=f"participation-answer-{event.pk}",
            purpose="participation.answer",
        )
    if report.published:  # a public answer: the work's followers hear of it in their next digest
        follows.notify_report_answer(
            report.work_id,
            _("%(kind)s: %(answer)s")
            % {
                "kind": report.get_kind_display(),
                "answer": answer[:900],
            },
        )
    return report


@transaction.atomic
def do_hide_photo(photo: ReportPhoto, *, acting_user) -> ReportPhoto:
    _locked(photo.report, acting_user)
    if photo.hidden:
        raise ValidationError(_("La foto ya estaba retirada."))
    photo.hidden = True
    photo.save(update_fields=["hidden"])
    ReportEvent.objects.create(
        report=photo.report, step=Step.PHOTO_HIDDEN, actor=acting_user, note=photo.token[:8]
    )
    return photo


@transaction.atomic
def do_erase_citizen_data(*, email: str = "", code: str = "", reference: str, acting_user) -> ArcoErasure:
    """ARCO cancellation: every report (photos, events) sent with this e-mail or under this code,
    the rate-limit marks of the e-mail and the messages still waiting for it. Only reports the
    acting user may moderate; the erasure itself is recorded without a copy of what went."""
    from django.db.models import Q

    from outbox.models import Message
    from participation.access import is_moderator, moderatable_reports

    if not is_moderator(acting_user):
        raise PermissionDenied(_("Sólo moderación o administración atienden solicitudes ARCO."))
    email, code, reference = email.strip(), code.strip().upper(), reference.strip()
    if not reference:
        raise ValidationError(_("Indique el folio de la solicitud ARCO."))
    if not email and not code:
        raise ValidationError(_("Indique el correo o el código de seguimiento."))
    reports = CitizenReport.objects.none()
    if email:
        reports = CitizenReport.objects.filter(email__iexact=email)
    if code:
        reports = reports | CitizenReport.objects.filter(code=code)
    ids = list(reports.values_list("pk", flat=True))
    mine = set(moderatable_reports(acting_user).filter(pk__in=ids).values_list("pk", flat=True))
    if set(ids) - mine:
        raise PermissionDenied(
            _("Hay reportes de esa persona fuera de su ámbito; pida la baja a administración.")
        )
    if not ids:
        raise ValidationError(_("No hay reportes con ese correo o código."))
    emails = {e for e in CitizenReport.objects.filter(pk__in=ids).values_list("email", flat=True) if e}
    photos = ReportPhoto.objects.filter(report_id__in=ids).count()
    CitizenReport.objects.filter(pk__in=ids).delete()
    for address in emails:
        SubmissionMark.objects.filter(key=mark_key("email", address)).delete()
        Message.objects.filter(
            Q(recipient__iexact=address) | Q(recipient_hash=privacy.pseudonym(address))
        ).delete()
    return ArcoErasure.objects.create(
        actor=acting_user, request_reference=reference, reports_erased=len(ids), photos_erased=photos
    )


# --- committees ----------------------------------------------------------------------------------------


def _require_committee_rights(work: Work, acting_user) -> None:
    if not may_manage_committees(acting_user, work):
        raise PermissionDenied(_("No puede registrar comités de esta obra."))


@transaction.atomic
def do_create_committee(
    work: Work,
    *,
    name: str,
    constituted_on: dt.date,
    members_count: int,
    acta_name: str,
    acta: bytes,
    acting_user,
) -> Committee:
    """A Contraloría social committee watching `work`, with its constitution acta (a PDF)."""
    _require_committee_rights(work, acting_user)
    if not acta.startswith(b"%PDF-"):
        raise ValidationError(_("El acta debe ser un PDF."))
    if len(acta) > settings.PARTICIPATION_ACTA_MAX_BYTES:
        raise ValidationError(
            _("El acta pesa más de %(mb)s MB.") % {"mb": settings.PARTICIPATION_ACTA_MAX_BYTES // 2**20}
        )
    if constituted_on > timezone.localdate():
        raise ValidationError(_("La fecha de constitución no puede ser futura."))
    committee = Committee(
        kind=Committee.Kind.CONTRALORIA_SOCIAL,
        name=name.strip(),
        zone=None,
        constituted_on=constituted_on,
        members_count=members_count,
    )
    committee.full_clean()
    committee.save()
    committee.works.add(work)
    CommitteeActa.objects.create(
        committee=committee, filename=acta_name[-120:], content=acta, size=len(acta), uploaded_by=acting_user
    )
    return committee


@transaction.atomic
def do_record_vigilance(
    committee: Committee,
    work: Work,
    *,
    kind: str,
    filed_on: dt.date,
    findings: str,
    irregularities: bool,
    acting_user,
) -> VigilanceReport:
    _require_committee_rights(work, acting_user)
    if not committee.works.filter(pk=work.pk).exists():
        raise ValidationError(_("Ese comité no vigila esta obra."))
    if filed_on < committee.constituted_on:
        raise ValidationError(_("La cédula no puede ser anterior a la constitución del comité."))
    row = VigilanceReport(
        committee=committee, work=work, kind=kind, filed_on=filed_on, findings=findings.strip(),
        irregularities=irregularities, recorded_by=acting_user,
    )  # fmt: skip
    row.full_clean()
    row.save()
    return row
