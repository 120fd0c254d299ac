"""Read-only admin views of the history and the import queue (writes go through the workspace)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from planning.models import ImportJob, Version


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Version)
class VersionAdmin(ReadOnlyAdmin):
    list_display = ("kind", "object_id", "number", "change", "user", "at")
    list_filter = ("kind", "change")
    search_fields = ("object_id",)


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "status", "progress", "total", "created_by", "created_at")
    list_filter = ("status",)
    exclude = ("rejected_csv", "preview")
