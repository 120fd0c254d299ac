"""Follows: a citizen follows a work, a municipio or an area drawn on the map by e-mail.

Double opt-in: the request stores the address with the consent given (the privacy notice version)
and e-mails a link; nothing else is sent until that link is used. Each e-mail carries a one-click
unsubscribe link (the follow's token, no login), which deletes the follow.

Changes are found by comparing each followed, published work with the figures last seen
(WorkSnapshot): status, physical and financial progress, amounts. Comparing figures, not the version
history, because an approved progress report moves a work's progress without a Version row (works_map
.actions._refresh_progress), and the amounts also move through funding triggers; the history would
miss both. `run_digests` (the worker, every FOLLOW_DIGEST_SECONDS) records the changes as WorkEvents
and sends each confirmed follower one e-mail with everything new since their last one.
`notify_report_answer` adds a published answer to a citizen report as an event of its work.
"""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.actions import Refused, site_link
from consultations.models import ErasureRecord, Follow, Opinion, WorkEvent, WorkSnapshot
from consultations.privacy import NOTICE_VERSION, email_hash
from consultations.text import clean_text
from outbox import messages
from works_map.models import PublicArea, Work, WorkStatus

log = logging.getLogger(__name__)

FOLLOWS_PER_HOUR_PER_ADDRESS = 10
FOLLOWS_PER_DAY_PER_EMAIL = 5
UNCONFIRMED_DAYS = 7  # an address whose owner never confirmed is not kept longer
WATCHED = (
    "status",
    "physical_progress",
    "financial_progress",
    "amount_approved",
    "amount_modified",
    "amount_exercised",
    "amount_paid",
)
LABELS = {
    "status": _("estatus"),
    "physical_progress": _("avance físico"),
    "financial_progress": _("avance financiero"),
    "amount_approved": _("monto aprobado"),
    "amount_modified": _("monto modificado"),
    "amount_exercised": _("monto ejercido"),
    "amount_paid": _("monto pagado"),
}


def _works_q(follow: Follow) -> Q:
    """The published works a follow covers (a work's representative point inside an area)."""
    if follow.area is not None:
        return Q(point__intersects=follow.area.geom)
    if follow.municipio_id is not None:
        return Q(municipio_id=follow.municipio_id)
    return Q(pk=follow.work_id)


def followed_works(follow: Follow):
    return Work.objects.published().filter(_works_q(follow))


def do_request_follow(
    *, email: str, consent: bool, address_hash: str, work=None, municipio=None, area=None, honeypot: str = ""
) -> Follow:
    if honeypot:
        raise Refused(400, _("No se pudo registrar la solicitud."))
    if not consent:
        raise ValidationError(
            {"consent": _("Para seguir necesitamos su consentimiento con el aviso de privacidad.")}
        )
    email = (email or "").strip()
    if not email or len(email) > 254:
        raise ValidationError({"email": _("Escriba un correo válido.")})
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Escriba un correo válido.")}) from None
    if work is not None and not work.published:
        raise ValidationError({"obra": _("Sólo se siguen obras publicadas.")})
    now = timezone.now()
    hashed = email_hash(email)
    if (
        Follow.objects.filter(address_hash=address_hash, created_at__gte=now - timedelta(hours=1)).count()
        >= FOLLOWS_PER_HOUR_PER_ADDRESS
    ):
        raise Refused(429, _("Demasiadas solicitudes desde esta conexión; intente dentro de una hora."))
    if (
        Follow.objects.filter(email_hash=hashed, created_at__gte=now - timedelta(days=1)).count()
        >= FOLLOWS_PER_DAY_PER_EMAIL
    ):
        raise Refused(429, _("Demasiadas solicitudes con este correo; intente mañana."))
    target = Follow.Target.WORK if work else Follow.Target.MUNICIPIO if municipio else Follow.Target.AREA
    with transaction.atomic():
        follow = Follow(
            email=email,
            email_hash=hashed,
            address_hash=address_hash,
            target=target,
            work=work,
            municipio=municipio,
            area=area,
            token=secrets.token_urlsafe(32),
            consent_notice=NOTICE_VERSION,
            consented_at=now,
        )
        follow.full_clean()
        follow.save()
        body = render_to_string(
            "consultations/email/confirm.txt",
            {
                "subject": describe(follow),
                "confirm": site_link("consultations:follow-confirm", follow.token),
                "unsubscribe": site_link("consultations:unsubscribe", follow.token),
                "notice": site_link("consultations:privacy"),
            },
        )
        messages.enqueue(
            "email",
            email,
            subject=_("Confirme que quiere seguir %(s)s") % {"s": describe(follow)},
            body=body,
            payload=_unsubscribe_headers(follow),
            dedupe_key=f"follow-confirm:{follow.pk}",
            purpose="seguimiento-confirmacion",
        )
    return follow


