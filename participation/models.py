"""Citizen reports on works (with photos and a moderation trail), rate-limit marks, ARCO erasures,
and the Contraloría social paperwork of the works_map.Committee rows (acta, cédulas de vigilancia).

Private by construction: the reporter's e-mail, the place they stood and the GPS read from a photo
live only here and are shown only on the moderator's pages (participation.access); the public API
serializer names its fields one by one. Photos are stored already re-encoded (resized, EXIF gone):
the uploaded bytes with their metadata are never written anywhere.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from works_map.models import Agency, Committee, Work

TEXT_MAX = 2000
REASON_MAX = 500
ANSWER_MAX = 4000


class CitizenReportQuerySet(models.QuerySet):
    def published(self) -> CitizenReportQuerySet:
        return self.filter(published=True)

    def pending(self) -> CitizenReportQuerySet:
        """What the moderation queue shows: not yet decided, or routed and waiting for an answer."""
        return self.filter(state__in=CitizenReport.OPEN_STATES)


class CitizenReport(models.Model):
    class Kind(models.TextChoices):
        STOPPED = "DETENIDA", _("Obra detenida")
        PROGRESS_MISMATCH = "AVANCE", _("Avance distinto al publicado")
        POOR_QUALITY = "CALIDAD", _("Mala calidad")
        NOT_FOUND = "NO_ENCONTRADA", _("Obra no encontrada")
        RISK = "RIESGO", _("Riesgo")
        RECOGNITION = "RECONOCIMIENTO", _("Reconocimiento")
        OTHER = "OTRO", _("Otro")

    class State(models.TextChoices):
        RECEIVED = "RECIBIDO", _("Recibido")
        IN_REVIEW = "EN_REVISION", _("En revisión")
        ROUTED = "TURNADO", _("Turnado a la dependencia")
        ANSWERED = "ATENDIDO", _("Atendido")
        REJECTED = "NO_PROCEDE", _("No procede")

    OPEN_STATES = (State.RECEIVED, State.IN_REVIEW, State.ROUTED)

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="citizen_reports")
    # Copied from the work when received: the moderators' scope filter without a join to 1M works.
    municipio_id_at_receipt = models.IntegerField(db_index=True)
    code = models.CharField(_("código de seguimiento"), max_length=16, unique=True)
    kind = models.CharField(_("tipo"), max_length=16, choices=Kind.choices)
    text = models.TextField(_("texto"), max_length=TEXT_MAX)
    original_text = models.TextField(_("texto original"), max_length=TEXT_MAX)
    # Private: shown to moderators only.
    email = models.EmailField(_("correo para la respuesta"), blank=True)
    location = models.PointField(_("ubicación de quien reporta"), null=True, blank=True)
    state = models.CharField(_("estado"), max_length=12, choices=State.choices, default=State.RECEIVED)
    published = models.BooleanField(_("publicado"), default=False)
    rejection_reason = models.CharField(_("motivo"), max_length=REASON_MAX, blank=True)
    routed_to = models.ForeignKey(
        Agency,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("turnado a"),
    )
    answer = models.TextField(_("respuesta"), max_length=ANSWER_MAX, blank=True)
    answered_by_agency = models.ForeignKey(
        Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(_("recibido"), auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = CitizenReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("reporte ciudadano")
        verbose_name_plural = _("reportes ciudadanos")
        ordering = ["-received_at", "-pk"]
        indexes = [
            # The work page: its published reports, newest first.
            models.Index(
                fields=["work", "-received_at"], condition=Q(published=True), name="citrep_work_pub"
            ),
            # The moderation queue: open reports, newest (highest id) first, by municipio or overall.
            models.Index(
                fields=["-id"],
                condition=Q(state__in=["RECIBIDO", "EN_REVISION", "TURNADO"]),
                name="citrep_open",
            ),
            models.Index(
                fields=["municipio_id_at_receipt", "-id"],
                condition=Q(state__in=["RECIBIDO", "EN_REVISION", "TURNADO"]),
                name="citrep_open_mun",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="NO_PROCEDE") | ~Q(rejection_reason=""),
                name="citrep_rejection_has_reason",
                violation_error_message=_("Un reporte que no procede lleva su motivo."),
            ),
            models.CheckConstraint(
                condition=~Q(state="ATENDIDO") | (~Q(answer="") & Q(answered_at__isnull=False)),
                name="citrep_answered_has_answer",
                violation_error_message=_("Un reporte atendido lleva su respuesta."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.get_kind_display()}"


class ReportPhoto(models.Model):
    report = models.ForeignKey(CitizenReport, on_delete=models.CASCADE, related_name="photos")
    token = models.CharField(max_length=32, unique=True)
    # The re-encoded JPEG (resized, no EXIF); the upload itself is never stored.
    image = models.BinaryField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    # Private: where the camera said it was, read before the EXIF was dropped (moderators only).
    gps = models.PointField(null=True, blank=True)
    hidden = models.BooleanField(_("retirada por moderación"), default=False)

    class Meta:
        ordering = ["report", "pk"]

    def __str__(self) -> str:
        return self.token


class ReportEvent(models.Model):
    """One step of a report's life: who (None: the citizen or the system) and when."""

    class Step(models.TextChoices):
        RECEIVED = "RECIBIDO", _("Recibido")
        REVIEW = "REVISION", _("En revisión")
        APPROVED = "APROBADO", _("Aprobado y publicado")
        EDITED = "EDITADO", _("Texto editado")
        REJECTED = "RECHAZADO", _("No procede")
        ROUTED = "TURNADO", _("Turnado")
        ANSWERED = "RESPONDIDO", _("Respondido")
        PHOTO_HIDDEN = "FOTO_RETIRADA", _("Foto retirada")

    report = models.ForeignKey(CitizenReport, on_delete=models.CASCADE, related_name="events")
    step = models.CharField(max_length=16, choices=Step.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    # For an edit: the text before it; for a rejection: the reason; for a routing: the agency.
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["report", "at", "pk"]


class SubmissionMark(models.Model):
    """One accepted submission, keyed by a salted hash of the address or e-mail (for rate limits).
    Counted in the database like the login throttle: a cache outage must not open the limit."""

    key = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)


class ArcoErasure(models.Model):
    """The record that an erasure was done (ARCO): by whom, when, how much; no copy of what was erased."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    request_reference = models.CharField(_("folio de la solicitud ARCO"), max_length=80)
    reports_erased = models.PositiveIntegerField()
    photos_erased = models.PositiveIntegerField()


class CommitteeActa(models.Model):
    """The constitution acta of a committee (a PDF). It carries members' names and signatures, so it
    is served to staff only; the public pages show the committee's figures."""

    committee = models.OneToOneField(Committee, on_delete=models.CASCADE, related_name="acta")
    filename = models.CharField(max_length=120)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)


class VigilanceReport(models.Model):
    """A cédula de vigilancia of a Contraloría social committee on one work."""

    class Kind(models.TextChoices):
        INITIAL = "INICIAL", _("Inicial")
        INTERMEDIATE = "INTERMEDIO", _("Intermedio")
        FINAL = "FINAL", _("Final")

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="vigilance_reports")
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="vigilance_reports")
    kind = models.CharField(_("tipo"), max_length=10, choices=Kind.choices)
    filed_on = models.DateField(_("fecha"))
    findings = models.TextField(_("hallazgos"), max_length=TEXT_MAX)
    irregularities = models.BooleanField(_("hubo irregularidades"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cédula de vigilancia")
        verbose_name_plural = _("cédulas de vigilancia")
        ordering = ["-filed_on", "-pk"]
