from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LayersConfig(AppConfig):
    name = "layers"
    verbose_name = _("Capas del mapa")

    def ready(self) -> None:
        from gis_core.zonal import register_count_rasters
        from layers.raster import population_rasters

        register_count_rasters(population_rasters)

        from layers import ogc

        ogc.register_tilesets()
