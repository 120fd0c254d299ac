from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PriorityZonesConfig(AppConfig):
    name = "priority_zones"
    verbose_name = _("Territorio, zonas y hogares")
