"""Public works and social actions (obras y acciones), who pays for them and how they progress."""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from gis_core.constraints import non_negative, percentage, valid_geom
from priority_zones.models import Localidad, Municipio, Zone
from works_map.models.catalogues import Agency, Category, FundingSource


class WorkStatus(models.TextChoices):
    """The Mexican public-works lifecycle (Ley de Obra Pública de Guanajuato, shared/DOMAIN.md §4.1)."""

    PLANEACION = "PLANEACION", _("En planeación")
    PROGRAMADA = "PROGRAMADA", _("Programada")
    EN_CONTRATACION = "EN_CONTRATACION", _("En contratación")
    CONTRATADA = "CONTRATADA", _("Contratada")
    EN_EJECUCION = "EN_EJECUCION", _("En ejecución")
    SUSPENDIDA = "SUSPENDIDA", _("Suspendida")
    TERMINADA = "TERMINADA", _("Terminada")
    ENTREGADA = "ENTREGADA", _("Entregada")
    FINIQUITADA = "FINIQUITADA", _("Finiquitada")
    CERRADA = "CERRADA", _("Cerrada")
    CANCELADA = "CANCELADA", _("Cancelada")


# OC4IDS projectStatus codelist for each lifecycle status.
OC4IDS_STATUS: dict[str, str] = {
    WorkStatus.PLANEACION: "identification",
    WorkStatus.PROGRAMADA: "preparation",
    WorkStatus.EN_CONTRATACION: "preparation",
    WorkStatus.CONTRATADA: "implementation",
    WorkStatus.EN_EJECUCION: "implementation",
    WorkStatus.SUSPENDIDA: "implementation",
    WorkStatus.TERMINADA: "completion",
    WorkStatus.ENTREGADA: "completion",
    WorkStatus.FINIQUITADA: "completion",
    WorkStatus.CERRADA: "completion",
    WorkStatus.CANCELADA: "cancelled",
}


# The colour of each status wherever a work is drawn (map style, legends, charts, cards), colour-blind
# safe where it matters: planned in blues, under way in oranges, finished in greens, stopped in greys/red.
STATUS_COLOURS: dict[str, str] = {
    "PLANEACION": "#9ecae1",
    "PROGRAMADA": "#6baed6",
    "EN_CONTRATACION": "#4292c6",
    "CONTRATADA": "#2171b5",
    "EN_EJECUCION": "#fd8d3c",
    "SUSPENDIDA": "#969696",
    "TERMINADA": "#74c476",
    "ENTREGADA": "#41ab5d",
    "FINIQUITADA": "#238b45",
    "CERRADA": "#005a32",
    "CANCELADA": "#cb181d",
}


class WorkQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def in_bbox(self, bbox_polygon):
        # && on the representative point uses its GiST index.
        return self.filter(point__bboverlaps=bbox_polygon)

    def within(self, geometry):
        return self.filter(point__intersects=geometry)

    def for_year(self, year: int):
        return self.filter(fiscal_year=year)

    def funded_by_fais(self):
        return self.filter(funding__source__is_fais=True).distinct()

    def outside(self, areas):
        """Works whose representative point lies in none of `areas` (a queryset with a geom field)."""
        return self.exclude(Exists(areas.filter(geom__intersects=OuterRef("point"))))

    def nearest(self, point, radius_m: float, limit: int):
        """The `limit` works nearest to `point` within `radius_m` metres, annotated with `distance` (m).

        KNN first: the `limit` nearest by the index (`<->`, planar degrees) give an upper bound on the
        true distance of the k-th nearest; then only rows inside that bound (a degree circle, index
        assisted) get the exact geography distance and are sorted by it. Exact, and the expensive
        distance runs on about `limit` rows.
        """
        from django.contrib.gis.db.models import GeometryField
        from django.db.models import Value

        from gis_core.functions import GeogDistance, KnnDistance

        centre, latitude = point, point.y
        point = Value(centre, output_field=GeometryField(srid=4326))
        knn = (
            self.annotate(metres=GeogDistance("point", point))
            .order_by(KnnDistance("point", point))
            .values_list("metres", flat=True)[:limit]
        )
        distances = list(knn)
        bound = min(radius_m, max(distances)) if len(distances) == limit else radius_m
        # Metres per degree never fall below this in Guanajuato (cos of the northernmost latitude
        # plus a margin), so the degree circle contains the metre circle.
        metres_per_degree = 111_320 * math.cos(math.radians(min(abs(latitude) + 2, 89))) * 0.99
        return (
            self.filter(point__dwithin=(centre, bound / metres_per_degree))
            .annotate(distance=GeogDistance("point", point))
            .filter(distance__lte=bound)
            .order_by("distance", "pk")[:limit]
        )


