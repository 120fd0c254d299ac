"""Photos of progress reports and the import queue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def photo_path(instance: ProgressPhoto, filename: str) -> str:
    # The stored name never comes from the uploader (only the checked extension does).
    return f"avances/{instance.report.work_id}/{instance.report_id}/{instance.token}{instance.extension}"


class ProgressPhoto(models.Model):
    report = models.ForeignKey(
        "works_map.ProgressReport", on_delete=models.CASCADE, related_name="photos", verbose_name=_("reporte")
    )
    file = models.FileField(_("foto"), upload_to=photo_path, max_length=200)
    token = models.CharField(max_length=32, editable=False)
    extension = models.CharField(max_length=6, editable=False)
    content_type = models.CharField(_("tipo"), max_length=40)
    size = models.PositiveIntegerField(_("tamaño (bytes)"))
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("foto de avance")
        verbose_name_plural = _("fotos de avance")
        ordering = ["report", "pk"]

    def __str__(self) -> str:
        return self.file.name


def import_path(instance: ImportJob, filename: str) -> str:
    # Only the checked extension of the uploaded name is kept.
    return f"importaciones/{instance.token}{instance.extension}"


class ImportJob(models.Model):
    """One import: the uploaded file, the user's choices, its progress and its report (a DB-backed queue)."""

    class Status(models.TextChoices):
        PREVIEW = "PREVIEW", _("Vista previa")
        QUEUED = "QUEUED", _("En cola")
        RUNNING = "RUNNING", _("En proceso")
        DONE = "DONE", _("Terminada")
        FAILED = "FAILED", _("Fallida")

    file = models.FileField(_("archivo"), upload_to=import_path, max_length=200)
    token = models.CharField(max_length=32, editable=False)
    extension = models.CharField(max_length=10, editable=False)
    original_name = models.CharField(_("nombre original"), max_length=200)
    options = models.JSONField(_("opciones"), default=dict)
    status = models.CharField(_("estado"), max_length=8, choices=Status.choices, default=Status.PREVIEW)
    progress = models.PositiveIntegerField(_("filas revisadas"), default=0)
    total = models.PositiveIntegerField(_("filas"), default=0)
    summary = models.JSONField(_("resumen"), default=dict)
    rejected = models.JSONField(_("filas rechazadas"), default=list)
    rejected_csv = models.TextField(_("CSV de rechazadas"), blank=True)
    preview = models.JSONField(_("vista previa (GeoJSON)"), default=dict)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("importación")
        verbose_name_plural = _("importaciones")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"


class ImportMapping(models.Model):
    """A column map, value maps and options saved by name for one import target, to reuse with the next
    file of the same register (the wizard's «Guardar la correspondencia»; `import_file --mapping-file`
    reads the same JSON shape)."""

    name = models.CharField(_("nombre"), max_length=80)
    target = models.CharField(_("destino"), max_length=16)
    columns = models.JSONField(_("columnas"), default=dict)
    # Empty is fine: a budget or zone file has no coded values to map, and may set no option.
    values = models.JSONField(_("equivalencias de valores"), default=dict, blank=True)
    options = models.JSONField(_("opciones"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("correspondencia de importación")
        verbose_name_plural = _("correspondencias de importación")
        ordering = ["target", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "name"],
                name="importmapping_unique_name",
                violation_error_message=_("Ya hay una correspondencia con ese nombre para ese destino."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.target})"

    def as_json(self) -> dict:
        return {"columns": self.columns, "values": self.values, "options": self.options}


class LoginFailure(models.Model):
    """Failed logins for one username from one address, counted in the database so that a cache
    outage cannot reset the throttle (planning.auth). Rows older than the window are deleted."""

    key = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    first_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("intentos fallidos de entrada")
        verbose_name_plural = _("intentos fallidos de entrada")

    def __str__(self) -> str:
        return f"{self.key[:8]}…: {self.failures}"


class WorkerHeartbeat(models.Model):
    """The import worker's liveness: each running worker updates its row while it serves the queue
    (manage.py run_import_worker); /health reads them."""

    name = models.CharField(max_length=200, unique=True)
    beat_at = models.DateTimeField()
    jobs_done = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("latido del trabajador de importaciones")
        verbose_name_plural = _("latidos del trabajador de importaciones")

    def __str__(self) -> str:
        return f"{self.name} ({self.beat_at:%Y-%m-%d %H:%M:%S})"
