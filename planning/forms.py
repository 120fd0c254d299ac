"""Forms of the planner's workspace. They validate input only; the views hand cleaned data to actions."""

from __future__ import annotations

import re
import secrets
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.gis.gdal.error import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from budget import catalogues as budget_catalogues
from gis_core.geometry import MAX_ZONE_VERTICES, parse_polygon, validate_geometry
from planning.import_rows import BUDGET_TARGETS
from planning.shapes import place_of
from priority_zones.models import SourceDocument, Zone
from works_map.actions import FUNDING_AMOUNTS
from works_map.models import Agency, FaisFund, Work, WorkAgency, WorkFunding

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 6
# Magic numbers of the accepted image types: the browser's declared type and the name are not trusted.
PHOTO_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


class GeometryField(forms.CharField):
    """GeoJSON geometry or WKT/EWKT text; GeoJSON and plain WKT are taken as EPSG:4326."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            geom = GEOSGeometry(value)
        except (GEOSException, GDALException, ValueError, TypeError):
            raise ValidationError(_("La geometría no es GeoJSON ni WKT válido."), code="invalid") from None
        if geom.srid is None:
            geom.srid = 4326
        return geom


class PolygonField(forms.CharField):
    """A zone outline as GeoJSON or WKT/EWKT text, read by gis_core's one polygon parser."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_polygon(value, "geom", max_vertices=MAX_ZONE_VERTICES, allow_wkt=True)
        except ValidationError as error:
            # A field error is a list of messages; the parser's errors are keyed by parameter.
            raise ValidationError(error.messages, code="invalid") from None


