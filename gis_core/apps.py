from django.apps import AppConfig


class GisCoreConfig(AppConfig):
    name = "gis_core"
    verbose_name = "Núcleo SIG"

    def ready(self) -> None:
        from gis_core import checks  # noqa: F401  (registers the system checks)
