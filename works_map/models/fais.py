"""The FAIS rules per fiscal year (shared/DOMAIN.md §2)."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gis_core.constraints import percentage


class FaisRuleQuerySet(models.QuerySet):
    def applicable(self, year: int):
        """The newest rule in force for `year` (rules are data: they change with the Lineamientos)."""
        return (
            self.filter(year_from__lte=year)
            .filter(Q(year_to__isnull=True) | Q(year_to__gte=year))
            .order_by("-year_from")
            .first()
        )


class FaisRule(models.Model):
    """The FAIS Lineamientos percentages in force for a range of fiscal years (shared/DOMAIN.md §2.4)."""

    year_from = models.PositiveSmallIntegerField(_("desde el ejercicio"), unique=True)
    year_to = models.PositiveSmallIntegerField(_("hasta el ejercicio"), null=True, blank=True)
    min_direct_pct = models.DecimalField(_("mínimo incidencia directa %"), max_digits=5, decimal_places=2)
    max_complementary_pct = models.DecimalField(
        _("máximo complementarios + especiales %"), max_digits=5, decimal_places=2
    )
    max_special_pct = models.DecimalField(_("máximo proyectos especiales %"), max_digits=5, decimal_places=2)
    max_roads_pct = models.DecimalField(
        _("máximo caminos, pavimentación, guarniciones y banquetas %"), max_digits=5, decimal_places=2
    )
    road_category_prefixes = models.JSONField(
        _("claves de categoría de caminos y pavimentos"),
        default=list,
        help_text=_("Prefijos de Category.code que cuentan para el tope de caminos"),
    )
    min_zap_pct = models.DecimalField(
        _("mínimo en ZAP %"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Vacío cuando el mínimo depende de cada municipio (fórmula PIZU)"),
    )
    source = models.CharField(_("fuente"), max_length=300)
    verified = models.BooleanField(_("verificada"), default=False)

    objects = FaisRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("regla FAIS")
        verbose_name_plural = _("reglas FAIS")
        ordering = ["-year_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year_to__isnull=True) | Q(year_to__gte=F("year_from")),
                name="faisrule_years_ordered",
                violation_error_message=_("El último ejercicio de la regla es anterior al primero."),
            ),
            percentage("min_direct_pct", "faisrule"),
            percentage("max_complementary_pct", "faisrule"),
            percentage("max_special_pct", "faisrule"),
            percentage("max_roads_pct", "faisrule"),
            percentage("min_zap_pct", "faisrule"),
        ]

    def __str__(self) -> str:
        return f"FAIS {self.year_from}–{self.year_to or '…'}"
