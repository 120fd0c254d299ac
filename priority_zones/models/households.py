"""Household diagnostics (restricted), the log of every read of them, and the disclosure units that
are the only source of public household figures."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from priority_zones.models.geography import Ageb, Ambito, Localidad, Municipio

# --- Households (restricted) ------------------------------------------------------------------
# Nothing below is public. Access goes through priority_zones.access (one gate); public figures
# are aggregates with disclosure control (shared/DOMAIN.md §5).


class Household(models.Model):
    class Floor(models.TextChoices):
        TIERRA = "TIERRA", _("Tierra")
        CEMENTO = "CEMENTO", _("Cemento o firme")
        RECUBRIMIENTO = "RECUBRIMIENTO", _("Madera, mosaico u otro recubrimiento")

    class Roof(models.TextChoices):
        DESECHO = "DESECHO", _("Material de desecho")
        CARTON = "CARTON", _("Lámina de cartón")
        LAMINA = "LAMINA", _("Lámina metálica, asbesto, fibrocemento")
        PALMA = "PALMA", _("Palma o paja")
        TEJA = "TEJA", _("Madera o tejamanil / teja")
        LOSA = "LOSA", _("Losa de concreto o viguetas")

    class Wall(models.TextChoices):
        DESECHO = "DESECHO", _("Material de desecho")
        CARTON = "CARTON", _("Lámina de cartón")
        LAMINA = "LAMINA", _("Lámina metálica o de asbesto")
        CARRIZO = "CARRIZO", _("Carrizo, bambú o palma")
        EMBARRO = "EMBARRO", _("Embarro o bajareque")
        MADERA = "MADERA", _("Madera")
        ADOBE = "ADOBE", _("Adobe")
        TABIQUE = "TABIQUE", _("Tabique, ladrillo, block, piedra, cemento")

    class Water(models.TextChoices):
        DENTRO = "DENTRO", _("Entubada dentro de la vivienda")
        TERRENO = "TERRENO", _("Entubada fuera de la vivienda, dentro del terreno")
        OTRA_VIVIENDA = "OTRA_VIVIENDA", _("Acarreo de otra vivienda")
        LLAVE_PUBLICA = "LLAVE_PUBLICA", _("Llave pública o hidrante")
        PIPA = "PIPA", _("Pipa")
        POZO = "POZO", _("Pozo")
        RIO = "RIO", _("Río, arroyo o lago")
        LLUVIA = "LLUVIA", _("Captación de lluvia")

    class Drainage(models.TextChoices):
        RED_PUBLICA = "RED_PUBLICA", _("Red pública")
        FOSA = "FOSA", _("Fosa séptica o tanque")
        BARRANCA = "BARRANCA", _("Barranca o grieta")
        RIO = "RIO", _("Río, lago o mar")
        NINGUNO = "NINGUNO", _("No tiene drenaje")

    class Electricity(models.TextChoices):
        RED = "RED", _("Servicio público")
        PANEL = "PANEL", _("Panel solar")
        PLANTA = "PLANTA", _("Planta particular")
        NINGUNA = "NINGUNA", _("No tiene")

    class Fuel(models.TextChoices):
        GAS = "GAS", _("Gas")
        ELECTRICIDAD = "ELECTRICIDAD", _("Electricidad")
        LENA = "LENA", _("Leña")
        CARBON = "CARBON", _("Carbón")
        OTRO = "OTRO", _("Otro")

    folio = models.CharField(_("folio CUIS"), max_length=32, unique=True)
    instrument_version = models.CharField(_("versión del instrumento"), max_length=32, default="CUIS-2024")
    survey_date = models.DateField(_("fecha de levantamiento"))
    location = models.PointField(_("ubicación"), srid=4326)
    municipio = models.ForeignKey(Municipio, on_delete=models.PROTECT, related_name="+")
    localidad = models.ForeignKey(
        Localidad, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ageb = models.ForeignKey(Ageb, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    ambito = models.CharField(_("ámbito"), max_length=1, choices=Ambito.choices)
    consent = models.BooleanField(_("consentimiento informado"), default=False)
    privacy_notice_version = models.CharField(_("versión del aviso de privacidad"), max_length=32, blank=True)
    # Dwelling (vivienda). Null = not answered: a missing answer yields a missing carencia.
    floor = models.CharField(_("piso"), max_length=16, choices=Floor.choices, null=True, blank=True)
    roof = models.CharField(_("techo"), max_length=16, choices=Roof.choices, null=True, blank=True)
    wall = models.CharField(_("muros"), max_length=16, choices=Wall.choices, null=True, blank=True)
    rooms = models.PositiveSmallIntegerField(_("cuartos (total, cocina incluida)"), null=True, blank=True)
    bedrooms = models.PositiveSmallIntegerField(_("cuartos dormitorio"), null=True, blank=True)
    residents = models.PositiveSmallIntegerField(_("residentes"), null=True, blank=True)
    # Services
    water = models.CharField(_("fuente de agua"), max_length=16, choices=Water.choices, null=True, blank=True)
    drainage = models.CharField(_("drenaje"), max_length=16, choices=Drainage.choices, null=True, blank=True)
    electricity = models.CharField(
        _("electricidad"), max_length=16, choices=Electricity.choices, null=True, blank=True
    )
    cooking_fuel = models.CharField(
        _("combustible para cocinar"), max_length=16, choices=Fuel.choices, null=True, blank=True
    )
    has_chimney = models.BooleanField(_("tiene chimenea"), null=True, blank=True)
    # Food security: EMSA answers keyed "a1".."a6" (adults) and "m1".."m6" (minors), true/false;
    # food-group consumption days (0-7) keyed by group. Validated by the importer.
    food_security = models.JSONField(_("escala de seguridad alimentaria"), default=dict, blank=True)
    food_groups = models.JSONField(_("días de consumo por grupo de alimentos"), default=dict, blank=True)
    synthetic = models.BooleanField(_("sintético"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Kept by a statement-level trigger on Diagnostic inserts (priority_zones/sql/diagnostic.sql),
    # so aggregates join one row per household instead of searching for the newest version.
    latest_diagnostic = models.ForeignKey(
        "Diagnostic", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        verbose_name = _("hogar")
        verbose_name_plural = _("hogares")
        ordering = ["folio"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rooms__isnull=True) | Q(rooms__gte=1),
                name="household_rooms_positive",
                violation_error_message=_("Una vivienda tiene al menos un cuarto."),
            ),
            models.CheckConstraint(
                condition=Q(residents__isnull=True) | Q(residents__gte=1),
                name="household_residents_positive",
                violation_error_message=_("Un hogar tiene al menos un residente."),
            ),
        ]
        permissions = [("view_household_data", _("Puede ver datos de hogares (restringido)"))]

    def __str__(self) -> str:
        return self.folio


class Person(models.Model):
    class Relationship(models.TextChoices):
        JEFE = "JEFE", _("Jefa o jefe")
        CONYUGE = "CONYUGE", _("Cónyuge")
        HIJO = "HIJO", _("Hija o hijo")
        PADRE = "PADRE", _("Madre o padre")
        SUEGRO = "SUEGRO", _("Suegra o suegro")
        OTRO_PARIENTE = "OTRO_PARIENTE", _("Otro pariente")
        NO_PARIENTE = "NO_PARIENTE", _("Sin parentesco")
        TRABAJADOR_DOMESTICO = "TRABAJADOR_DOMESTICO", _("Trabajador(a) doméstico(a)")
        HUESPED = "HUESPED", _("Huésped")

    class Sex(models.TextChoices):
        MUJER = "M", _("Mujer")
        HOMBRE = "H", _("Hombre")

    class Education(models.TextChoices):
        NINGUNO = "NINGUNO", _("Ninguno")
        PREESCOLAR = "PREESCOLAR", _("Preescolar")
        PRIMARIA = "PRIMARIA", _("Primaria")
        SECUNDARIA = "SECUNDARIA", _("Secundaria")
        MEDIA_SUPERIOR = "MEDIA_SUPERIOR", _("Preparatoria o bachillerato")
        SUPERIOR = "SUPERIOR", _("Licenciatura o más")

    class JobType(models.TextChoices):
        SUBORDINADO = "SUBORDINADO", _("Subordinado")
        INDEPENDIENTE = "INDEPENDIENTE", _("Independiente")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="persons")
    number = models.PositiveSmallIntegerField(_("renglón"))
    relationship = models.CharField(_("parentesco"), max_length=24, choices=Relationship.choices)
    sex = models.CharField(_("sexo"), max_length=1, choices=Sex.choices)
    age = models.PositiveSmallIntegerField(_("edad"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("año de nacimiento"), null=True, blank=True)
    education_level = models.CharField(
        _("último nivel aprobado"), max_length=16, choices=Education.choices, null=True, blank=True
    )
    education_completed = models.BooleanField(_("nivel terminado"), null=True, blank=True)
    attends_school = models.BooleanField(_("asiste a la escuela"), null=True, blank=True)
    # Health institutions the person reports being affiliated to: e.g. ["IMSS", "IMSS_BIENESTAR"].
    # [] = answered "none"; null = not answered (gives a missing carencia).
    health_affiliations = models.JSONField(_("afiliaciones de salud"), default=list, blank=True, null=True)
    # Covered through a relative outside the household, the death of the insured, or an own contract
    # (CONEVAL's "otros núcleos familiares / contratación propia", s_salud).
    health_other_route = models.BooleanField(
        _("afiliación por otro núcleo familiar o contratación propia"), null=True, blank=True
    )
    works = models.BooleanField(_("trabaja"), null=True, blank=True)
    job_type = models.CharField(_("posición"), max_length=16, choices=JobType.choices, null=True, blank=True)
    has_medical_benefit = models.BooleanField(_("servicio médico como prestación"), null=True, blank=True)
    has_sick_leave = models.BooleanField(_("incapacidad con goce de sueldo"), null=True, blank=True)
    has_retirement_savings = models.BooleanField(_("SAR o Afore"), null=True, blank=True)
    is_pensioner = models.BooleanField(_("jubilado o pensionado"), null=True, blank=True)
    elder_programme_amount = models.DecimalField(
        _("monto mensual de programa para adultos mayores"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
    )
    monthly_income = models.DecimalField(
        _("ingreso corriente mensual"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    has_disability = models.BooleanField(_("tiene discapacidad"), null=True, blank=True)
    speaks_indigenous_language = models.BooleanField(_("habla lengua indígena"), null=True, blank=True)

    class Meta:
        verbose_name = _("persona")
        verbose_name_plural = _("personas")
        ordering = ["household", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "number"],
                name="person_unique_number",
                violation_error_message=_("El renglón de la persona ya existe en ese hogar."),
            ),
            models.CheckConstraint(
                condition=Q(age__isnull=True) | Q(age__lte=120),
                name="person_age_range",
                violation_error_message=_("La edad debe estar entre 0 y 120 años."),
            ),
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True) | Q(birth_year__gte=1900, birth_year__lte=2100),
                name="person_birth_year_range",
                violation_error_message=_("El año de nacimiento debe estar entre 1900 y 2100."),
            ),
            models.CheckConstraint(
                condition=Q(monthly_income__isnull=True) | Q(monthly_income__gte=0),
                name="person_income_non_negative",
                violation_error_message=_("El ingreso no puede ser negativo."),
            ),
            models.CheckConstraint(
                condition=Q(elder_programme_amount__isnull=True) | Q(elder_programme_amount__gte=0),
                name="person_elder_amount_non_negative",
                violation_error_message=_("El monto del programa no puede ser negativo."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id}/{self.number}"


class PovertyLine(models.Model):
    """Monthly per-capita income lines (LPEI: food basket; LPI: food + non-food)."""

    reference_date = models.DateField(_("mes de referencia"))
    ambito = models.CharField(_("ámbito"), max_length=1, choices=Ambito.choices)
    extreme = models.DecimalField(_("LPEI (pobreza extrema por ingresos)"), max_digits=10, decimal_places=2)
    poverty = models.DecimalField(_("LPI (pobreza por ingresos)"), max_digits=10, decimal_places=2)
    source = models.CharField(_("fuente"), max_length=300)

    class Meta:
        verbose_name = _("línea de pobreza")
        verbose_name_plural = _("líneas de pobreza")
        ordering = ["-reference_date", "ambito"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference_date", "ambito"],
                name="povertyline_unique_date_ambito",
                violation_error_message=_("Ya existe una línea de pobreza para esa fecha y ámbito."),
            ),
            models.CheckConstraint(
                condition=Q(extreme__gt=0) & Q(poverty__gte=models.F("extreme")),
                name="povertyline_ordered",
                violation_error_message=_("La LPI debe ser mayor o igual que la LPEI, y ambas positivas."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference_date:%Y-%m} {self.get_ambito_display()}"


class Diagnostic(models.Model):
    """One immutable computation of the six carencias and poverty class for a household."""

    class PovertyClass(models.TextChoices):
        POBREZA_EXTREMA = "POBREZA_EXTREMA", _("Pobreza extrema")
        POBREZA_MODERADA = "POBREZA_MODERADA", _("Pobreza moderada")
        VULNERABLE_CARENCIAS = "VULNERABLE_CARENCIAS", _("Vulnerable por carencias sociales")
        VULNERABLE_INGRESOS = "VULNERABLE_INGRESOS", _("Vulnerable por ingresos")
        NO_POBRE = "NO_POBRE", _("No pobre y no vulnerable")
        INDETERMINADO = "INDETERMINADO", _("Indeterminado (faltan datos)")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="diagnostics")
    version = models.PositiveIntegerField(_("versión"), default=1)
    methodology_version = models.CharField(_("metodología"), max_length=32)
    poverty_line = models.ForeignKey(PovertyLine, on_delete=models.PROTECT, null=True, blank=True)
    computed_at = models.DateTimeField(auto_now_add=True)
    # Each carencia is null when an input it needs is missing (never silently 0).
    rezago_educativo = models.BooleanField(null=True)
    acceso_salud = models.BooleanField(null=True)
    seguridad_social = models.BooleanField(null=True)
    calidad_vivienda = models.BooleanField(null=True)
    servicios_basicos = models.BooleanField(null=True)
    alimentacion = models.BooleanField(null=True)
    carencias_count = models.PositiveSmallIntegerField(_("número de carencias"), null=True)
    income_per_capita = models.DecimalField(
        _("ingreso corriente per cápita"), max_digits=12, decimal_places=2, null=True
    )
    income_estimated = models.BooleanField(_("ingreso estimado"), default=False)
    income_method = models.CharField(_("método de ingreso"), max_length=40, blank=True)
    poverty_class = models.CharField(_("clase"), max_length=24, choices=PovertyClass.choices)
    # Person-level carencias (rezago, salud, seguridad social) by renglón: {"1": [true, false, null]}.
    person_results = models.JSONField(_("carencias por persona"), default=dict, blank=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("diagnóstico")
        verbose_name_plural = _("diagnósticos")
        ordering = ["household", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "version"],
                name="diagnostic_unique_version",
                violation_error_message=_("Ya existe esa versión del diagnóstico para el hogar."),
            ),
            models.CheckConstraint(
                condition=Q(carencias_count__isnull=True) | Q(carencias_count__lte=6),
                name="diagnostic_carencias_range",
                violation_error_message=_("El número de carencias va de 0 a 6."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} v{self.version}"


class AccessLog(models.Model):
    """One read of household-level data: who, when, what and why. Append-only."""

    class Action(models.TextChoices):
        LIST = "LIST", _("Listado")
        DETAIL = "DETAIL", _("Detalle")
        EXPORT = "EXPORT", _("Exportación")
        COMMAND = "COMMAND", _("Comando")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("fecha y hora"), auto_now_add=True, db_index=True)
    action = models.CharField(_("acción"), max_length=8, choices=Action.choices)
    purpose = models.CharField(_("propósito"), max_length=300)
    object_ids = models.JSONField(_("hogares leídos"), default=list, blank=True)
    query = models.CharField(_("consulta"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("registro de acceso")
        verbose_name_plural = _("registros de acceso")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action}"


class DisclosureUnit(models.Model):
    """A materialized view (priority_zones/sql/disclosure_units.sql): households grouped into
    disclosure units of at least 10 households, the only source of public household figures."""

    unit = models.CharField(max_length=40, primary_key=True)
    centre = models.PointField(srid=4326)
    households = models.IntegerField()
    rezago_educativo = models.IntegerField()
    acceso_salud = models.IntegerField()
    seguridad_social = models.IntegerField()
    calidad_vivienda = models.IntegerField()
    servicios_basicos = models.IntegerField()
    alimentacion = models.IntegerField()
    known_rezago_educativo = models.IntegerField()
    known_acceso_salud = models.IntegerField()
    known_seguridad_social = models.IntegerField()
    known_calidad_vivienda = models.IntegerField()
    known_servicios_basicos = models.IntegerField()
    known_alimentacion = models.IntegerField()
    pobreza_extrema = models.IntegerField()
    pobreza_moderada = models.IntegerField()
    vulnerable_carencias = models.IntegerField()
    vulnerable_ingresos = models.IntegerField()
    no_pobre = models.IntegerField()
    indeterminado = models.IntegerField()

    class Meta:
        managed = False
        db_table = "priority_zones_disclosureunit"
