"""Forms of participation. User text is plain text: it is escaped wherever it is shown, and any
markup in it is refused at the door so that no copy (e-mail, export) ever carries HTML."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from participation.models import ANSWER_MAX, REASON_MAX, TEXT_MAX, CitizenReport, VigilanceReport
from participation.photos import CleanPhoto, clean_photo

HONEYPOT = "sitio_web"
MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")


def plain_text(value: str, field_label: str) -> str:
    value = (value or "").replace("\x00", "").strip()
    if MARKUP.search(value):
        raise ValidationError(_("%(field)s no admite etiquetas HTML.") % {"field": field_label})
    return value


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """The files as sent; each is checked by clean_photo (content, size), not by FileField."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return list(data)
        return [] if data in self.empty_values else [data]


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("¿Qué quiere reportar?"), choices=CitizenReport.Kind.choices)
    text = forms.CharField(
        label=_("Cuéntenos qué vio"),
        max_length=TEXT_MAX,
        min_length=10,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": TEXT_MAX}),
        help_text=_("Entre 10 y %(n)s caracteres. No escriba datos personales de nadie.") % {"n": TEXT_MAX},
    )
    photos = MultipleFileField(
        label=_("Fotos (opcional, hasta 3)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG o WebP. Antes de publicarlas quitamos los metadatos (como la ubicación)."),
    )
    email = forms.EmailField(
        label=_("Correo para avisarle de la respuesta (opcional)"),
        required=False,
        max_length=254,
        help_text=_("Nunca se publica. Sólo lo usamos para avisarle de la respuesta."),
    )
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    sitio_web = forms.CharField(
        label=_("Deje este campo vacío"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.clean_photos_list: list[CleanPhoto] = []
        self.honeypot_filled = False

    def clean_text(self) -> str:
        return plain_text(self.cleaned_data["text"], str(self.fields["text"].label))

    def clean_sitio_web(self) -> str:
        if self.cleaned_data.get(HONEYPOT):
            self.honeypot_filled = True
            raise ValidationError(_("Este campo debe quedar vacío."))
        return ""

    def clean_photos(self):
        files = self.files.getlist("photos") if self.files else []
        limit = settings.PARTICIPATION_MAX_PHOTOS
        if len(files) > limit:
            raise ValidationError(
                _("A lo más %(n)s fotos por reporte (envió %(m)s).") % {"n": limit, "m": len(files)}
            )
        self.clean_photos_list = [clean_photo(upload) for upload in files]
        return None

    def location(self) -> Point | None:
        lon, lat = self.cleaned_data.get("lon"), self.cleaned_data.get("lat")
        if lon is None or lat is None:
            return None
        return Point(lon, lat, srid=4326)


class EditTextForm(forms.Form):
    text = forms.CharField(
        label=_("Texto publicado"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )

    def clean_text(self) -> str:
        return plain_text(self.cleaned_data["text"], str(self.fields["text"].label))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Motivo por el que no procede"), max_length=REASON_MAX)

    def clean_reason(self) -> str:
        return plain_text(self.cleaned_data["reason"], str(self.fields["reason"].label))


class RouteForm(forms.Form):
    agency: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Dependencia"), queryset=None)  # type: ignore[arg-type]

    def __init__(self, *args, agencies=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]


class AnswerForm(RouteForm):
    answer = forms.CharField(
        label=_("Respuesta"), max_length=ANSWER_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].required = False
        self.fields["agency"].label = _("Dependencia que responde")

    def clean_answer(self) -> str:
        return plain_text(self.cleaned_data["answer"], str(self.fields["answer"].label))


class ArcoForm(forms.Form):
    reference = forms.CharField(label=_("Folio de la solicitud ARCO"), max_length=80)
    email = forms.EmailField(label=_("Correo de la persona"), required=False)
    code = forms.CharField(label=_("Código de seguimiento"), max_length=16, required=False)


class CommitteeForm(forms.Form):
    name = forms.CharField(label=_("Nombre del comité"), max_length=200)
    constituted_on = forms.DateField(
        label=_("Fecha de constitución"), widget=forms.DateInput(attrs={"type": "date"})
    )
    members_count = forms.IntegerField(label=_("Número de integrantes"), min_value=1, max_value=100)
    acta = forms.FileField(
        label=_("Acta de constitución (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def clean_name(self) -> str:
        return plain_text(self.cleaned_data["name"], str(self.fields["name"].label))


class VigilanceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Tipo de cédula"), choices=VigilanceReport.Kind.choices)
    filed_on = forms.DateField(label=_("Fecha"), widget=forms.DateInput(attrs={"type": "date"}))
    findings = forms.CharField(
        label=_("Hallazgos"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    irregularities = forms.BooleanField(label=_("Se encontraron irregularidades"), required=False)

    def clean_findings(self) -> str:
        return plain_text(self.cleaned_data["findings"], str(self.fields["findings"].label))
