from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Consultas públicas y seguimiento")

    def ready(self) -> None:
        from consultations import access as consultation_access
        from consultations.models import Consultation
        from gis_core import access

        access.register_gate(Consultation, consultation_access.may_consultation)
