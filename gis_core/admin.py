"""What every admin page of the project shares: the offline map widget and refusals as form errors."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis import admin
from django.contrib.gis.db.models import GeometryField
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError
from django.http import HttpRequest

from gis_core.http import describe_db_error
from gis_core.models import LayerVersion, Version
from gis_core.widgets import GtoMapWidget, ValidatedGeometryField

_REFUSAL_ATTR = "_gis_core_db_refusal"

admin.site.site_header = settings.SITE_NAME
admin.site.site_title = settings.SITE_NAME


class GeoAdmin(admin.GISModelAdmin):
    """GISModelAdmin with local OpenLayers, geometry messages that name the problem, and no 500s.

    Model constraints are checked by the form (full_clean), but a constraint on a field that is
    not in the form, a trigger or a column type can still refuse the row at save time. Then the
    same POST is shown again with the database's reason as a form error, instead of a 500.
    """

    gis_widget = GtoMapWidget  # type: ignore[assignment]  # django-stubs types it as an instance
    list_per_page = 50

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, GeometryField):
            kwargs["form_class"] = ValidatedGeometryField
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def changeform_view(self, request: HttpRequest, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (IntegrityError, DataError, ValidationError) as exc:
            if request.method != "POST" or hasattr(request, _REFUSAL_ATTR):
                raise
            # The failed save was rolled back with the view's transaction; render the POST again.
            # A ValidationError here is an action's refusal of the whole write (e.g. a repeated
            # funding source across the inlines): the form alone could not see it.
            reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else describe_db_error(exc)
            setattr(request, _REFUSAL_ATTR, reason)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, _REFUSAL_ATTR, None)
        if refusal is None:
            return form_class

        def clean(form):
            form_class.clean(form)
            raise ValidationError(refusal, code="db_refused")

        return type(form_class.__name__, (form_class,), {"clean": clean})


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows written only by the project's actions: listed and shown, never added, changed or deleted."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(LayerVersion)
class LayerVersionAdmin(ReadOnlyAdmin):
    """Layer data versions: visible for diagnosis, written only by the actions (bump_layers)."""

    list_display = ("name", "version", "updated_at")
    search_fields = ("name",)
    ordering = ("name",)
    readonly_fields = ("name", "version", "updated_at")


@admin.register(Version)
class VersionAdmin(ReadOnlyAdmin):
    """The change history, written only by the actions (gis_core.history.record)."""

    list_display = ("model", "object_id", "number", "change", "user", "at")
    list_filter = ("model", "change")
    search_fields = ("object_id",)
