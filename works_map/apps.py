from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorksMapConfig(AppConfig):
    name = "works_map"
    verbose_name = _("Obras y acciones")

    def ready(self) -> None:
        from gis_core import ogc
        from works_map import filters  # noqa: F401 - connects the catalogue's cache invalidation
        from works_map.ogc import WORKS

        ogc.register(WORKS, first=True)
