"""Admin for the public and editorial parts only: centres and guidance texts. Child records are not
in the admin: every read of them goes through growth.access, which logs it with its purpose."""

from django.contrib.gis import admin

from growth.models import Centre, GuidanceText


@admin.register(Centre)
class CentreAdmin(admin.GISModelAdmin):
    list_display = ("name", "kind", "municipio", "synthetic")
    list_filter = ("kind", "synthetic")
    search_fields = ("name",)


@admin.register(GuidanceText)
class GuidanceTextAdmin(admin.ModelAdmin):
    list_display = ("title", "result", "band", "updated_at")
    list_filter = ("result",)
    readonly_fields = ("updated_by", "updated_at")

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
