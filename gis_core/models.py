"""The kernel's own tables: data versions per layer and the change history of any model.

Both were first created by the apps that used them (layers, planning); the tables keep those
names (db_table) so existing databases move over without copying rows (gis_core/migrations/0001).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _


class LayerVersionManager(models.Manager):
    def bump(self, name: str) -> None:
        updated = self.filter(name=name).update(version=F("version") + 1)
        if not updated:
            self.get_or_create(name=name, defaults={"version": 2})

    def current(self, name: str) -> int:
        row = self.filter(name=name).values_list("version", flat=True).first()
        return row or 1


class LayerVersion(models.Model):
    name = models.CharField(max_length=64, unique=True)
    version = models.PositiveBigIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LayerVersionManager()

    class Meta:
        db_table = "layers_layerversion"

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Version(models.Model):
    """One saved state of an object: who, when, what changed, and the full state to revert to.

    `model` is the object's model label (`works_map.work`), so any app can keep a history here
    without the kernel knowing its models.
    """

    class Change(models.TextChoices):
        CREATE = "CREATE", _("Creación")
        UPDATE = "UPDATE", _("Cambio")
        REVERT = "REVERT", _("Reversión")
        DELETE = "DELETE", _("Eliminación")

    model = models.CharField(_("modelo"), max_length=100)
    object_id = models.BigIntegerField(_("id del objeto"))
    number = models.PositiveIntegerField(_("versión"))
    change = models.CharField(_("cambio"), max_length=8, choices=Change.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("fecha y hora"), auto_now_add=True)
    # Field values as JSON (geometry as GeoJSON in EPSG:4326), enough to rebuild the object.
    state = models.JSONField(_("estado"))
    changed_fields = models.JSONField(_("campos cambiados"), default=list)
    note = models.CharField(_("nota"), max_length=200, blank=True)

    class Meta:
        db_table = "planning_version"
        verbose_name = _("versión")
        verbose_name_plural = _("versiones")
        ordering = ["model", "object_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "object_id", "number"],
                name="version_unique_number",
                violation_error_message=_("Esa versión ya existe."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.object_id} v{self.number}"
