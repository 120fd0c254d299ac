from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PriorityZonesConfig(AppConfig):
    name = "priority_zones"
    verbose_name = _("Territorio, zonas y hogares")

    def ready(self) -> None:
        # This app's gate and OGC collections, registered with the kernel that serves them.
        from gis_core import access, ogc
        from priority_zones import access as zone_access
        from priority_zones.models import Zone
        from priority_zones.ogc import MUNICIPIOS, ZONES

        access.register_gate(Zone, zone_access.may_zone)
        ogc.register(ZONES)
        ogc.register(MUNICIPIOS)
