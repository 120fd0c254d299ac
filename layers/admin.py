"""Raster layers: descriptive texts only; the rest is written by layers.actions."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from layers.models import RasterLayer


@admin.register(RasterLayer)
class RasterLayerAdmin(admin.ModelAdmin):
    """Registered by layers.actions.do_register_raster; here only the descriptive texts are edited.

    Anything that changes the tiles (file, bounds, zooms, palette, visibility) goes through the
    action, which also bumps the layer's data version.
    """

    list_display = ("name", "title", "units", "minzoom", "maxzoom", "public", "version", "updated_at")
    list_filter = ("public", "colormap")
    search_fields = ("name", "title", "source_name")
    fields = (
        ("name", "title"),
        "description",
        ("units", "attribution"),
        ("source_name", "cog_path", "source_crs"),
        ("west", "south", "east", "north"),
        ("minzoom", "maxzoom", "colormap"),
        ("public", "version"),
        ("created_at", "updated_at"),
    )
    readonly_fields = (
        "name",
        "source_name",
        "cog_path",
        "source_crs",
        "west",
        "south",
        "east",
        "north",
        "minzoom",
        "maxzoom",
        "colormap",
        "public",
        "version",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
