"""The state budget as published under the CONAC classifiers (shared/DOMAIN.md §4.3).

Per fiscal year, three kinds of file are loaded whole (`BudgetLoad`): the expenditure lines
(`ExpenseLine`, one per classification key and quarter, with the six moments as cumulative
positions at the end of the quarter, as the quarterly *estado analítico del ejercicio* reports
them), the income lines by the CRI (`IncomeLine`) and the federal transfers to each municipio
(`Transfer`). Codes are stored as written in the catalogues (budget/data/*.csv), names of the
state's own units (ramo, dependencia, programa) as the file gives them.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from priority_zones.models import Municipio


def money(label) -> models.DecimalField:
    """Pesos with centavos, up to 10^16: a state's yearly budget fits many times over."""
    return models.DecimalField(label, max_digits=18, decimal_places=2, default=0)


class Kind(models.TextChoices):
    EXPENSE = "egresos", _("Presupuesto de egresos")
    INCOME = "ingresos", _("Ingresos")
    TRANSFERS = "transferencias", _("Transferencias a municipios")


class BudgetLoad(models.Model):
    """One file loaded for a year and kind; a second file for the same pair replaces it only on request."""

    fiscal_year = models.PositiveSmallIntegerField(_("ejercicio fiscal"))
    kind = models.CharField(_("tipo"), max_length=16, choices=Kind.choices)
    source_name = models.CharField(_("archivo"), max_length=200)
    rows = models.PositiveIntegerField(_("filas"))
    total = money(_("total de control"))
    latest_quarter = models.PositiveSmallIntegerField(_("último trimestre"), null=True, blank=True)
    synthetic = models.BooleanField(_("sintético"), default=False)
    loaded_at = models.DateTimeField(auto_now=True)
    loaded_by = models.CharField(_("cargado por"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("carga de presupuesto")
        constraints = [models.UniqueConstraint(fields=["fiscal_year", "kind"], name="budget_load_year_kind")]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.kind}"


class ExpenseLine(models.Model):
    fiscal_year = models.PositiveSmallIntegerField(_("ejercicio fiscal"))
    quarter = models.PositiveSmallIntegerField(_("trimestre"))
    # Clasificación administrativa (the state's own keys)
    ramo = models.CharField(_("ramo"), max_length=10)
    ramo_name = models.CharField(_("nombre del ramo"), max_length=200)
    dependencia = models.CharField(_("dependencia"), max_length=20)
    dependencia_name = models.CharField(_("nombre de la dependencia"), max_length=200)
    # Clasificación funcional: finalidad.función.subfunción
    finalidad = models.CharField(_("finalidad"), max_length=1)
    funcion = models.CharField(_("función"), max_length=3)
    subfuncion = models.CharField(_("subfunción"), max_length=5)
    # Clasificador por objeto del gasto, harmonised down to the partida genérica
    capitulo = models.CharField(_("capítulo"), max_length=4)
    concepto = models.CharField(_("concepto"), max_length=4)
    partida = models.CharField(_("partida genérica"), max_length=4)
    tipo_gasto = models.CharField(_("tipo de gasto"), max_length=1)
    fuente = models.CharField(_("fuente de financiamiento"), max_length=2)
    programa = models.CharField(_("programa presupuestario"), max_length=20)
    programa_name = models.CharField(_("nombre del programa"), max_length=300)
    aprobado = money(_("aprobado"))
    modificado = money(_("modificado"))
    comprometido = money(_("comprometido"))
    devengado = money(_("devengado"))
    ejercido = money(_("ejercido"))
    pagado = money(_("pagado"))

    class Meta:
        verbose_name = _("línea de egresos")
        indexes = [
            models.Index(fields=["fiscal_year", "quarter"], name="budget_exp_year_q"),
            models.Index(fields=["fiscal_year", "programa"], name="budget_exp_year_prog"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="budget_expense_quarter"
            ),
            models.CheckConstraint(
                condition=Q(pagado__lte=F("ejercido"))
                & Q(ejercido__lte=F("devengado"))
                & Q(devengado__lte=F("comprometido"))
                & Q(comprometido__lte=F("modificado"))
                & Q(pagado__gte=0)
                & Q(aprobado__gte=0),
                name="budget_expense_moments_ordered",
                violation_error_message=_(
                    "Los momentos se contradicen: pagado ≤ ejercido ≤ devengado ≤ comprometido ≤ modificado."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} T{self.quarter} {self.programa} {self.partida}"


class ExpenseSummary(models.Model):
    """The expenditure lines summed by one classification (`dimension`) per year and quarter, written
    with the lines by budget.actions (the pages read these few thousand rows, not 200,000 lines).
    `parent` is the ramo of a dependencia; `code` is "" for the dimension "total"."""

    DIMENSIONS = (
        ("total", "", ""),
        ("finalidad", "finalidad", ""),
        ("funcion", "funcion", ""),
        ("subfuncion", "subfuncion", ""),
        ("capitulo", "capitulo", ""),
        ("concepto", "concepto", ""),
        ("partida", "partida", ""),
        ("programa", "programa", "programa_name"),
        ("dependencia", "dependencia", "dependencia_name"),
        ("fuente", "fuente", ""),
    )  # (dimension, the line's code field, the line's name field)

    fiscal_year = models.PositiveSmallIntegerField(_("ejercicio fiscal"))
    quarter = models.PositiveSmallIntegerField(_("trimestre"))
    dimension = models.CharField(_("clasificación"), max_length=12)
    code = models.CharField(_("clave"), max_length=20)
    parent = models.CharField(_("ramo"), max_length=10, blank=True)
    label = models.CharField(_("nombre"), max_length=300, blank=True)
    lines = models.PositiveIntegerField(_("líneas"))
    aprobado = money(_("aprobado"))
    modificado = money(_("modificado"))
    comprometido = money(_("comprometido"))
    devengado = money(_("devengado"))
    ejercido = money(_("ejercido"))
    pagado = money(_("pagado"))

    class Meta:
        verbose_name = _("resumen de egresos")
        indexes = [models.Index(fields=["fiscal_year", "quarter", "dimension"], name="budget_sum_year_q_dim")]

    def __str__(self) -> str:
        return f"{self.fiscal_year} T{self.quarter} {self.dimension} {self.code}"


class IncomeLine(models.Model):
    fiscal_year = models.PositiveSmallIntegerField(_("ejercicio fiscal"))
    rubro = models.CharField(_("rubro CRI"), max_length=1)
    tipo = models.CharField(_("tipo CRI"), max_length=2)
    concept = models.CharField(_("concepto"), max_length=300)
    estimado = money(_("estimado"))
    modificado = money(_("modificado"))
    devengado = money(_("devengado"))
    recaudado = money(_("recaudado"))

    class Meta:
        verbose_name = _("línea de ingresos")
        indexes = [models.Index(fields=["fiscal_year", "rubro"], name="budget_inc_year_rubro")]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.tipo}"


class Fund(models.TextChoices):
    FISMDF = "FAIS-FISMDF", _("FAIS municipal (FISMDF)")
    FORTAMUN = "FORTAMUN", _("FORTAMUN")
    PARTICIPACIONES = "PARTICIPACIONES", _("Participaciones (ramo 28)")


class Transfer(models.Model):
    fiscal_year = models.PositiveSmallIntegerField(_("ejercicio fiscal"))
    municipio = models.ForeignKey(Municipio, on_delete=models.PROTECT, related_name="+")
    fund = models.CharField(_("fondo"), max_length=16, choices=Fund.choices)
    amount = money(_("monto"))

    class Meta:
        verbose_name = _("transferencia a municipio")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "municipio", "fund"], name="budget_transfer_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_transfer_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.fund}"


class MunicipioOutline(models.Model):
    """A municipio's outline simplified for the budget maps, as an SVG path (ST_AsSVG: y is -lat).

    Derived from priority_zones.Municipio (budget.actions.do_refresh_outlines): simplifying the INEGI
    outlines takes about 100 ms, which every map page would otherwise spend on each request."""

    municipio = models.OneToOneField(Municipio, on_delete=models.CASCADE, related_name="+", primary_key=True)
    frame_version = models.CharField(max_length=16)
    svg = models.TextField()

    class Meta:
        verbose_name = _("contorno simplificado de municipio")

    def __str__(self) -> str:
        return str(self.municipio_id)
