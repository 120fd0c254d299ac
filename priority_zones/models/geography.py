"""INEGI geography: municipios, localidades and AGEBs of the Marco Geoestadístico.

Geometry is stored in EPSG:4326; areas are computed in EPSG:6372 (INEGI LCC) when needed.
INEGI keys (CVEGEO) are strings: leading zeros matter and urban AGEB keys may end in a letter.
"""

from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gis_core.constraints import valid_geom

FRAME_VERSION_HELP = _("Versión del Marco Geoestadístico de INEGI, p. ej. MG2025")


class Ambito(models.TextChoices):
    URBANO = "U", _("Urbano")
    RURAL = "R", _("Rural")


class MunicipioQuerySet(models.QuerySet):
    def containing(self, point):
        return self.filter(geom__intersects=point)


class Municipio(models.Model):
    cvegeo = models.CharField(_("CVEGEO"), max_length=5, unique=True)
    name = models.CharField(_("nombre"), max_length=120)
    population_2020 = models.PositiveIntegerField(_("población 2020"), null=True, blank=True)
    frame_version = models.CharField(_("marco geoestadístico"), max_length=16, help_text=FRAME_VERSION_HELP)
    geom = models.MultiPolygonField(_("geometría"), srid=4326)

    objects = MunicipioQuerySet.as_manager()

    class Meta:
        verbose_name = _("municipio")
        verbose_name_plural = _("municipios")
        ordering = ["cvegeo"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cvegeo__regex=r"^[0-9]{5}$"),
                name="municipio_cvegeo_format",
                violation_error_message=_("La CVEGEO de un municipio tiene 5 dígitos (entidad + municipio)."),
            ),
            valid_geom("geom", "municipio"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.cvegeo})"


class Localidad(models.Model):
    cvegeo = models.CharField(_("CVEGEO"), max_length=9, unique=True)
    municipio = models.ForeignKey(Municipio, on_delete=models.PROTECT, related_name="localidades")
    name = models.CharField(_("nombre"), max_length=160)
    ambito = models.CharField(_("ámbito"), max_length=1, choices=Ambito.choices)
    population_2020 = models.PositiveIntegerField(_("población 2020"), null=True, blank=True)
    frame_version = models.CharField(_("marco geoestadístico"), max_length=16, help_text=FRAME_VERSION_HELP)
    geom = models.MultiPolygonField(_("polígono"), srid=4326, null=True, blank=True)
    point = models.PointField(_("punto"), srid=4326, null=True, blank=True)

    class Meta:
        verbose_name = _("localidad")
        verbose_name_plural = _("localidades")
        ordering = ["cvegeo"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cvegeo__regex=r"^[0-9]{9}$"),
                name="localidad_cvegeo_format",
                violation_error_message=_("La CVEGEO de una localidad tiene 9 dígitos."),
            ),
            models.CheckConstraint(
                condition=Q(geom__isnull=False) | Q(point__isnull=False),
                name="localidad_has_location",
                violation_error_message=_("Una localidad necesita polígono o punto."),
            ),
            valid_geom("geom", "localidad"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.cvegeo})"


class Ageb(models.Model):
    cvegeo = models.CharField(_("CVEGEO"), max_length=13, unique=True)
    municipio = models.ForeignKey(Municipio, on_delete=models.PROTECT, related_name="agebs")
    localidad = models.ForeignKey(
        Localidad, on_delete=models.PROTECT, null=True, blank=True, related_name="agebs"
    )
    ambito = models.CharField(_("ámbito"), max_length=1, choices=Ambito.choices)
    population_2020 = models.PositiveIntegerField(_("población 2020"), null=True, blank=True)
    frame_version = models.CharField(_("marco geoestadístico"), max_length=16, help_text=FRAME_VERSION_HELP)
    geom = models.MultiPolygonField(_("geometría"), srid=4326)

    class Meta:
        verbose_name = _("AGEB")
        verbose_name_plural = _("AGEB")
        ordering = ["cvegeo"]
        constraints = [
            # Urban AGEB: ent+mun+loc+ageb (13; the last character may be a letter).
            # Rural AGEB: ent+mun+ageb (9), no localidad.
            models.CheckConstraint(
                condition=(Q(ambito="U") & Q(cvegeo__regex=r"^[0-9]{12}[0-9A-Z]$"))
                | (Q(ambito="R") & Q(cvegeo__regex=r"^[0-9]{8}[0-9A-Z]$")),
                name="ageb_cvegeo_format",
                violation_error_message=_(
                    "La CVEGEO de una AGEB urbana tiene 13 caracteres y la de una rural 9."
                ),
            ),
            valid_geom("geom", "ageb"),
        ]

    def __str__(self) -> str:
        return self.cvegeo


class MunicipalPoverty(models.Model):
    """Population in poverty of a municipio from the official measurement (CONEVAL until 2024, INEGI
    since 2025; shared/DOMAIN.md §2.3 `PPM_i`). Entered as data (admin) with its source: the FAIS
    ZAP-urbana minimum (PIZU) of a municipio cannot be evaluated without it."""

    municipio = models.ForeignKey(Municipio, on_delete=models.CASCADE, related_name="poverty")
    year = models.PositiveSmallIntegerField(_("año de la medición"))
    population_in_poverty = models.PositiveIntegerField(_("población en pobreza"))
    population_in_extreme_poverty = models.PositiveIntegerField(
        _("población en pobreza extrema"), null=True, blank=True
    )
    source = models.CharField(_("fuente"), max_length=300)

    class Meta:
        verbose_name = _("pobreza municipal")
        verbose_name_plural = _("pobreza municipal")
        ordering = ["municipio", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipio", "year"],
                name="municipalpoverty_unique_year",
                violation_error_message=_("Ya hay una medición de pobreza de ese municipio para ese año."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipio_id} {self.year}: {self.population_in_poverty}"
