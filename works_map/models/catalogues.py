"""The catalogues a work refers to: agencies, funding sources and the category tree."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from priority_zones.models import Municipio


class GovernmentLevel(models.TextChoices):
    FEDERAL = "FEDERAL", _("Federal")
    ESTATAL = "ESTATAL", _("Estatal")
    MUNICIPAL = "MUNICIPAL", _("Municipal")


class Agency(models.Model):
    class Kind(models.TextChoices):
        CENTRALIZADA = "CENTRALIZADA", _("Centralizada")
        DESCONCENTRADA = "DESCONCENTRADA", _("Desconcentrada")
        PARAESTATAL = "PARAESTATAL", _("Paraestatal o paramunicipal")
        AUTONOMO = "AUTONOMO", _("Organismo autónomo")

    code = models.CharField(_("clave"), max_length=32, unique=True)
    acronym = models.CharField(_("siglas"), max_length=32)
    name = models.CharField(_("nombre"), max_length=200)
    level = models.CharField(_("orden de gobierno"), max_length=10, choices=GovernmentLevel.choices)
    kind = models.CharField(_("tipo"), max_length=16, choices=Kind.choices, default=Kind.CENTRALIZADA)
    municipio = models.ForeignKey(
        Municipio, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    predecessor = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successor",
        verbose_name=_("antecesora"),
        help_text=_("Dependencia a la que sustituye, p. ej. SEDESHU para SENCO"),
    )
    valid_from = models.DateField(_("vigente desde"), null=True, blank=True)
    valid_to = models.DateField(_("vigente hasta"), null=True, blank=True)

    class Meta:
        verbose_name = _("dependencia")
        verbose_name_plural = _("dependencias")
        ordering = ["level", "acronym"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="agency_validity_ordered",
                violation_error_message=_("La vigencia termina antes de empezar."),
            ),
            models.CheckConstraint(
                condition=~Q(level="MUNICIPAL") | Q(municipio__isnull=False),
                name="agency_municipal_has_municipio",
                violation_error_message=_("Una dependencia municipal debe indicar su municipio."),
            ),
            models.CheckConstraint(
                condition=Q(predecessor__isnull=True) | ~Q(predecessor=F("pk")),
                name="agency_not_own_predecessor",
                violation_error_message=_("Una dependencia no puede sucederse a sí misma."),
            ),
        ]

    def __str__(self) -> str:
        return self.acronym


class FundingSource(models.Model):
    """A CONAC funding-source code (2 digits) plus the fund or programme it carries."""

    code = models.CharField(_("clave"), max_length=40, unique=True, help_text=_("p. ej. FAIS-FISMDF"))
    conac_code = models.CharField(_("fuente de financiamiento CONAC"), max_length=2)
    name = models.CharField(_("nombre"), max_length=200)
    level = models.CharField(_("orden de gobierno"), max_length=10, choices=GovernmentLevel.choices)
    earmarked = models.BooleanField(_("etiquetado"), default=False)
    ramo = models.CharField(_("ramo"), max_length=4, blank=True)
    fund = models.CharField(_("fondo o programa"), max_length=120)
    is_fais = models.BooleanField(_("es FAIS"), default=False)

    class Meta:
        verbose_name = _("fuente de financiamiento")
        verbose_name_plural = _("fuentes de financiamiento")
        ordering = ["conac_code", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(conac_code__regex=r"^[12][1-7]$"),
                name="fundingsource_conac_code_format",
                violation_error_message=_(
                    "La clave CONAC de fuente de financiamiento tiene 2 dígitos (11–17 o 25–27)."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.conac_code})"


class Category(models.Model):
    """Rubro / tema / subtema tree, with the FAIS incidence and the carencia a category addresses."""

    class Level(models.TextChoices):
        RUBRO = "RUBRO", _("Rubro")
        TEMA = "TEMA", _("Tema")
        SUBTEMA = "SUBTEMA", _("Subtema")

    class FaisIncidence(models.TextChoices):
        DIRECTA = "DIRECTA", _("Directa")
        COMPLEMENTARIA = "COMPLEMENTARIA", _("Complementaria")
        ESPECIAL = "ESPECIAL", _("Proyecto especial")
        NO_APLICA = "NO_APLICA", _("No aplica")

    class Carencia(models.TextChoices):
        REZAGO_EDUCATIVO = "REZAGO_EDUCATIVO", _("Rezago educativo")
        SALUD = "SALUD", _("Acceso a servicios de salud")
        SEGURIDAD_SOCIAL = "SEGURIDAD_SOCIAL", _("Acceso a la seguridad social")
        CALIDAD_VIVIENDA = "CALIDAD_VIVIENDA", _("Calidad y espacios de la vivienda")
        SERVICIOS_BASICOS = "SERVICIOS_BASICOS", _("Servicios básicos en la vivienda")
        ALIMENTACION = "ALIMENTACION", _("Alimentación nutritiva y de calidad")
        NINGUNA = "NINGUNA", _("Ninguna")

    code = models.CharField(_("clave"), max_length=40, unique=True)
    name = models.CharField(_("nombre"), max_length=200)
    level = models.CharField(_("nivel"), max_length=8, choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    fais_incidence = models.CharField(
        _("incidencia FAIS"), max_length=16, choices=FaisIncidence.choices, default=FaisIncidence.NO_APLICA
    )
    carencia = models.CharField(
        _("carencia que atiende"), max_length=20, choices=Carencia.choices, default=Carencia.NINGUNA
    )
    conac_subfunction = models.CharField(_("subfunción CONAC"), max_length=8, blank=True)
    cog_partida = models.CharField(_("partida COG"), max_length=6, blank=True)
    unit = models.CharField(_("unidad de medida"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("categoría")
        verbose_name_plural = _("categorías")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(level="RUBRO") & Q(parent__isnull=True))
                | (~Q(level="RUBRO") & Q(parent__isnull=False)),
                name="category_tree_shape",
                violation_error_message=_("Un rubro no tiene padre; un tema o subtema sí."),
            ),
        ]

    def __str__(self) -> str:
        return self.name
