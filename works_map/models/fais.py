"""The FAIS rules per fiscal year (shared/DOMAIN.md §2)."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gis_core.constraints import percentage


class FaisFund(models.TextChoices):
    """The two FAIS funds (LCF art. 33, shared/DOMAIN.md §2.1), as FundingSource.fund spells them."""

    FISMDF = "FAIS-FISMDF", _("FISMDF (municipal)")
    FISE = "FAIS-FISE", _("FISE (estatal)")


class ZapUrbanaMinimum(models.TextChoices):
    PIZU = "PIZU", _("PIZU = (población en ZAP urbanas / población en pobreza)² × 100, por municipio")
    FIXED = "FIXED", _("Porcentaje fijo (min_zap_pct)")
    NONE = "NONE", _("Sin mínimo en ZAP urbanas")


class FaisRuleQuerySet(models.QuerySet):
    def applicable(self, year: int, fund: str = FaisFund.FISMDF):
        """The newest rule of `fund` in force for `year` (rules are data: they change with the
        Lineamientos)."""
        return (
            self.filter(fund=fund, year_from__lte=year)
            .filter(Q(year_to__isnull=True) | Q(year_to__gte=year))
            .order_by("-year_from")
            .first()
        )


class FaisRule(models.Model):
    """The FAIS Lineamientos percentages in force for a range of fiscal years and one fund
    (shared/DOMAIN.md §2.3–2.4). A percentage left empty is not known for those years (not verified
    against the Lineamientos in force): its check is reported as not evaluable, never invented.
    Loaded from works_map/data/fais_rules.csv by migration 0012."""

    fund = models.CharField(_("fondo"), max_length=16, choices=FaisFund.choices, default=FaisFund.FISMDF)
    year_from = models.PositiveSmallIntegerField(_("desde el ejercicio"))
    year_to = models.PositiveSmallIntegerField(_("hasta el ejercicio"), null=True, blank=True)
    min_direct_pct = models.DecimalField(
        _("mínimo incidencia directa %"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    max_complementary_pct = models.DecimalField(
        _("máximo complementarios + especiales %"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    max_special_pct = models.DecimalField(
        _("máximo proyectos especiales %"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    max_roads_pct = models.DecimalField(
        _("máximo caminos, pavimentación, guarniciones y banquetas %"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
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
    zap_urbana_minimum = models.CharField(
        _("mínimo en ZAP urbanas"),
        max_length=8,
        choices=ZapUrbanaMinimum.choices,
        default=ZapUrbanaMinimum.NONE,
    )
    source = models.CharField(_("fuente"), max_length=300)
    verified = models.BooleanField(_("verificada"), default=False)

    objects = FaisRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("regla FAIS")
        verbose_name_plural = _("reglas FAIS")
        ordering = ["-year_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "year_from"],
                name="faisrule_unique_fund_year",
                violation_error_message=_("Ya hay una regla de ese fondo desde ese ejercicio."),
            ),
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
        return f"{self.get_fund_display()} {self.year_from}–{self.year_to or '…'}"
