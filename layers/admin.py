"""Layer data versions: visible for diagnosis, written only by the actions (bump_layers)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from layers.models import LayerVersion


@admin.register(LayerVersion)
class LayerVersionAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "updated_at")
    search_fields = ("name",)
    ordering = ("name",)
    readonly_fields = ("name", "version", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
