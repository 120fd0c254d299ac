"""Child growth records (restricted, stricter than households), the centres layer, the screening
content staff edit, and the disclosure units behind every public growth figure.

Nothing about a child is public. Reads go through growth.access (one gate, every read logged with
its purpose); public figures come only from GrowthUnit through growth.disclosure.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from priority_zones.models import Household, Municipio, Person


class CentreQuerySet(models.QuerySet):
    def nearest(self, point, limit: int = 1):
        """Centres by true distance from `point` (KNN on the GiST index, then geodesic metres)."""
        from django.contrib.gis.db.models.functions import Distance

        return self.annotate(distance=Distance("location", point)).order_by("distance")[:limit]


class Centre(models.Model):
    """A health or child-development centre: public (a public service), shown as a map layer."""

    class Kind(models.TextChoices):
        SALUD = "SALUD", _("Centro de salud")
        DESARROLLO = "DESARROLLO", _("Centro de desarrollo infantil")

    name = models.CharField(_("nombre"), max_length=200)
    kind = models.CharField(_("tipo"), max_length=12, choices=Kind.choices)
    address = models.CharField(_("domicilio"), max_length=300, blank=True)
    phone = models.CharField(_("teléfono del centro"), max_length=40, blank=True)
    location = models.PointField(_("ubicación"), srid=4326)
    municipio = models.ForeignKey(
        Municipio, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    synthetic = models.BooleanField(_("sintético (demostración)"), default=False)

    objects = CentreQuerySet.as_manager()

    class Meta:
        verbose_name = _("centro de salud o desarrollo infantil")
        verbose_name_plural = _("centros de salud o desarrollo infantil")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} (sintético)" if self.synthetic else self.name


class Child(models.Model):
    """A child under five followed by health staff. Restricted: sensitive data of a minor."""

    class Sex(models.TextChoices):
        MUJER = "M", _("Niña")
        HOMBRE = "H", _("Niño")

    code = models.CharField(_("clave interna"), max_length=32, unique=True)
    sex = models.CharField(_("sexo"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("fecha de nacimiento"))
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    municipio = models.ForeignKey(Municipio, on_delete=models.PROTECT, related_name="+")
    # Where the child is counted: the household's dwelling, else the centre. Never published.
    location = models.PointField(_("ubicación (restringida)"), srid=4326)
    consent_at = models.DateTimeField(_("consentimiento de la persona cuidadora"))
    privacy_notice_version = models.CharField(_("versión del aviso de privacidad"), max_length=32)
    caregiver_relationship = models.CharField(_("parentesco de quien consiente"), max_length=40)
    retain_until = models.DateField(_("conservar hasta"))
    synthetic = models.BooleanField(_("sintético (demostración)"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("niña o niño")
        verbose_name_plural = _("niñas y niños")
        ordering = ["code"]
        permissions = [("view_child_data", _("Puede ver datos de crecimiento infantil (restringido)"))]
        indexes = [models.Index(fields=["retain_until"])]

    def __str__(self) -> str:
        return self.code


class Measurement(models.Model):
    class Position(models.TextChoices):
        RECUMBENT = "L", _("Acostado (longitud)")
        STANDING = "H", _("De pie (talla)")

    class Source(models.TextChoices):
        FORM = "FORM", _("Captura")
        IMPORT = "IMPORT", _("Importación")
        DEMO = "DEMO", _("Demostración")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField(_("fecha de medición"))
    age_days = models.PositiveSmallIntegerField(_("edad en días"))
    weight_kg = models.DecimalField(_("peso (kg)"), max_digits=5, decimal_places=2)
    height_cm = models.DecimalField(_("longitud o talla (cm)"), max_digits=5, decimal_places=1)
    position = models.CharField(_("cómo se midió"), max_length=1, choices=Position.choices)
    z_wfa = models.FloatField(_("z peso para la edad"), null=True)
    z_lhfa = models.FloatField(_("z longitud/talla para la edad"), null=True)
    z_wflh = models.FloatField(_("z peso para la longitud/talla"), null=True)
    z_bmi = models.FloatField(_("z IMC para la edad"), null=True)
    # Indicators whose z-score is implausible (WHO flags): kept, marked, never classified.
    flags = models.JSONField(_("valores atípicos"), default=list, blank=True)
    stunted = models.BooleanField(null=True)
    wasted = models.BooleanField(null=True)
    underweight = models.BooleanField(null=True)
    overweight = models.BooleanField(null=True)
    obese = models.BooleanField(null=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.FORM)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("medición")
        verbose_name_plural = _("mediciones")
        ordering = ["child", "measured_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "measured_on"],
                name="measurement_one_per_day",
                violation_error_message=_("Ya hay una medición de esta niña o niño en esa fecha."),
            ),
            models.CheckConstraint(
                condition=Q(weight_kg__gt=0) & Q(height_cm__gt=0) & Q(age_days__lte=1826),
                name="measurement_in_range",
                violation_error_message=_("Peso y talla positivos; edad hasta 5 años."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.measured_on}"


class Screening(models.Model):
    class Result(models.TextChoices):
        ON_TRACK = "ON_TRACK", _("Va bien")
        FOLLOW_UP = "FOLLOW_UP", _("Dar seguimiento")
        REFER = "REFER", _("Referir a un centro")

    class Respondent(models.TextChoices):
        CAREGIVER = "CAREGIVER", _("Persona cuidadora")
        STAFF = "STAFF", _("Personal de salud")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="screenings")
    answered_on = models.DateField(_("fecha"))
    questionnaire_version = models.CharField(_("versión del cuestionario"), max_length=32)
    band = models.CharField(_("grupo de edad"), max_length=32)
    answers = models.JSONField(_("respuestas"), default=dict)
    scores = models.JSONField(_("puntajes"), default=dict)
    result = models.CharField(_("resultado"), max_length=12, choices=Result.choices)
    respondent = models.CharField(_("quién respondió"), max_length=12, choices=Respondent.choices)
    centre = models.ForeignKey(Centre, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("tamizaje")
        verbose_name_plural = _("tamizajes")
        ordering = ["child", "-answered_on"]


class Referral(models.Model):
    class Status(models.TextChoices):
        OPEN = "OPEN", _("Pendiente")
        ATTENDED = "ATTENDED", _("Atendida")
        CLOSED = "CLOSED", _("Cerrada")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="referrals")
    screening = models.ForeignKey(
        Screening, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    measurement = models.ForeignKey(
        Measurement, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("motivo"), max_length=300)
    status = models.CharField(_("estado"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("referencia")
        verbose_name_plural = _("referencias")
        ordering = ["-created_at"]


class GuidanceText(models.Model):
    """Plain-language guidance shown with a screening result: content that staff edit."""

    result = models.CharField(_("resultado"), max_length=12, choices=Screening.Result.choices)
    band = models.CharField(_("grupo de edad (vacío: todos)"), max_length=32, blank=True)
    title = models.CharField(_("título"), max_length=200)
    body = models.TextField(_("texto"))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("texto de orientación")
        verbose_name_plural = _("textos de orientación")
        ordering = ["result", "band"]
        constraints = [
            models.UniqueConstraint(
                fields=["result", "band"],
                name="guidance_one_per_result_band",
                violation_error_message=_("Ya hay un texto para ese resultado y grupo de edad."),
            )
        ]

    def __str__(self) -> str:
        return self.title


class GrowthAccessLog(models.Model):
    """One read of child records: who, when, what and why. Append-only."""

    class Action(models.TextChoices):
        LIST = "LIST", _("Listado")
        DETAIL = "DETAIL", _("Detalle")
        EXPORT = "EXPORT", _("Exportación")
        WRITE = "WRITE", _("Captura")
        ERASE = "ERASE", _("Supresión")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("fecha y hora"), auto_now_add=True, db_index=True)
    action = models.CharField(_("acción"), max_length=8, choices=Action.choices)
    purpose = models.CharField(_("propósito"), max_length=300)
    child_ids = models.JSONField(_("niñas y niños leídos"), default=list, blank=True)
    query = models.CharField(_("consulta"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("registro de acceso a datos infantiles")
        verbose_name_plural = _("registros de acceso a datos infantiles")
        ordering = ["-at"]


class Erasure(models.Model):
    """That a child's records were deleted (on request or at the end of retention): no personal data."""

    class Reason(models.TextChoices):
        REQUEST = "REQUEST", _("Solicitud de la persona cuidadora (ARCO)")
        RETENTION = "RETENTION", _("Fin del plazo de conservación")

    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=10, choices=Reason.choices)
    measurements = models.PositiveIntegerField(default=0)
    screenings = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("supresión de datos")
        verbose_name_plural = _("supresiones de datos")


class GrowthUnit(models.Model):
    """Table kept by growth/sql/growth_units_incremental.sql (per 5 km square after each write, all at
    once by growth_refresh_units): children grouped in disclosure units of at least 10 children, the
    only source of public growth figures."""

    unit = models.CharField(max_length=40, primary_key=True)
    centre = models.PointField(srid=4326)
    children = models.IntegerField()
    known_lhfa = models.IntegerField()
    stunted = models.IntegerField()
    known_wflh = models.IntegerField()
    wasted = models.IntegerField()
    overweight = models.IntegerField()
    obese = models.IntegerField()
    known_wfa = models.IntegerField()
    underweight = models.IntegerField()
    screened = models.IntegerField()
    referred = models.IntegerField()

    class Meta:
        managed = False
        db_table = "growth_growthunit"
