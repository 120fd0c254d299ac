"""Areas drawn on the citizen map and saved to be shared: a short permanent link to their report card."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gis_core.constraints import valid_geom


class PublicArea(models.Model):
    """A polygon anyone saved from the citizen map, published at /areas/<code>/.

    `digest` is the SHA-256 of the normalised geometry (coordinates rounded to 1e-6 degrees, rings
    and vertices in GEOS canonical order), so the same polygon saved twice is one area with one
    link; `code` is 8 base32 characters of that digest (40 bits: short, not enumerable)."""

    code = models.CharField(_("código"), max_length=8, unique=True)
    digest = models.CharField(_("huella de la geometría"), max_length=64, unique=True)
    geom = models.MultiPolygonField(_("geometría"), srid=4326)
    area_km2 = models.FloatField(_("superficie km²"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("área compartida")
        verbose_name_plural = _("áreas compartidas")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[a-z2-7]{8}$"),
                name="publicarea_code_format",
                violation_error_message=_("El código de un área tiene 8 caracteres base32 en minúsculas."),
            ),
            valid_geom("geom", "publicarea"),
        ]

    def __str__(self) -> str:
        return self.code
