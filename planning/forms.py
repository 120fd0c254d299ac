"""Forms of the planner's workspace. They validate input only; the views hand cleaned data to actions."""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.gis.gdal.error import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gis_core.geometry import MAX_ZONE_VERTICES, parse_polygon
from priority_zones.models import Zone
from works_map.actions import FUNDING_AMOUNTS
from works_map.models import Work, WorkAgency, WorkFunding

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
    geom = GeometryField(label=_("geometría (GeoJSON o WKT)"))

    class Meta:
        model = Work
        fields = [
            "folio",
            "fiscal_year",
            "name",
            "category",
            "municipio",
            "status",
            "amount_approved",
            "published",
        ]


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


class ZoneForm(forms.ModelForm):
    # Zones are stored as MultiPolygons; the field returns one (a drawn Polygon is one part).
    geom = PolygonField(label=_("geometría (GeoJSON o WKT)"))
    # Official ZAP come from the DOF import, never from a drawing.
    kind = forms.ChoiceField(
        label=_("tipo"),
        choices=[
            (Zone.Kind.DRAWN, Zone.Kind.DRAWN.label),
            (Zone.Kind.ZONA_IMPULSO, Zone.Kind.ZONA_IMPULSO.label),
        ],
    )

    class Meta:
        model = Zone
        fields = ["name", "kind", "fiscal_year", "status", "municipio"]


class ProgressForm(forms.Form):
    reported_on = forms.DateField(label=_("fecha"))
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
        ],
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

    def options(self) -> dict:
        data = self.cleaned_data
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
