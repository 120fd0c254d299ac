from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class RasterLayer(models.Model):
    """A GeoTIFF registered as a map layer: stored as a Cloud-Optimized GeoTIFF and tiled by rio-tiler.

    Written only by layers.actions.do_register_raster (the `register_raster` command).
    """

    name = models.SlugField(_("nombre"), max_length=64, unique=True)
    title = models.CharField(_("título"), max_length=200)
    description = models.TextField(_("descripción"), blank=True)
    units = models.CharField(_("unidades"), max_length=80, blank=True)
    attribution = models.CharField(_("atribución"), max_length=300, blank=True)
    source_name = models.CharField(_("archivo de origen"), max_length=300)
    cog_path = models.CharField(_("COG (nombre en el almacenamiento de medios)"), max_length=300)
    source_crs = models.CharField(_("SRC de origen"), max_length=200)
    # Lon/lat bounds of the data, for TileJSON and the style.
    west = models.FloatField()
    south = models.FloatField()
    east = models.FloatField()
    north = models.FloatField()
    minzoom = models.PositiveSmallIntegerField(_("zoom mínimo"), default=6)
    maxzoom = models.PositiveSmallIntegerField(_("zoom máximo"), default=16)
    colormap = models.CharField(_("paleta"), max_length=32, default="population")
    public = models.BooleanField(_("pública"), default=True)
    counts_population = models.BooleanField(
        _("cuenta personas"),
        default=False,
        help_text=_("Cada celda es un número de personas: se usa para la población dentro de un polígono."),
    )
    version = models.PositiveIntegerField(_("versión de datos"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("capa ráster")
        verbose_name_plural = _("capas ráster")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minzoom__lte=F("maxzoom")) & Q(maxzoom__lte=22),
                name="rasterlayer_zoom_range",
                violation_error_message=_("El zoom mínimo debe ser menor o igual que el máximo (hasta 22)."),
            ),
            models.CheckConstraint(
                condition=Q(west__lt=F("east")) & Q(south__lt=F("north")),
                name="rasterlayer_bounds_ordered",
                violation_error_message=_("Los límites del ráster están invertidos."),
            ),
        ]

    def __str__(self) -> str:
        return self.name
