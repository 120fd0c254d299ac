"""Public consultations (consultas públicas) and follows (seguimiento por correo).

Personal data kept here: the e-mail a participant may leave on an opinion (to receive the results;
erased once the results are sent) and a follower's e-mail (deleted on unsubscribe or on an ARCO
request). Addresses are stored only as salted SHA-256 hashes for the rate limits. None of these
fields is served by any API, export, tile or OGC collection: the app registers none.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations import business_days
from priority_zones.models import Municipio, Zone
from works_map.models import PublicArea, Work

QUESTION_MAX = 500
OPINION_MAX = 2000
ANSWER_MAX = 4000
RESULTS_MAX = 20000


class ConsultationQuerySet(models.QuerySet):
    def open_on(self, moment):
        today = timezone.localdate(moment)
        return self.filter(opens_on__lte=today, closes_on__gte=today)

    def closed_on(self, moment):
        return self.filter(closes_on__lt=timezone.localdate(moment))

    def upcoming_on(self, moment):
        return self.filter(opens_on__gt=timezone.localdate(moment))


class Consultation(models.Model):
    """A question put to the public about a draft zone, a planned work or a document, open for a
    window of business days. Its state is derived from the dates: nothing needs to close it."""

    class Subject(models.TextChoices):
        ZONE = "ZONE", _("Zona en borrador")
        WORK = "WORK", _("Obra planeada")
        DOCUMENT = "DOCUMENT", _("Documento")

    class State(models.TextChoices):
        UPCOMING = "UPCOMING", _("Próxima")
        OPEN = "OPEN", _("Abierta")
        CLOSED = "CLOSED", _("Cerrada")
        RESULTS = "RESULTS", _("Resultados publicados")

    title = models.CharField(_("título"), max_length=200)
    question = models.TextField(_("pregunta"), max_length=QUESTION_MAX)
    description = models.TextField(_("descripción"), max_length=4000, blank=True)
    subject = models.CharField(_("tema"), max_length=10, choices=Subject.choices)
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    work = models.ForeignKey(Work, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    document = models.FileField(_("documento"), upload_to="consultas/", blank=True)
    document_name = models.CharField(_("nombre del documento"), max_length=200, blank=True)
    municipio = models.ForeignKey(
        Municipio,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipio"),
    )
    opens_on = models.DateField(_("abre el"))
    business_days = models.PositiveSmallIntegerField(
        _("días hábiles"), default=business_days.DEFAULT_BUSINESS_DAYS
    )
    closes_on = models.DateField(_("cierra el"))
    results = models.TextField(_("devolución de resultados"), max_length=RESULTS_MAX, blank=True)
    results_published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("consulta pública")
        verbose_name_plural = _("consultas públicas")
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(subject="ZONE") & Q(zone__isnull=False) & Q(work__isnull=True))
                | (Q(subject="WORK") & Q(work__isnull=False) & Q(zone__isnull=True))
                | (Q(subject="DOCUMENT") & Q(zone__isnull=True) & Q(work__isnull=True) & ~Q(document="")),
                name="consultation_subject_matches",
                violation_error_message=_("La consulta se refiere a una zona, a una obra o a un documento."),
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gt=models.F("opens_on")),
                name="consultation_closes_after_opening",
                violation_error_message=_("La consulta cierra después de abrir."),
            ),
            models.CheckConstraint(
                condition=Q(business_days__gte=1) & Q(business_days__lte=business_days.MAX_BUSINESS_DAYS),
                name="consultation_window_bounds",
                violation_error_message=_("El plazo va de 1 a 120 días hábiles."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def state_on(self, moment=None) -> str:
        today = timezone.localdate(moment or timezone.now())
        if self.results_published_at is not None:
            return self.State.RESULTS
        if today < self.opens_on:
            return self.State.UPCOMING
        if today <= self.closes_on:
            return self.State.OPEN
        return self.State.CLOSED

    @property
    def state(self) -> str:
        return self.state_on()

    def get_state_display(self) -> str:
        return str(dict(self.State.choices)[self.state])

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    def get_absolute_url(self) -> str:
        return reverse("consultations:detail", args=[self.pk])

    @property
    def closes_at(self):
        return business_days.end_of_day(self.closes_on)


class Answer(models.Model):
    """Staff's answer to one or several opinions (a grouped answer)."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(_("respuesta"), max_length=ANSWER_MAX)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class Opinion(models.Model):
    """A citizen's opinion. Published with its answer: staff read each one before answering, and may
    withhold an abusive text (with a reason, shown instead of it); the answer is public either way."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="opinions")
    text = models.TextField(_("opinión"), max_length=OPINION_MAX)
    point = models.PointField(_("lugar"), srid=4326, null=True, blank=True)
    email = models.EmailField(_("correo"), blank=True)  # private: results only, erased once sent
    address_hash = models.CharField(max_length=64, db_index=True)
    email_hash = models.CharField(max_length=64, blank=True, db_index=True)
    answer = models.ForeignKey(
        Answer, on_delete=models.SET_NULL, null=True, blank=True, related_name="opinions"
    )
    withheld_reason = models.CharField(_("motivo para no publicar"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    @property
    def published(self) -> bool:
        return self.answer_id is not None and not self.withheld_reason


class Follow(models.Model):
    """A citizen follows a work, a municipio or an area drawn on the map, by e-mail (double opt-in)."""

    class Target(models.TextChoices):
        WORK = "WORK", _("obra")
        MUNICIPIO = "MUNICIPIO", _("municipio")
        AREA = "AREA", _("área")

    email = models.EmailField(_("correo"))
    email_hash = models.CharField(max_length=64, db_index=True)
    address_hash = models.CharField(max_length=64, db_index=True)
    target = models.CharField(max_length=10, choices=Target.choices)
    work = models.ForeignKey(Work, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    municipio = models.ForeignKey(
        Municipio, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    area = models.ForeignKey(PublicArea, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    token = models.CharField(max_length=64, unique=True)  # confirms and unsubscribes: no login
    consent_notice = models.CharField(max_length=20)  # the version of the privacy notice accepted
    consented_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_event_id = models.BigIntegerField(default=0)  # the last WorkEvent already sent
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(target="WORK")
                    & Q(work__isnull=False)
                    & Q(municipio__isnull=True)
                    & Q(area__isnull=True)
                )
                | (
                    Q(target="MUNICIPIO")
                    & Q(municipio__isnull=False)
                    & Q(work__isnull=True)
                    & Q(area__isnull=True)
                )
                | (
                    Q(target="AREA")
                    & Q(area__isnull=False)
                    & Q(work__isnull=True)
                    & Q(municipio__isnull=True)
                ),
                name="follow_one_target",
                violation_error_message=_("Se sigue una obra, un municipio o un área."),
            ),
        ]


class WorkSnapshot(models.Model):
    """The figures of a followed work as last compared: a change is a difference from these."""

    work = models.OneToOneField(
        Work, on_delete=models.CASCADE, primary_key=True, related_name="follow_snapshot"
    )
    status = models.CharField(max_length=16)
    physical_progress = models.DecimalField(max_digits=5, decimal_places=2)
    financial_progress = models.DecimalField(max_digits=5, decimal_places=2)
    amount_approved = models.DecimalField(max_digits=16, decimal_places=2)
    amount_modified = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    amount_exercised = models.DecimalField(max_digits=16, decimal_places=2)
    amount_paid = models.DecimalField(max_digits=16, decimal_places=2)
    taken_at = models.DateTimeField()


class WorkEvent(models.Model):
    """Something a follower of the work hears about: a change of figures or a published answer."""

    class Kind(models.TextChoices):
        CHANGE = "CHANGE", _("cambio")
        REPORT_ANSWER = "REPORT_ANSWER", _("respuesta a un reporte ciudadano")

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # For a change: {field: [old, new]} as text; for an answer: {"summary": text}.
    details = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["pk"]


class ErasureRecord(models.Model):
    """An ARCO request carried out: who did it and what was removed, never the address itself."""

    email_hash = models.CharField(max_length=64)
    follows_deleted = models.PositiveIntegerField(default=0)
    opinions_erased = models.PositiveIntegerField(default=0)
    messages_deleted = models.PositiveIntegerField(default=0)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    done_at = models.DateTimeField(auto_now_add=True)


class PeriodicRun(models.Model):
    """When a periodic task of this app last ran (the worker asks before running it again)."""

    name = models.CharField(max_length=40, primary_key=True)
    last_at = models.DateTimeField()
