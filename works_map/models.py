"""Public works and social actions (obras y acciones), who pays for them and how they progress."""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from priority_zones.models import Localidad, Municipio, non_negative, percentage, valid_geom


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


class WorkZone(models.Model):
    """A work's representative point lies in a zone (any status): kept exact by database triggers.

    works_map/sql/work_zone_membership.sql recomputes a work's rows when its point changes and a
    zone's rows when its geometry changes; deletes cascade in the database. The all-zones
    investment table aggregates through it instead of joining every point with every zone.
    """

    pk = models.CompositePrimaryKey("zone", "work")
    zone = models.ForeignKey("priority_zones.Zone", on_delete=models.DO_NOTHING, related_name="+")
    work = models.ForeignKey(Work, on_delete=models.DO_NOTHING, related_name="+")

    class Meta:
        verbose_name = _("obra en zona")
        verbose_name_plural = _("obras en zonas")
