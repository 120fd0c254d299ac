"""Every write to consultations: open, take an opinion, answer, publish the results.

Opinions are refused on the server outside the window (the state comes from the dates, in the site's
time zone), above the rate limits per client address and per e-mail, and when the honeypot is
filled. The results are e-mailed through the outbox to each participant who left an address, and
the addresses are then erased: they were collected for that one purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations import business_days
from consultations.models import (
    ANSWER_MAX,
    OPINION_MAX,
    QUESTION_MAX,
    RESULTS_MAX,
    Answer,
    Consultation,
    Opinion,
)
from consultations.privacy import email_hash
from consultations.text import clean_text
from gis_core.access import Action, require
from gis_core.geometry import GTO_BOUNDS
from outbox import messages
from priority_zones.models import Zone
from works_map.models import Work, WorkStatus

# Per client address and per e-mail: opinions in the last hour, in the last day.
OPINIONS_PER_HOUR = 5
OPINIONS_PER_DAY_PER_EMAIL = 10
DOCUMENT_EXTENSIONS = (".pdf", ".odt", ".docx", ".txt")
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
PLANNED = (WorkStatus.PLANEACION, WorkStatus.PROGRAMADA, WorkStatus.EN_CONTRATACION)


class Refused(Exception):
    """A request the rules refuse: `status` is the HTTP answer (409 closed, 429 too many)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _gate(acting_user, action: Action, consultation: Consultation) -> None:
    """None acts for the system (a command, a test's set-up), as in works_map.actions: unchecked."""
    if acting_user is not None:
        require(acting_user, action, consultation)


def site_link(name: str, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def do_open_consultation(
    *,
    acting_user,
    title: str,
    question: str,
    subject: str,
    opens_on: date,
    days: int = business_days.DEFAULT_BUSINESS_DAYS,
    description: str = "",
    zone: Zone | None = None,
    work: Work | None = None,
    document=None,
    municipio=None,
) -> Consultation:
    if subject == Consultation.Subject.ZONE and (zone is None or zone.status != Zone.Status.DRAFT):
        raise ValidationError({"zone": _("Elija una zona en borrador: se consulta antes de publicarla.")})
    if subject == Consultation.Subject.WORK and (work is None or work.status not in PLANNED):
        raise ValidationError(
            {"work": _("Elija una obra planeada (en planeación, programada o en contratación).")}
        )
    if subject == Consultation.Subject.DOCUMENT:
        if document is None:
            raise ValidationError({"document": _("Adjunte el documento que se consulta.")})
        if Path(document.name).suffix.lower() not in DOCUMENT_EXTENSIONS:
            raise ValidationError({"document": _("El documento debe ser PDF, ODT, DOCX o TXT.")})
        if document.size > DOCUMENT_MAX_BYTES:
            raise ValidationError({"document": _("El documento admite hasta 20 MB.")})
    if not 1 <= days <= business_days.MAX_BUSINESS_DAYS:
        raise ValidationError({"days": _("El plazo va de 1 a 120 días hábiles.")})
    if opens_on < timezone.localdate() - timedelta(days=1):
        raise ValidationError({"opens_on": _("La consulta no puede abrir en el pasado.")})
    consultation = Consultation(
        title=clean_text(title, field="title", minimum=5, maximum=200),
        question=clean_text(question, field="question", minimum=10, maximum=QUESTION_MAX),
        description=clean_text(description, field="description", minimum=0, maximum=4000),
        subject=subject,
        zone=zone if subject == Consultation.Subject.ZONE else None,
        work=work if subject == Consultation.Subject.WORK else None,
        municipio=municipio or (zone.municipio if zone else work.municipio if work else None),
        opens_on=opens_on,
        business_days=days,
        closes_on=business_days.add_business_days(opens_on, days),
        created_by=acting_user,
    )
    _gate(acting_user, Action.CREATE, consultation)
    consultation.full_clean(exclude=["document"])
    try:
        with transaction.atomic():
            if document is not None and subject == Consultation.Subject.DOCUMENT:
                consultation.document_name = Path(document.name).name[:200]
                consultation.document.save(
                    f"consulta{Path(document.name).suffix.lower()}", document, save=False
                )
            consultation.save()
    except Exception:
        if consultation.document:  # the row was refused: the stored file goes too
            consultation.document.delete(save=False)
        raise
    return consultation


@dataclass
class OpinionInput:
    text: str
    email: str = ""
    lon: float | None = None
    lat: float | None = None
    honeypot: str = ""


def do_submit_opinion(consultation: Consultation, data: OpinionInput, *, address_hash: str) -> Opinion:
    from django.contrib.gis.geos import Point

    if data.honeypot:
        # A person never sees the field; whatever filled it is not one. Refused without detail.
        raise Refused(400, _("No se pudo registrar la opinión."))
    if not consultation.is_open:
        if consultation.state == Consultation.State.UPCOMING:
            raise Refused(
                409,
                _("La consulta aún no abre: recibe opiniones desde el %(d)s.")
                % {"d": f"{consultation.opens_on:%d/%m/%Y}"},
            )
        raise Refused(
            409,
            _("La consulta cerró el %(d)s; ya no recibe opiniones.")
            % {"d": f"{consultation.closes_on:%d/%m/%Y}"},
        )
    text = clean_text(data.text, field="text", minimum=10, maximum=OPINION_MAX)
    email = (data.email or "").strip()
    if email:
        if len(email) > 254:
            raise ValidationError({"email": _("El correo es demasiado largo.")})
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"email": _("El correo no es válido.")}) from None
    point = None
    if (data.lon is None) != (data.lat is None):
        raise ValidationError({"lon": _("El lugar necesita longitud y latitud.")})
    if data.lon is not None and data.lat is not None:
        west, south, east, north = GTO_BOUNDS
        if not (west <= data.lon <= east and south <= data.lat <= north):
            raise ValidationError({"lon": _("El lugar debe estar en Guanajuato.")})
        point = Point(data.lon, data.lat, srid=4326)
    hour_ago, day_ago = timezone.now() - timedelta(hours=1), timezone.now() - timedelta(days=1)
    if (
        Opinion.objects.filter(address_hash=address_hash, created_at__gte=hour_ago).count()
        >= OPINIONS_PER_HOUR
    ):
        raise Refused(429, _("Demasiadas opiniones desde esta conexión; intente dentro de una hora."))
    hashed = email_hash(email) if email else ""
    if (
        hashed
        and Opinion.objects.filter(email_hash=hashed, created_at__gte=day_ago).count()
        >= OPINIONS_PER_DAY_PER_EMAIL
    ):
        raise Refused(429, _("Demasiadas opiniones con este correo; intente mañana."))
    opinion = Opinion(
        consultation=consultation,
        text=text,
        point=point,
        email=email,
        email_hash=hashed,
        address_hash=address_hash,
    )
    opinion.full_clean()
    opinion.save()
    return opinion


