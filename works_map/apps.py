from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorksMapConfig(AppConfig):
    name = "works_map"
    verbose_name = _("Obras y acciones")

    def ready(self) -> None:
        # This app's gates, scopes and OGC collections, registered with the kernel that serves them.
        from gis_core import access, ogc
        from works_map import access as works_access
        from works_map import filters  # noqa: F401 - connects the catalogue's cache invalidation
        from works_map.models import ProgressReport, Work
        from works_map.ogc import WORKS

        access.register_gate(Work, works_access.may_work)
        access.register_gate(ProgressReport, works_access.may_report)
        access.register_scope_loader(works_access.load_scope)
        ogc.register(WORKS, first=True)
