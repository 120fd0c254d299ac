from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = _("Participación ciudadana")

    def ready(self) -> None:
        from gis_core import access
        from participation import access as participation_access
        from participation.models import CitizenReport

        access.register_gate(CitizenReport, participation_access.may_citizen_report)
