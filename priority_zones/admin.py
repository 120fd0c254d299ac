"""Admin for geography, zones and the restricted household data."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gis_core.admin import GeoAdmin
from priority_zones import access
from priority_zones.actions import (
    do_create_zone,
    do_delete_geography,
    do_delete_zone,
    do_save_geography,
    do_update_zone,
)
from priority_zones.models import (
    AccessLog,
    Ageb,
    Diagnostic,
    Household,
    Localidad,
    MunicipalPoverty,
    Municipio,
    Person,
    PovertyLine,
    SourceDocument,
    Zone,
)

PURPOSE_PARAM = "proposito"


# --- geography ---------------------------------------------------------------------------------


class GeographyAdmin(GeoAdmin):
    """INEGI units are written through their actions: versions recorded, map layers bumped."""

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        do_save_geography(obj, acting_user=request.user)

    def delete_model(self, request: HttpRequest, obj) -> None:
        do_delete_geography(obj, acting_user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for unit in queryset:
            do_delete_geography(unit, acting_user=request.user)


@admin.register(Municipio)
class MunicipioAdmin(GeographyAdmin):
    list_display = ("cvegeo", "name", "population_2020", "frame_version")
    list_filter = ("frame_version",)
    search_fields = ("cvegeo", "name")


@admin.register(Localidad)
class LocalidadAdmin(GeographyAdmin):
    list_display = ("cvegeo", "name", "municipio", "ambito", "population_2020", "frame_version")
    list_filter = ("ambito", "frame_version", "municipio")
    list_select_related = ("municipio",)
    search_fields = ("cvegeo", "name", "municipio__name")
    autocomplete_fields = ("municipio",)


@admin.register(Ageb)
class AgebAdmin(GeographyAdmin):
    list_display = ("cvegeo", "municipio", "localidad", "ambito", "population_2020", "frame_version")
    list_filter = ("ambito", "frame_version")
    list_select_related = ("municipio", "localidad")
    search_fields = ("cvegeo", "municipio__name", "localidad__name")
    autocomplete_fields = ("municipio", "localidad")


# --- zones ---------------------------------------------------------------------------------------


@admin.register(SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin):
    list_display = ("kind", "reference", "title", "published_on")
    list_filter = ("kind",)
    search_fields = ("reference", "title")
    date_hierarchy = "published_on"


@admin.register(Zone)
class ZoneAdmin(GeoAdmin):
    list_display = ("name", "kind", "fiscal_year", "cvegeo", "municipio", "status", "synthetic")
    list_filter = ("kind", "fiscal_year", "status", "synthetic")
    list_select_related = ("municipio",)
    search_fields = ("name", "cvegeo", "municipio__name")
    autocomplete_fields = ("municipio", "source")
    readonly_fields = ("author", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("kind", "fiscal_year", "status", "name", "cvegeo", "municipio", "source")}),
        (_("Geometría"), {"fields": ("geom",)}),
        (_("Otros datos"), {"fields": ("population", "synthetic", "author", "created_at", "updated_at")}),
    )

    def save_model(self, request: HttpRequest, obj: Zone, form, change: bool) -> None:
        # Writes go through the actions: geometry checks, full_clean and the tile-cache bump.
        fields = {name: value for name, value in form.cleaned_data.items() if name in _field_names(Zone)}
        if change:
            do_update_zone(obj, acting_user=request.user, **fields)
            return
        created = do_create_zone(acting_user=request.user, **fields)
        # The admin keeps using `obj` (change message, redirect): make it the stored row.
        vars(obj).update(vars(created))

    def delete_model(self, request: HttpRequest, obj: Zone) -> None:
        do_delete_zone(obj, acting_user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for zone in queryset:
            do_delete_zone(zone, acting_user=request.user)


@admin.register(MunicipalPoverty)
class MunicipalPovertyAdmin(admin.ModelAdmin):
    """PPM of the FAIS PIZU formula: the official population in poverty of each municipio."""

    list_display = ("municipio", "year", "population_in_poverty", "population_in_extreme_poverty", "source")
    list_filter = ("year",)
    list_select_related = ("municipio",)
    search_fields = ("municipio__name", "municipio__cvegeo")


@admin.register(PovertyLine)
class PovertyLineAdmin(admin.ModelAdmin):
    list_display = ("reference_date", "ambito", "extreme", "poverty", "source")
    list_filter = ("ambito",)
    date_hierarchy = "reference_date"


# --- households (restricted) -----------------------------------------------------------------------


def can_see_household_data(request: HttpRequest) -> bool:
    """The admin asks the one gate (priority_zones.access): the permission *and* a scope."""
    return access.may_view_households(request.user)


class HouseholdDataMixin:
    """Household rows exist in the admin only for users the gate lets in, and only inside their scope.

    Being let in is enough to look; adding, changing or deleting also needs Django's ordinary
    permission for the model. `household_path` leads from the model to its household.
    """

    household_path = ""

    def get_queryset(self, request: HttpRequest):
        qs = super().get_queryset(request)  # type: ignore[misc]
        if not can_see_household_data(request):
            return qs.none()
        scoped = access.scoped_households(request.user)
        if self.household_path:
            return qs.filter(**{f"{self.household_path}__in": scoped.values("pk")})
        return qs.filter(pk__in=scoped.values("pk"))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_see_household_data(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_see_household_data(request)

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return can_see_household_data(request) and super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_see_household_data(request) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_see_household_data(request) and super().has_delete_permission(request, obj)  # type: ignore[misc]


class LoggedHouseholdAdmin(HouseholdDataMixin):
    """Every changelist page, change form, history and delete confirmation of household-level rows
    writes an AccessLog row (who, when, which households, the page and filters, why: "admin" plus
    an optional `?proposito=`), through priority_zones.access."""

    def _household_id(self, obj) -> int:
        return obj.pk if not self.household_path else getattr(obj, f"{self.household_path}_id")

    def _page(self, request: HttpRequest, what: str) -> str:
        model = self.model._meta.model_name  # type: ignore[attr-defined]
        params = request.GET.copy()
        params.pop(PURPOSE_PARAM, None)
        query = params.urlencode()
        return f"admin {model} {what}" + (f" ?{query}" if query else "")

    def changelist_view(self, request: HttpRequest, extra_context=None):
        purpose = request.GET.get(PURPOSE_PARAM)
        if PURPOSE_PARAM in request.GET:  # not a lookup: the changelist would reject it
            params = request.GET.copy()
            params.pop(PURPOSE_PARAM)
            request.GET = params  # type: ignore[assignment]
        response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if response.status_code == 200 and changelist is not None:
            ids = [self._household_id(obj) for obj in changelist.result_list]
            access.log_admin_read(
                request.user, AccessLog.Action.LIST, ids, self._page(request, "changelist"), purpose
            )
        return response

    def _log_object_page(self, request: HttpRequest, response, key: str, what: str) -> None:
        shown = (getattr(response, "context_data", None) or {}).get(key)
        if response.status_code == 200 and shown is not None:
            access.log_admin_read(
                request.user,
                AccessLog.Action.DETAIL,
                [self._household_id(shown)],
                self._page(request, f"{shown.pk}{what}"),
                request.GET.get(PURPOSE_PARAM),
            )

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        self._log_object_page(request, response, "original", "")
        return response

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        response = super().history_view(request, object_id, extra_context)  # type: ignore[misc]
        self._log_object_page(request, response, "object", " history")
        return response

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None):
        response = super().delete_view(request, object_id, extra_context)  # type: ignore[misc]
        self._log_object_page(request, response, "object", " delete")
        return response


class ImmutableMixin:
    """Rows computed by actions: shown, never edited or deleted by hand."""

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class PersonInline(HouseholdDataMixin, admin.StackedInline):
    model = Person
    household_path = "household"
    extra = 0
    fieldsets = (
        (None, {"fields": (("number", "relationship", "sex", "age", "birth_year"),)}),
        (
            _("Educación y salud"),
            {
                "fields": (
                    ("education_level", "education_completed", "attends_school"),
                    ("health_affiliations", "health_other_route"),
                    ("has_disability", "speaks_indigenous_language"),
                )
            },
        ),
        (
            _("Trabajo e ingreso"),
            {
                "fields": (
                    ("works", "job_type"),
                    ("has_medical_benefit", "has_sick_leave", "has_retirement_savings", "is_pensioner"),
                    ("monthly_income", "elder_programme_amount"),
                )
            },
        ),
    )


class DiagnosticInline(HouseholdDataMixin, ImmutableMixin, admin.TabularInline):
    model = Diagnostic
    household_path = "household"
    extra = 0
    fields = ("version", "methodology_version", "poverty_class", "carencias_count", "computed_at")
    readonly_fields = fields
    show_change_link = True


@admin.register(Household)
class HouseholdAdmin(LoggedHouseholdAdmin, GeoAdmin):
    list_display = ("folio", "municipio", "ambito", "survey_date", "residents", "consent", "synthetic")
    list_filter = ("ambito", "consent", "synthetic", "instrument_version", "municipio")
    list_select_related = ("municipio",)
    search_fields = ("folio",)
    autocomplete_fields = ("municipio", "localidad", "ageb")
    date_hierarchy = "survey_date"
    readonly_fields = ("created_at",)
    inlines = (PersonInline, DiagnosticInline)


@admin.register(Person)
class PersonAdmin(LoggedHouseholdAdmin, admin.ModelAdmin):
    household_path = "household"
    list_display = ("household", "number", "relationship", "sex", "age", "education_level", "works")
    list_filter = ("relationship", "sex", "education_level", "works")
    list_select_related = ("household",)
    search_fields = ("household__folio",)
    raw_id_fields = ("household",)


@admin.register(Diagnostic)
class DiagnosticAdmin(LoggedHouseholdAdmin, ImmutableMixin, admin.ModelAdmin):
    household_path = "household"
    list_display = (
        "household",
        "version",
        "poverty_class",
        "carencias_count",
        "income_estimated",
        "methodology_version",
        "computed_at",
    )
    list_filter = ("poverty_class", "methodology_version", "income_estimated")
    list_select_related = ("household",)
    search_fields = ("household__folio",)
    date_hierarchy = "computed_at"


@admin.register(AccessLog)
class AccessLogAdmin(ImmutableMixin, admin.ModelAdmin):
    """Append-only record of household reads: only superusers audit it, nobody edits it."""

    list_display = ("at", "user", "action", "purpose")
    list_filter = ("action",)
    list_select_related = ("user",)
    search_fields = ("user__username", "purpose", "query")
    date_hierarchy = "at"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser


def _field_names(model) -> set[str]:
    return {field.name for field in model._meta.concrete_fields}