def describe(follow: Follow) -> str:
    if follow.work is not None:
        return _("la obra %(f)s") % {"f": follow.work.folio}
    if follow.municipio is not None:
        return _("el municipio de %(m)s") % {"m": follow.municipio.name}
    assert follow.area is not None  # noqa: S101 - the follow_one_target constraint
    return _("el área %(c)s") % {"c": follow.area.code}


def _unsubscribe_headers(follow: Follow) -> dict:
    # RFC 8058: mail clients show their own one-click "unsubscribe", which POSTs to this address.
    return {
        "headers": {
            "List-Unsubscribe": f"<{site_link('consultations:unsubscribe', follow.token)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    }


def by_token(token: str) -> Follow | None:
    if not token or len(token) > 64:
        return None
    return Follow.objects.select_related("work", "municipio", "area").filter(token=token).first()


@transaction.atomic
def do_confirm_follow(follow: Follow) -> Follow:
    """Confirm (idempotent). The works it covers are snapshotted now, so the first digest holds only
    what changes from here on."""
    if follow.confirmed_at is not None:
        return follow
    follow.confirmed_at = timezone.now()
    follow.last_event_id = WorkEvent.objects.aggregate(m=Max("pk"))["m"] or 0
    follow.save(update_fields=["confirmed_at", "last_event_id"])
    _snapshot_missing(followed_works(follow))
    return follow


def do_unsubscribe(follow: Follow) -> None:
    follow.delete()


def _snapshot_missing(works) -> None:
    now = timezone.now()
    rows = [
        WorkSnapshot(work_id=w["pk"], taken_at=now, **{f: w[f] for f in WATCHED})
        for w in works.filter(follow_snapshot__isnull=True).values("pk", *WATCHED)
    ]
    WorkSnapshot.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)


def _shown(field: str, value) -> str:
    if value is None:
        return "—"
    if field == "status":
        return str(dict(WorkStatus.choices).get(value, value))
    if field.endswith("progress"):
        return f"{Decimal(value):.1f} %"
    return f"${Decimal(value):,.2f}"


def detect_changes() -> int:
    """Compare every followed, published work with its snapshot; record one CHANGE event per work
    that moved (all its changed fields together) and move the snapshot on. Returns events recorded."""
    active = Follow.objects.filter(confirmed_at__isnull=False)
    # One condition for all follows: the works followed by id, those of followed municipios, and
    # those inside each distinct followed area (an area followed by many is one term).
    condition = Q(pk__in=active.filter(work__isnull=False).values("work_id")) | Q(
        municipio_id__in=active.filter(municipio__isnull=False).values("municipio_id")
    )
    for area in PublicArea.objects.filter(pk__in=active.filter(area__isnull=False).values("area_id")):
        condition |= Q(point__intersects=area.geom)
    works = Work.objects.published().filter(condition)
    _snapshot_missing(works)
    now, recorded = timezone.now(), 0
    rows = works.values("pk", *WATCHED, *(f"follow_snapshot__{f}" for f in WATCHED))
    for row in rows.iterator(chunk_size=2000):
        changed = {
            f: [_shown(f, row[f"follow_snapshot__{f}"]), _shown(f, row[f])]
            for f in WATCHED
            if row[f] != row[f"follow_snapshot__{f}"]
        }
        if not changed:
            continue
        with transaction.atomic():
            WorkEvent.objects.create(work_id=row["pk"], kind=WorkEvent.Kind.CHANGE, details=changed)
            WorkSnapshot.objects.filter(work_id=row["pk"]).update(
                taken_at=now, **{f: row[f] for f in WATCHED}
            )
        recorded += 1
    return recorded


def notify_report_answer(work_id: int, summary_text: str) -> WorkEvent | None:
    """A citizen report's answer was published (participation calls this): the work's followers
    hear of it in their next digest. None for a work that is not published."""
    if not Work.objects.published().filter(pk=work_id).exists():
        return None
    summary = clean_text(summary_text, field="summary", minimum=1, maximum=1000)
    return WorkEvent.objects.create(
        work_id=work_id, kind=WorkEvent.Kind.REPORT_ANSWER, details={"summary": summary}
    )


def run_digests() -> int:
    """Detect changes, then queue one e-mail per confirmed follow with its new events. Returns the
    number of e-mails queued. Each follow moves its cursor in the same transaction as its e-mail.
    Requests never confirmed within UNCONFIRMED_DAYS are deleted with their address."""
    Follow.objects.filter(
        confirmed_at__isnull=True, created_at__lt=timezone.now() - timedelta(days=UNCONFIRMED_DAYS)
    ).delete()
    detect_changes()
    latest = WorkEvent.objects.aggregate(m=Max("pk"))["m"] or 0
    queued = 0
    follows = Follow.objects.filter(confirmed_at__isnull=False, last_event_id__lt=latest).select_related(
        "work", "municipio", "area"
    )
    for follow in follows:
        events = list(
            WorkEvent.objects.filter(pk__gt=follow.last_event_id, pk__lte=latest, work__published=True)
            .filter(work__in=followed_works(follow))
            .select_related("work")
            .order_by("work_id", "pk")[:500]
        )
        with transaction.atomic():
            if events:
                by_work = defaultdict(list)
                for event in events:
                    by_work[event.work].append(event)
                body = render_to_string(
                    "consultations/email/digest.txt",
                    {
                        "subject": describe(follow),
                        "works": [
                            {"work": w, "link": site_link("works_map:work", w.pk), "events": _lines(evs)}
                            for w, evs in by_work.items()
                        ],
                        "unsubscribe": site_link("consultations:unsubscribe", follow.token),
                    },
                )
                messages.enqueue(
                    "email",
                    follow.email,
                    subject=_("Novedades de %(s)s") % {"s": describe(follow)},
                    body=body,
                    payload=_unsubscribe_headers(follow),
                    dedupe_key=f"follow-digest:{follow.pk}:{latest}",
                    purpose="seguimiento-novedades",
                )
                queued += 1
            Follow.objects.filter(pk=follow.pk).update(last_event_id=latest)
    log.info("seguimiento: %s correos de novedades en cola", queued)
    return queued


def _lines(events: list[WorkEvent]) -> list[str]:
    lines = []
    for event in events:
        if event.kind == WorkEvent.Kind.REPORT_ANSWER:
            lines.append(
                _("Respuesta publicada a un reporte ciudadano: %(s)s")
                % {"s": event.details.get("summary", "")}
            )
            continue
        for field, (old, new) in event.details.items():
            lines.append(
                _("%(f)s: %(old)s → %(new)s") % {"f": LABELS.get(field, field), "old": old, "new": new}
            )
    return lines


@transaction.atomic
def do_erase_personal_data(email: str, *, acting_user) -> ErasureRecord:
    """ARCO (cancelación): delete every follow of the address, erase it from opinions, and drop the
    messages still waiting for it in the outbox. Recorded without the address."""
    from outbox.models import Message

    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Escriba un correo válido.")}) from None
    hashed = email_hash(email)
    follows, _count = Follow.objects.filter(email_hash=hashed).delete()
    opinions = Opinion.objects.filter(email_hash=hashed).update(email="", email_hash="")
    pending, _count = Message.objects.filter(status=Message.Status.PENDING, recipient__iexact=email).delete()
    return ErasureRecord.objects.create(
        email_hash=hashed,
        follows_deleted=follows,
        opinions_erased=opinions,
        messages_deleted=pending,
        done_by=acting_user,
    )