@transaction.atomic
def do_answer_opinions(
    consultation: Consultation,
    opinions: list[Opinion],
    *,
    text: str,
    withhold: dict[int, str] | None = None,
    acting_user,
) -> Answer:
    """One answer to one or several opinions of the consultation. `withhold`: opinion id → the
    reason its text is not published (insults, personal data); the answer is published anyway."""
    _gate(acting_user, Action.CHANGE, consultation)
    if not opinions:
        raise ValidationError({"opinions": _("Elija al menos una opinión para responder.")})
    if any(o.consultation_id != consultation.pk for o in opinions):
        raise ValidationError({"opinions": _("Las opiniones deben ser de esta consulta.")})
    answer = Answer(
        consultation=consultation,
        text=clean_text(text, field="text", minimum=5, maximum=ANSWER_MAX),
        author=acting_user,
    )
    answer.save()
    for opinion in opinions:
        reason = (withhold or {}).get(opinion.pk, "")
        opinion.answer = answer
        opinion.withheld_reason = clean_text(reason, field="reason", minimum=0, maximum=300)
        opinion.save(update_fields=["answer", "withheld_reason"])
    return answer


@transaction.atomic
def do_publish_results(consultation: Consultation, *, text: str, acting_user) -> int:
    """Publish the devolución de resultados once the window has closed and every opinion has its
    answer; queue one e-mail per participant address; erase the addresses. Returns e-mails queued."""
    _gate(acting_user, Action.CHANGE, consultation)
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.results_published_at is not None:
        raise Refused(409, _("Los resultados ya se publicaron."))
    if consultation.state != Consultation.State.CLOSED:
        raise Refused(409, _("Los resultados se publican cuando la consulta ha cerrado."))
    unanswered = consultation.opinions.filter(answer__isnull=True).count()
    if unanswered:
        raise Refused(409, _("Faltan %(n)s opiniones por responder.") % {"n": unanswered})
    consultation.results = clean_text(text, field="results", minimum=20, maximum=RESULTS_MAX)
    consultation.results_published_at = timezone.now()
    consultation.save(update_fields=["results", "results_published_at"])
    link = site_link("consultations:detail", consultation.pk)
    sent = 0
    recipients: dict[str, str] = {}
    for opinion in consultation.opinions.exclude(email=""):
        recipients.setdefault(opinion.email_hash, opinion.email)
    for hashed, email in recipients.items():
        body = render_to_string(
            "consultations/email/results.txt", {"consultation": consultation, "link": link}
        )
        queued = messages.enqueue(
            "email",
            email,
            subject=_("Resultados de la consulta: %(t)s") % {"t": consultation.title},
            body=body,
            dedupe_key=f"consultation-results:{consultation.pk}:{hashed}",
            purpose="consulta-resultados",
        )
        sent += queued is not None
    consultation.opinions.exclude(email="").update(email="")
    return sent


def require_staff(user) -> None:
    from gis_core.access import may_write

    if not may_write(user):
        raise PermissionDenied(_("Su cuenta no gestiona consultas."))