class Work(models.Model):
    class Kind(models.TextChoices):
        OBRA = "OBRA", _("Obra")
        ACCION = "ACCION", _("Acción")

    class Modality(models.TextChoices):
        CONSTRUCCION = "CONSTRUCCION", _("Construcción")
        AMPLIACION = "AMPLIACION", _("Ampliación")
        REHABILITACION = "REHABILITACION", _("Rehabilitación")
        MANTENIMIENTO = "MANTENIMIENTO", _("Mantenimiento")
        EQUIPAMIENTO = "EQUIPAMIENTO", _("Equipamiento")
        MEJORAMIENTO = "MEJORAMIENTO", _("Mejoramiento")
        OTRA = "OTRA", _("Otra")

    class ExecutionMode(models.TextChoices):
        CONTRATO = "CONTRATO", _("Por contrato")
        ADMINISTRACION_DIRECTA = "ADMINISTRACION_DIRECTA", _("Por administración directa")

    class BeneficiaryUnit(models.TextChoices):
        PERSONAS = "PERSONAS", _("Personas")
        VIVIENDAS = "VIVIENDAS", _("Viviendas")
        HOGARES = "HOGARES", _("Hogares")

    folio = models.CharField(_("folio"), max_length=40)
    fiscal_year = models.PositiveSmallIntegerField(_("ejercicio fiscal"))
    kind = models.CharField(_("tipo"), max_length=6, choices=Kind.choices, default=Kind.OBRA)
    name = models.CharField(_("nombre"), max_length=300)
    description = models.TextField(_("descripción"), blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="works", verbose_name=_("categoría")
    )
    modality = models.CharField(
        _("modalidad"), max_length=16, choices=Modality.choices, default=Modality.CONSTRUCCION
    )
    execution_mode = models.CharField(
        _("modalidad de ejecución"),
        max_length=24,
        choices=ExecutionMode.choices,
        default=ExecutionMode.CONTRATO,
    )
    # Any geometry type: a point for a building, a line for a road, a polygon for a park.
    geom = models.GeometryField(_("geometría"), srid=4326)
    # Representative point (ST_PointOnSurface of geom), kept by a database trigger so bulk loads
    # and COPY get it too; used for clustering, distance and "which zone is it in".
    point = models.PointField(_("punto representativo"), srid=4326, editable=False, null=True)
    municipio = models.ForeignKey(Municipio, on_delete=models.PROTECT, related_name="works")
    localidad = models.ForeignKey(
        Localidad, on_delete=models.PROTECT, null=True, blank=True, related_name="works"
    )
    address = models.CharField(_("domicilio"), max_length=300, blank=True)
    status = models.CharField(
        _("estatus"), max_length=16, choices=WorkStatus.choices, default=WorkStatus.PLANEACION
    )
    amount_approved = models.DecimalField(_("monto aprobado"), max_digits=16, decimal_places=2, default=0)
    amount_modified = models.DecimalField(
        _("monto modificado"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    amount_exercised = models.DecimalField(_("monto ejercido"), max_digits=16, decimal_places=2, default=0)
    amount_paid = models.DecimalField(_("monto pagado"), max_digits=16, decimal_places=2, default=0)
    planned_start = models.DateField(_("inicio programado"), null=True, blank=True)
    planned_end = models.DateField(_("término programado"), null=True, blank=True)
    actual_start = models.DateField(_("inicio real"), null=True, blank=True)
    actual_end = models.DateField(_("término real"), null=True, blank=True)
    goal_quantity = models.DecimalField(
        _("meta física"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    goal_unit = models.CharField(_("unidad de la meta"), max_length=40, blank=True)
    beneficiaries = models.PositiveIntegerField(_("beneficiarios"), null=True, blank=True)
    beneficiaries_women = models.PositiveIntegerField(_("beneficiarias mujeres"), null=True, blank=True)
    beneficiaries_men = models.PositiveIntegerField(_("beneficiarios hombres"), null=True, blank=True)
    beneficiary_unit = models.CharField(
        _("unidad de beneficiarios"),
        max_length=10,
        choices=BeneficiaryUnit.choices,
        default=BeneficiaryUnit.PERSONAS,
    )
    # Latest *approved* progress, denormalised from ProgressReport by the actions for fast maps.
    physical_progress = models.DecimalField(_("avance físico %"), max_digits=5, decimal_places=2, default=0)
    financial_progress = models.DecimalField(
        _("avance financiero %"), max_digits=5, decimal_places=2, default=0
    )
    # The budget program and CONAC funding source (2 digits) that pay for the work: codes, not keys,
    # so the budget app (above this one) can list a program's works without this app knowing it.
    # db_default: the COPY writers (synthetic works, imports) name their columns and leave these out.
    budget_program = models.CharField(
        _("programa presupuestario"), max_length=20, blank=True, default="", db_default="", db_index=True
    )
    budget_source = models.CharField(
        _("fuente de financiamiento (CONAC)"), max_length=2, blank=True, default="", db_default=""
    )
    published = models.BooleanField(_("publicada"), default=True)
    synthetic = models.BooleanField(
        _("sintética"), default=False, help_text=_("Dato de demostración generado")
    )
    agencies = models.ManyToManyField(Agency, through="WorkAgency", related_name="works")  # type: ignore[var-annotated]
    funding_sources = models.ManyToManyField(  # type: ignore[var-annotated]
        FundingSource, through="WorkFunding", related_name="works"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkQuerySet.as_manager()

    class Meta:
        verbose_name = _("obra o acción")
        verbose_name_plural = _("obras y acciones")
        ordering = ["-fiscal_year", "folio"]
        constraints = [
            models.UniqueConstraint(
                fields=["folio", "fiscal_year"],
                name="work_unique_folio_year",
                violation_error_message=_("Ya existe una obra con ese folio en ese ejercicio fiscal."),
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=2000, fiscal_year__lte=2100),
                name="work_fiscal_year_range",
                violation_error_message=_("El ejercicio fiscal debe estar entre 2000 y 2100."),
            ),
            non_negative("amount_approved", "work"),
            non_negative("amount_modified", "work"),
            non_negative("amount_exercised", "work"),
            non_negative("amount_paid", "work"),
            percentage("physical_progress", "work"),
            percentage("financial_progress", "work"),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gte=F("planned_start")),
                name="work_planned_dates_ordered",
                violation_error_message=_("El término programado es anterior al inicio programado."),
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | Q(actual_start__isnull=True)
                | Q(actual_end__gte=F("actual_start")),
                name="work_actual_dates_ordered",
                violation_error_message=_("El término real es anterior al inicio real."),
            ),
            valid_geom("geom", "work"),
        ]
        indexes = [
            models.Index(fields=["fiscal_year", "status"]),
            models.Index(fields=["municipio", "fiscal_year"]),
            models.Index(fields=["category"]),
        ]

    def __str__(self) -> str:
        return f"{self.folio}/{self.fiscal_year} {self.name}"

    @property
    def oc4ids_status(self) -> str:
        return OC4IDS_STATUS[self.status]

    @property
    def current_amount(self):
        return self.amount_modified if self.amount_modified is not None else self.amount_approved


class WorkAgency(models.Model):
    class Role(models.TextChoices):
        EJECUTORA = "EJECUTORA", _("Ejecutora")
        SOLICITANTE = "SOLICITANTE", _("Solicitante")
        FINANCIADORA = "FINANCIADORA", _("Financiadora")
        NORMATIVA = "NORMATIVA", _("Normativa")

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="agency_roles")
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="work_roles", verbose_name=_("dependencia")
    )
    role = models.CharField(_("papel"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("dependencia de la obra")
        verbose_name_plural = _("dependencias de la obra")
        constraints = [
            models.UniqueConstraint(
                fields=["work", "agency", "role"],
                name="workagency_unique_role",
                violation_error_message=_("Esa dependencia ya tiene ese papel en la obra."),
            )
        ]
        indexes = [models.Index(fields=["agency", "role"])]

    def __str__(self) -> str:
        return f"{self.agency} ({self.get_role_display()})"


class WorkFunding(models.Model):
    """How much of a work each source pays (concurrent funding such as 50/50 state–municipal)."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="funding")
    source = models.ForeignKey(
        FundingSource, on_delete=models.PROTECT, related_name="funding", verbose_name=_("fuente")
    )
    amount_approved = models.DecimalField(_("aprobado"), max_digits=16, decimal_places=2, default=0)
    amount_modified = models.DecimalField(
        _("modificado"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    amount_exercised = models.DecimalField(_("ejercido"), max_digits=16, decimal_places=2, default=0)
    amount_paid = models.DecimalField(_("pagado"), max_digits=16, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("financiamiento")
        verbose_name_plural = _("financiamientos")
        constraints = [
            models.UniqueConstraint(
                fields=["work", "source"],
                name="workfunding_unique_source",
                violation_error_message=_("Esa fuente ya financia la obra; edite su monto."),
            ),
            non_negative("amount_approved", "workfunding"),
            non_negative("amount_modified", "workfunding"),
            non_negative("amount_exercised", "workfunding"),
            non_negative("amount_paid", "workfunding"),
        ]
        indexes = [models.Index(fields=["source"])]

    def __str__(self) -> str:
        return f"{self.source}: {self.amount_approved}"


class ProgressReport(models.Model):
    class State(models.TextChoices):
        PENDING = "PENDING", _("Por aprobar")
        APPROVED = "APPROVED", _("Aprobado")
        REJECTED = "REJECTED", _("Rechazado")

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="progress_reports")
    reported_on = models.DateField(_("fecha"))
    physical_pct = models.DecimalField(_("avance físico %"), max_digits=5, decimal_places=2)
    financial_pct = models.DecimalField(_("avance financiero %"), max_digits=5, decimal_places=2)
    note = models.TextField(_("nota"), blank=True)
    state = models.CharField(_("estado"), max_length=10, choices=State.choices, default=State.PENDING)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_reason = models.TextField(_("motivo de la revisión"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reporte de avance")
        verbose_name_plural = _("reportes de avance")
        ordering = ["work", "-reported_on"]
        constraints = [
            percentage("physical_pct", "progressreport"),
            percentage("financial_pct", "progressreport"),
            models.CheckConstraint(
                condition=~Q(state="REJECTED") | ~Q(review_reason=""),
                name="progressreport_rejection_has_reason",
                violation_error_message=_("Un rechazo necesita un motivo."),
            ),
        ]
        indexes = [models.Index(fields=["work", "state", "reported_on"])]

    def __str__(self) -> str:
        return f"{self.work_id} {self.reported_on}: {self.physical_pct}%"


class WorkZone(models.Model):
    """A work's representative point lies in a zone (any status): kept exact by database triggers.

    works_map/sql/work_zone_membership.sql recomputes a work's rows when its point changes and a
    zone's rows when its geometry changes; deletes cascade in the database. The all-zones
    investment table aggregates through it instead of joining every point with every zone.
    """

    pk = models.CompositePrimaryKey("zone", "work")
    zone = models.ForeignKey(Zone, on_delete=models.DO_NOTHING, related_name="+")
    work = models.ForeignKey(Work, on_delete=models.DO_NOTHING, related_name="+")

    class Meta:
        verbose_name = _("obra en zona")
        verbose_name_plural = _("obras en zonas")
