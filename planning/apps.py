from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    """The agency staff's workspace: roles, progress approval, versions of zones and works, imports."""

    name = "planning"
    verbose_name = _("Planeación")
