"""Read-only admin view of the import queue (writes go through the workspace)."""

from __future__ import annotations

from django.contrib import admin

from gis_core.admin import ReadOnlyAdmin
from planning.models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "status", "progress", "total", "created_by", "created_at")
    list_filter = ("status",)
    exclude = ("rejected_csv", "preview")