class WorkForm(forms.ModelForm):
    """Every field of a work's register. The municipio and localidad are not asked: they are read from
    the geometry (where its representative point lies), as the scope check reads them. The choices and
    amounts that have a default may be left out of a POST (an import script, an older client): the
    stored value, or the default for a new work, is kept."""

    geom = GeometryField(
        label=_("Geometría (GeoJSON o WKT)"),
        help_text=_("Un punto, una línea o un polígono en longitud y latitud (EPSG:4326)."),
    )
    executing_agency = forms.ModelChoiceField(
        label=_("Dependencia ejecutora"), queryset=Agency.objects.order_by("acronym"), required=False
    )
    progress_on = forms.DateField(
        label=_("Fecha del avance"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Si registra un avance, se guarda como reporte; lo aprueba un supervisor."),
    )
    progress_physical = forms.DecimalField(
        label=_("Avance físico (%)"), required=False, min_value=Decimal(0), max_value=Decimal(100)
    )
    progress_financial = forms.DecimalField(
        label=_("Avance financiero (%)"), required=False, min_value=Decimal(0), max_value=Decimal(100)
    )

    # Left out of a POST: kept as stored (or the model's default for a new work).
    KEPT_WHEN_MISSING = (
        "kind",
        "modality",
        "execution_mode",
        "beneficiary_unit",
        "amount_exercised",
        "amount_paid",
        "budget_program",
        "budget_source",
    )
    LABELS = {
        "folio": _("Folio"),
        "fiscal_year": _("Ejercicio fiscal"),
        "name": _("Nombre"),
        "description": _("Descripción"),
        "kind": _("Tipo"),
        "category": _("Categoría"),
        "status": _("Estatus"),
        "modality": _("Modalidad"),
        "execution_mode": _("Modalidad de ejecución"),
        "amount_approved": _("Monto aprobado ($)"),
        "amount_modified": _("Monto modificado ($)"),
        "amount_exercised": _("Monto ejercido ($)"),
        "amount_paid": _("Monto pagado ($)"),
        "budget_program": _("Programa presupuestario (clave)"),
        "budget_source": _("Fuente de financiamiento CONAC (2 dígitos)"),
        "planned_start": _("Inicio programado"),
        "planned_end": _("Término programado"),
        "actual_start": _("Inicio real"),
        "actual_end": _("Término real"),
        "goal_quantity": _("Meta física"),
        "goal_unit": _("Unidad de la meta"),
        "beneficiaries": _("Beneficiarios (total)"),
        "beneficiaries_women": _("Mujeres"),
        "beneficiaries_men": _("Hombres"),
        "beneficiary_unit": _("Se cuentan en"),
        "address": _("Domicilio"),
        "published": _("Publicada en el sitio público"),
    }
    # The fieldsets of the page, in order (the template walks them).
    GROUPS = (
        (_("Identificación"), ("folio", "fiscal_year", "name", "description", "kind", "category")),
        (_("Ejecución"), ("status", "modality", "execution_mode", "executing_agency")),
        (
            _("Montos"),
            (
                "amount_approved",
                "amount_modified",
                "amount_exercised",
                "amount_paid",
                "budget_program",
                "budget_source",
            ),
        ),
        (_("Fechas"), ("planned_start", "planned_end", "actual_start", "actual_end")),
        (
            _("Meta y beneficiarios"),
            (
                "goal_quantity",
                "goal_unit",
                "beneficiaries",
                "beneficiaries_women",
                "beneficiaries_men",
                "beneficiary_unit",
            ),
        ),
        (_("Avance físico y financiero"), ("progress_on", "progress_physical", "progress_financial")),
        (_("Publicación"), ("published",)),
    )
    EXTRA_FIELDS = ("geom", "executing_agency", "progress_on", "progress_physical", "progress_financial")

    class Meta:
        model = Work
        fields = [
            "folio",
            "fiscal_year",
            "name",
            "description",
            "kind",
            "category",
            "status",
            "modality",
            "execution_mode",
            "amount_approved",
            "amount_modified",
            "amount_exercised",
            "amount_paid",
            "budget_program",
            "budget_source",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "goal_quantity",
            "goal_unit",
            "beneficiaries",
            "beneficiaries_women",
            "beneficiaries_men",
            "beneficiary_unit",
            "address",
            "published",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            **{
                name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
                for name in ("planned_start", "planned_end", "actual_start", "actual_end")
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in self.LABELS.items():
            self.fields[name].label = label
        for name in self.KEPT_WHEN_MISSING:
            self.fields[name].required = False
        self.fields["category"].queryset = self.fields["category"].queryset.order_by("code")
        for name in (
            "amount_approved",
            "amount_modified",
            "amount_exercised",
            "amount_paid",
            "goal_quantity",
        ):
            # The database refuses negatives too; here the refusal stands next to the field.
            self.fields[name].validators.append(MinValueValidator(0))
            self.fields[name].widget.attrs.update(min="0", step="0.01")
        self.place: tuple = (None, None)
        if self.instance.pk is not None:
            executing = self.instance.agency_roles.filter(role=WorkAgency.Role.EJECUTORA).first()
            if executing is not None:
                self.initial.setdefault("executing_agency", executing.agency_id)

    def _kept(self, name: str):
        value = self.cleaned_data.get(name)
        if value in (None, ""):
            return getattr(self.instance, name)  # the stored value, or the model's default when new
        return value

    def clean_kind(self):
        return self._kept("kind")

    def clean_modality(self):
        return self._kept("modality")

    def clean_execution_mode(self):
        return self._kept("execution_mode")

    def clean_beneficiary_unit(self):
        return self._kept("beneficiary_unit")

    def clean_amount_exercised(self):
        return self._kept("amount_exercised")

    def clean_amount_paid(self):
        return self._kept("amount_paid")

    def _budget_code(self, name: str) -> str:
        # Left out of the POST: kept; sent blank: cleared (a work may stop pointing at a program).
        if self.add_prefix(name) not in self.data:
            return getattr(self.instance, name) or ""
        return (self.cleaned_data.get(name) or "").strip()

    def clean_budget_program(self):
        return self._budget_code("budget_program")

    def clean_budget_source(self):
        value = self._budget_code("budget_source")
        if value and (len(value) != 2 or value not in budget_catalogues.fuentes()):
            raise ValidationError(_("No es una fuente de financiamiento CONAC de 2 dígitos (p. ej. 25)."))
        return value

    def clean_geom(self):
        geom = self.cleaned_data["geom"]
        try:
            return validate_geometry(geom)
        except ValidationError as error:
            raise ValidationError(error.messages, code="invalid") from None

    def clean(self):
        cleaned = super().clean()
        geom = cleaned.get("geom")
        if geom is not None:
            municipio, localidad = place_of(geom)
            if municipio is None:
                self.add_error("geom", _("La geometría no cae en ningún municipio de Guanajuato cargado."))
            self.place = (municipio, localidad)
        women, men, total = (
            cleaned.get(n) for n in ("beneficiaries_women", "beneficiaries_men", "beneficiaries")
        )
        if total is not None and (women or 0) + (men or 0) > total:
            self.add_error("beneficiaries", _("Mujeres más hombres no pueden sumar más que el total."))
        physical, financial = cleaned.get("progress_physical"), cleaned.get("progress_financial")
        if (physical is None) != (financial is None):
            missing = "progress_financial" if financial is None else "progress_physical"
            self.add_error(missing, _("Un avance lleva el porcentaje físico y el financiero."))
        elif physical is not None and cleaned.get("progress_on") is None and "progress_on" not in self.errors:
            cleaned["progress_on"] = date.today()
        if cleaned.get("progress_on") and cleaned["progress_on"] > date.today():
            self.add_error("progress_on", _("La fecha del avance no puede estar en el futuro."))
        return cleaned

    def work_fields(self) -> dict:
        """The cleaned values the work actions take: the model's fields, with the snapped place."""
        fields = {name: value for name, value in self.cleaned_data.items() if name not in self.EXTRA_FIELDS}
        fields["geom"] = self.cleaned_data["geom"]
        fields["municipio"], fields["localidad"] = self.place
        return fields

    def progress(self) -> dict | None:
        """A progress report to record with the save, if one was filled in."""
        data = self.cleaned_data
        if data.get("progress_physical") is None:
            return None
        return {
            "reported_on": data["progress_on"],
            "physical_pct": data["progress_physical"],
            "financial_pct": data["progress_financial"],
        }

    def groups(self):
        """(legend, bound fields) per fieldset, for the template."""
        return [(legend, [self[name] for name in names]) for legend, names in self.GROUPS]


class _ReplacedRowsFormSet(forms.BaseInlineFormSet):
    """Rows the action replaces as a whole: it checks repeats (and names them), so the formset's
    generic duplicate check is skipped (works_map.formsets reads the rows the action gets)."""

    def validate_unique(self) -> None:
        return None


class _FundingRowForm(forms.ModelForm):
    """A blank amount means 0, and a new row starts blank (not at the model's default 0), so that an
    unused extra row is left out rather than refused for having no source."""

    ZERO_WHEN_BLANK = ("amount_approved", "amount_exercised", "amount_paid")  # amount_modified: null

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.ZERO_WHEN_BLANK:
            self.fields[name].required = False
            if self.instance.pk is None:
                self.fields[name].initial = None
                self.initial.pop(name, None)

    def clean(self):
        cleaned = super().clean()
        for name in self.ZERO_WHEN_BLANK:
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = Decimal(0)
        return cleaned


WorkFundingFormSet = forms.inlineformset_factory(
    Work,
    WorkFunding,
    form=_FundingRowForm,
    formset=_ReplacedRowsFormSet,
    fields=["source", *FUNDING_AMOUNTS],
    extra=2,
    can_delete=True,
)


WorkAgencyFormSet: type[forms.BaseInlineFormSet] = forms.inlineformset_factory(
    Work,
    WorkAgency,
    formset=_ReplacedRowsFormSet,
    fields=["agency", "role"],
    extra=2,
    can_delete=True,
)


UNIT_KEY = {
    "municipios": re.compile(r"^[0-9]{5}$"),
    "agebs": re.compile(r"^[0-9]{8}[0-9A-Z]$|^[0-9]{12}[0-9A-Z]$"),
}
MAX_ZONE_UNITS = 500


class ZoneForm(forms.ModelForm):
    """A drawn zone or zona impulso: its outline drawn (GeoJSON/WKT) or built from INEGI municipios or
    AGEBs picked by key, whose union the zone action computes in PostGIS."""

    # Zones are stored as MultiPolygons; the field returns one (a drawn Polygon is one part).
    geom = PolygonField(
        label=_("Geometría (GeoJSON o WKT)"),
        required=False,
        help_text=_("Un polígono en longitud y latitud; se ignora si elige municipios o AGEB."),
    )
    # Official ZAP come from the DOF import, never from a drawing.
    kind = forms.ChoiceField(
        label=_("Tipo"),
        choices=[
            (Zone.Kind.DRAWN, Zone.Kind.DRAWN.label),
            (Zone.Kind.ZONA_IMPULSO, Zone.Kind.ZONA_IMPULSO.label),
        ],
    )
    unit_level = forms.ChoiceField(
        label=_("Unidades"),
        choices=[("municipios", _("Municipios")), ("agebs", _("AGEB"))],
        initial="municipios",
        required=False,
        widget=forms.RadioSelect,
    )
    units = forms.CharField(
        label=_("Claves CVEGEO de las unidades"),
        required=False,
        max_length=MAX_ZONE_UNITS * 14,
        help_text=_("Separadas por comas, p. ej. 11020, 11037. La zona será la unión de esas unidades."),
    )
    LABELS = {
        "name": _("Nombre"),
        "fiscal_year": _("Ejercicio fiscal"),
        "status": _("Estado"),
        "municipio": _("Municipio (opcional)"),
    }

    class Meta:
        model = Zone
        fields = ["name", "kind", "fiscal_year", "status", "municipio"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in self.LABELS.items():
            self.fields[name].label = label

    def clean(self):
        cleaned = super().clean()
        level = cleaned.get("unit_level") or "municipios"
        keys = [k.strip().upper() for k in re.split(r"[\s,;]+", cleaned.get("units") or "") if k.strip()]
        keys = list(dict.fromkeys(keys))
        bad = [k for k in keys if not UNIT_KEY[level].match(k)]
        if bad:
            self.add_error(
                "units", _("Claves que no son de %(l)s: %(k)s.") % {"l": level, "k": ", ".join(bad)}
            )
        elif len(keys) > MAX_ZONE_UNITS:
            self.add_error("units", _("A lo más %(n)s unidades.") % {"n": MAX_ZONE_UNITS})
        cleaned["unit_keys"] = keys
        if (
            not keys
            and cleaned.get("geom") is None
            and "geom" not in self.errors
            and "units" not in self.errors
        ):
            self.add_error("geom", _("Trace un polígono o elija municipios o AGEB en el mapa."))
        return cleaned

    def zone_fields(self) -> dict:
        """The cleaned values the zone actions take: a drawn `geom`, or `units` to unite."""
        data = self.cleaned_data
        fields = {name: data[name] for name in self.Meta.fields}
        if data["unit_keys"]:
            fields["units"] = (data.get("unit_level") or "municipios", data["unit_keys"])
        else:
            fields["geom"] = data["geom"]
        return fields


MAX_BULK_WORKS = 500


class BulkPublishForm(forms.Form):
    """The works marked in the workspace list and what to do with them."""

    ids = forms.TypedMultipleChoiceField(coerce=int, label=_("obras"), choices=())
    published = forms.ChoiceField(label=_("acción"), choices=[("1", _("Publicar")), ("0", _("Despublicar"))])
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any number the POST names is a choice; the view reads the works through the gate.
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        self.fields["ids"].choices = [(v, v) for v in raw if str(v).isdigit()]
        self.fields["ids"].error_messages["required"] = _("Marque al menos una obra.")

    def clean_ids(self) -> list[int]:
        ids = self.cleaned_data["ids"]
        if len(ids) > MAX_BULK_WORKS:
            raise ValidationError(_("A lo más %(n)s obras a la vez.") % {"n": MAX_BULK_WORKS})
        return ids


class ProgressForm(forms.Form):
    reported_on = forms.DateField(
        label=_("fecha"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    physical_pct = forms.DecimalField(
        label=_("avance físico %"), min_value=Decimal(0), max_value=Decimal(100)
    )
    financial_pct = forms.DecimalField(
        label=_("avance financiero %"), min_value=Decimal(0), max_value=Decimal(100)
    )
    note = forms.CharField(label=_("nota"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.photos: list[dict] = []

    def clean_reported_on(self) -> date:
        value = self.cleaned_data["reported_on"]
        if value > date.today():
            raise ValidationError(_("La fecha del avance no puede estar en el futuro."))
        return value

    def clean(self):
        cleaned = super().clean()
        files = self.files.getlist("photos") if self.files else []
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("A lo más %(n)s fotos por reporte.") % {"n": MAX_PHOTOS})
        for upload in files:
            self.photos.append(checked_photo(upload))
        return cleaned


def checked_photo(upload) -> dict:
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("La foto «%(name)s» pesa más de %(mb)s MB.")
            % {"name": upload.name, "mb": MAX_PHOTO_BYTES // 2**20}
        )
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type, extension in PHOTO_SIGNATURES:
        if head.startswith(signature):
            return {
                "file": upload,
                "content_type": content_type,
                "extension": extension,
                "size": upload.size,
                "token": secrets.token_hex(16),
            }
    raise ValidationError(_("«%(name)s» no es una foto JPEG ni PNG.") % {"name": upload.name})


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("decisión"), choices=[("approve", _("Aprobar")), ("reject", _("Rechazar"))]
    )
    reason = forms.CharField(label=_("motivo"), required=False, max_length=1000)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not cleaned.get("reason", "").strip():
            raise ValidationError(_("Un rechazo necesita un motivo."))
        return cleaned


MAX_IMPORT_BYTES = 200 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("archivo (ZIP de Shapefile, GeoPackage, GeoJSON, TopoJSON, FlatGeobuf, CSV o XLSX)")
    )
    target = forms.ChoiceField(
        label=_("destino"),
        choices=[
            ("works", _("Obras")),
            ("zones", _("Zonas")),
            ("municipios", _("Municipios (INEGI)")),
            ("agebs", _("AGEB urbanas (INEGI)")),
            ("budget_expense", _("Presupuesto de egresos (CONAC)")),
            ("budget_income", _("Ingresos por rubro y tipo (CRI)")),
            ("budget_transfers", _("Transferencias federales a municipios")),
        ],
        help_text=_("El presupuesto (egresos, ingresos, transferencias) lo carga solo un administrador."),
    )
    mode = forms.ChoiceField(
        label=_("si hay filas rechazadas"),
        choices=[("all", _("no importar nada (todo o nada)")), ("valid", _("importar solo las válidas"))],
    )
    repair = forms.BooleanField(label=_("reparar geometrías inválidas"), required=False)
    fiscal_year = forms.IntegerField(
        label=_("ejercicio fiscal"), required=False, min_value=2000, max_value=2100
    )
    zone_kind = forms.ChoiceField(
        label=_("tipo de zona"),
        choices=[
            (Zone.Kind.ZONA_IMPULSO, Zone.Kind.ZONA_IMPULSO.label),
            (Zone.Kind.DRAWN, Zone.Kind.DRAWN.label),
        ],
    )
    category_code = forms.CharField(label=_("clave de la categoría (obras)"), required=False, max_length=40)
    source_srid = forms.IntegerField(
        label=_("SRC de origen (EPSG), si el archivo no lo declara"), required=False
    )
    encoding = forms.CharField(
        label=_("codificación del texto, si la detección falla"), required=False, max_length=20
    )

    def clean_encoding(self) -> str:
        import codecs

        name = self.cleaned_data["encoding"].strip()
        if name:
            try:
                codecs.lookup(name)
            except LookupError:
                raise ValidationError(_("Codificación desconocida: %(e)s.") % {"e": name}) from None
        return name

    def clean_source_srid(self):
        from pyproj import CRS
        from pyproj.exceptions import CRSError

        srid = self.cleaned_data["source_srid"]
        if srid is not None:
            try:
                CRS.from_epsg(srid)
            except CRSError:
                raise ValidationError(
                    _("EPSG:%(s)s no es un sistema de referencia conocido.") % {"s": srid}
                ) from None
        return srid

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(_("El archivo pesa más de %(mb)s MB.") % {"mb": MAX_IMPORT_BYTES // 2**20})
        return upload

    def options(self) -> dict:
        data = self.cleaned_data
        return {
            "target": data["target"],
            "mode": data["mode"],
            "repair": data["repair"],
            "fiscal_year": data["fiscal_year"],
            "zone_kind": data["zone_kind"],
            "category_code": data["category_code"],
            "source_srid": data["source_srid"],
            "encoding": data["encoding"],
        }


class MappingOptionsForm(forms.Form):
    """The wizard's options beside the column and value maps (the mapping step)."""

    mode = forms.ChoiceField(
        label=_("si hay filas rechazadas"),
        choices=[("all", _("no importar nada (todo o nada)")), ("valid", _("importar solo las válidas"))],
    )
    fiscal_year = forms.IntegerField(
        label=_("ejercicio fiscal (filas sin columna de año)"), required=False, min_value=2000, max_value=2100
    )
    source_srid = forms.IntegerField(label=_("SRC de origen (EPSG)"), required=False)
    encoding = forms.CharField(label=_("codificación del texto"), required=False, max_length=20)
    category_code = forms.ChoiceField(label=_("categoría de las filas sin categoría"), required=False)
    default_status = forms.ChoiceField(label=_("estatus de las filas sin estatus"), required=False)
    publish = forms.BooleanField(label=_("publicar las obras importadas"), required=False)

    clean_encoding = ImportForm.clean_encoding
    clean_source_srid = ImportForm.clean_source_srid

    def __init__(self, *args, target: str = "works", **kwargs):
        from works_map.models import Category, WorkStatus

        super().__init__(*args, **kwargs)
        self.target = target
        categories: list[tuple[str, Any]] = [("", _("— ninguna —"))]
        categories += [(c.code, f"{c.name} ({c.code})") for c in Category.objects.order_by("code")]
        self.fields["category_code"].choices = categories  # type: ignore[attr-defined]
        statuses = [("", _("Programada")), *WorkStatus.choices]
        self.fields["default_status"].choices = statuses  # type: ignore[attr-defined]
        if target != "works":  # zones and INEGI geography have no category, status nor publication
            for name in ("category_code", "default_status", "publish"):
                del self.fields[name]
        if target in BUDGET_TARGETS:  # all or nothing, a year column, no geometry, the encoding detected
            for name in ("mode", "fiscal_year", "source_srid", "encoding"):
                del self.fields[name]

    def options(self) -> dict:
        data = self.cleaned_data
        if self.target in BUDGET_TARGETS:
            return {}
        chosen = {
            "mode": data["mode"],
            "fiscal_year": data["fiscal_year"],
            "source_srid": data["source_srid"],
            "encoding": data["encoding"],
        }
        if self.target == "works":
            chosen["category_code"] = data["category_code"]
            chosen["default_status"] = data["default_status"] or "PROGRAMADA"
            chosen["publish"] = data["publish"]
        return chosen


class ZapDeclarationForm(forms.Form):
    """A published ZAP list (Anexo A: municipios; Anexo B: AGEB urbanas) and its source document."""

    file = forms.FileField(label=_("lista de claves (CSV o XLSX)"))
    kind = forms.ChoiceField(
        label=_("tipo"), choices=[("rural", _("ZAP rural (municipios)")), ("urbana", _("ZAP urbana (AGEB)"))]
    )
    year = forms.IntegerField(label=_("ejercicio fiscal"), min_value=2000, max_value=2100)
    only = forms.RegexField(
        label=_("solo claves que empiezan por (p. ej. 11)"),
        regex=r"^[0-9]{0,5}$",
        required=False,
        initial="11",
    )
    source_kind = forms.ChoiceField(label=_("publicación"), choices=SourceDocument.Kind.choices)
    source_code = forms.CharField(label=_("código o referencia (p. ej. 5773718)"), max_length=100)
    source_date = forms.DateField(label=_("fecha de publicación (AAAA-MM-DD)"))
    source_title = forms.CharField(label=_("título"), max_length=300)
    source_url = forms.URLField(label=_("URL"), required=False, assume_scheme="https")

    def source(self):
        from priority_zones.zap_declarations import Source

        data = self.cleaned_data
        code = data["source_code"].strip()
        return Source(
            kind=data["source_kind"],
            reference=f"{data['source_kind']} {code}" if code.isdigit() else code,
            title=data["source_title"],
            published_on=data["source_date"],
            url=data["source_url"],
        )


class FaisStatusForm(forms.Form):
    """The FAIS status page's filters: a fiscal year and a fund."""

    year = forms.IntegerField(label=_("Ejercicio fiscal"), min_value=2000, max_value=2100)
    fund = forms.ChoiceField(label=_("Fondo"), choices=FaisFund.choices, initial=FaisFund.FISMDF)
