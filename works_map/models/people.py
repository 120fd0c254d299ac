"""People around the works: citizen committees, and the scope where a staff user may act."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from priority_zones.models import Municipio, Zone
from works_map.models.catalogues import Agency
from works_map.models.works import Work


class Committee(models.Model):
    class Kind(models.TextChoices):
        ZONA_IMPULSO = "ZONA_IMPULSO", _("Comité ciudadano de Zona Impulso")
        DE_LA_GENTE = "DE_LA_GENTE", _("Comité de la Gente")
        CONTRALORIA_SOCIAL = "CONTRALORIA_SOCIAL", _("Contraloría social")
        DE_OBRA = "DE_OBRA", _("Comité de obra")

    kind = models.CharField(_("tipo"), max_length=24, choices=Kind.choices)
    name = models.CharField(_("nombre"), max_length=200)
    zone = models.ForeignKey(
        Zone, on_delete=models.SET_NULL, null=True, blank=True, related_name="committees"
    )
    works = models.ManyToManyField(Work, blank=True, related_name="committees")
    constituted_on = models.DateField(_("fecha de constitución"))
    members_count = models.PositiveSmallIntegerField(_("integrantes"))
    synthetic = models.BooleanField(_("sintético"), default=False)

    class Meta:
        db_table = "priority_zones_committee"  # first created there (see migration 0010)
        verbose_name = _("comité ciudadano")
        verbose_name_plural = _("comités ciudadanos")
        ordering = ["-constituted_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(members_count__gte=1, members_count__lte=100),
                name="committee_members_range",
                violation_error_message=_("Un comité tiene entre 1 y 100 integrantes."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class UserScope(models.Model):
    """Where a staff user may act: a set of municipios, optionally on behalf of an agency (its works,
    and for a municipal agency its municipio). Read through gis_core.access.assigned_scope."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scope")
    municipios = models.ManyToManyField(Municipio, blank=True, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    note = models.CharField(_("nota"), max_length=200, blank=True)

    class Meta:
        db_table = "priority_zones_userscope"  # first created there (see migration 0010)
        verbose_name = _("ámbito de acceso")
        verbose_name_plural = _("ámbitos de acceso")

    def __str__(self) -> str:
        return str(self.user)
