"""Priority zones (ZAP rural and urbana, Zonas Impulso, zones drawn by planners) and the documents
that declare them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gis_core.constraints import valid_geom
from priority_zones.models.geography import Municipio


class SourceDocument(models.Model):
    class Kind(models.TextChoices):
        DOF = "DOF", _("Diario Oficial de la Federación")
        PO_GTO = "PO_GTO", _("Periódico Oficial del Estado de Guanajuato")
        LINEAMIENTOS = "LINEAMIENTOS", _("Lineamientos")
        REGLAS = "REGLAS", _("Reglas de operación")
        OTRO = "OTRO", _("Otro")

    kind = models.CharField(_("tipo"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("título"), max_length=300)
    reference = models.CharField(_("referencia"), max_length=120, help_text=_("p. ej. DOF código 5773718"))
    published_on = models.DateField(_("fecha de publicación"))
    url = models.URLField(_("URL"), blank=True)

    class Meta:
        verbose_name = _("documento fuente")
        verbose_name_plural = _("documentos fuente")
        ordering = ["-published_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "reference"],
                name="sourcedocument_unique_reference",
                violation_error_message=_("Ya existe un documento con ese tipo y referencia."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference} ({self.published_on:%d/%m/%Y})"


class ZoneQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Zone.Status.PUBLISHED)

    def for_year(self, year: int):
        return self.filter(fiscal_year=year)

    def containing(self, point):
        return self.filter(geom__intersects=point)

    def in_bbox(self, bbox_polygon):
        return self.filter(geom__bboverlaps=bbox_polygon)


class Zone(models.Model):
    class Kind(models.TextChoices):
        ZAP_RURAL = "ZAP_RURAL", _("ZAP rural")
        ZAP_URBANA = "ZAP_URBANA", _("ZAP urbana")
        ZONA_IMPULSO = "ZONA_IMPULSO", _("Zona Impulso")
        DRAWN = "DRAWN", _("Zona trazada")

    class Status(models.TextChoices):
        DRAFT = "DRAFT", _("Borrador")
        PUBLISHED = "PUBLISHED", _("Publicada")

    OFFICIAL_KINDS = (Kind.ZAP_RURAL, Kind.ZAP_URBANA)

    kind = models.CharField(_("tipo"), max_length=16, choices=Kind.choices)
    fiscal_year = models.PositiveSmallIntegerField(_("ejercicio fiscal"))
    cvegeo = models.CharField(_("CVEGEO"), max_length=13, null=True, blank=True)
    name = models.CharField(_("nombre"), max_length=200)
    municipio = models.ForeignKey(
        Municipio, on_delete=models.PROTECT, null=True, blank=True, related_name="zones"
    )
    geom = models.MultiPolygonField(_("geometría"), srid=4326)
    source = models.ForeignKey(
        SourceDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("fuente legal"),
        related_name="zones",
    )
    status = models.CharField(_("estado"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    population = models.PositiveIntegerField(_("población"), null=True, blank=True)
    synthetic = models.BooleanField(
        _("sintética"), default=False, help_text=_("Datos de demostración generados, no oficiales")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ZoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("zona")
        verbose_name_plural = _("zonas")
        ordering = ["-fiscal_year", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "fiscal_year", "cvegeo"],
                condition=Q(cvegeo__isnull=False),
                name="zone_unique_official_key",
                violation_error_message=_("Ya existe una zona de ese tipo, ejercicio y CVEGEO."),
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["ZAP_RURAL", "ZAP_URBANA"])
                | (Q(cvegeo__isnull=False) & Q(source__isnull=False)),
                name="zone_official_needs_key_and_source",
                violation_error_message=_(
                    "Una ZAP necesita CVEGEO y la referencia de su publicación oficial."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(kind="ZAP_RURAL") | Q(cvegeo__regex=r"^[0-9]{5}$"),
                name="zone_zap_rural_is_municipio",
                violation_error_message=_("Una ZAP rural es un municipio: CVEGEO de 5 dígitos."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="ZAP_URBANA") | Q(cvegeo__regex=r"^[0-9]{12}[0-9A-Z]$"),
                name="zone_zap_urbana_is_ageb",
                violation_error_message=_("Una ZAP urbana es una AGEB urbana: CVEGEO de 13 caracteres."),
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=2000, fiscal_year__lte=2100),
                name="zone_fiscal_year_range",
                violation_error_message=_("El ejercicio fiscal debe estar entre 2000 y 2100."),
            ),
            valid_geom("geom", "zone"),
        ]
        indexes = [models.Index(fields=["fiscal_year", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.fiscal_year}: {self.name}"
