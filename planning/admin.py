"""Read-only admin views of the history and the import queue (writes go through the workspace)."""

from __future__ import annotations

from django.contrib import admin

from gis_core.admin import ReadOnlyAdmin
from planning.models import ImportJob, Version


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
