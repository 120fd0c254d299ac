from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorksMapConfig(AppConfig):
    name = "works_map"
    verbose_name = _("Obras y acciones")
