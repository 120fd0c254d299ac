from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations import business_days
from consultations.models import ANSWER_MAX, OPINION_MAX, QUESTION_MAX, RESULTS_MAX, Consultation
from priority_zones.models import Municipio


class ConsultationForm(forms.Form):
    title = forms.CharField(label=_("Título"), max_length=200)
    question = forms.CharField(
        label=_("Pregunta a la ciudadanía"), max_length=QUESTION_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    description = forms.CharField(
        label=_("Descripción"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    subject = forms.ChoiceField(label=_("Se consulta"), choices=Consultation.Subject.choices)
    zone = forms.IntegerField(label=_("Zona en borrador (número)"), required=False, min_value=1)
    work = forms.IntegerField(label=_("Obra planeada (número)"), required=False, min_value=1)
    municipio = forms.ModelChoiceField(
        label=_("Municipio (para un documento)"),
        queryset=Municipio.objects.order_by("name"),
        required=False,
        to_field_name="cvegeo",
        help_text=_("Quién gestiona la consulta de un documento: el personal de ese municipio."),
    )
    document = forms.FileField(label=_("Documento (PDF, ODT, DOCX o TXT, hasta 20 MB)"), required=False)
    opens_on = forms.DateField(
        label=_("Abre el"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    days = forms.IntegerField(
        label=_("Plazo en días hábiles"),
        min_value=1,
        max_value=business_days.MAX_BUSINESS_DAYS,
        initial=business_days.DEFAULT_BUSINESS_DAYS,
        help_text=_("Sin contar sábados, domingos ni días de descanso obligatorio."),
    )


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Respuesta"), max_length=ANSWER_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )


class ResultsForm(forms.Form):
    results = forms.CharField(
        label=_("Devolución de resultados"), max_length=RESULTS_MAX, widget=forms.Textarea(attrs={"rows": 8})
    )


class ErasureForm(forms.Form):
    email = forms.EmailField(label=_("Correo de la persona que lo solicita"), max_length=254)


OPINION_MAX_CHARS = OPINION_MAX
