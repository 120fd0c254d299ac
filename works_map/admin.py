"""Admin for works, their catalogues, funding, agencies and progress reports."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gis_core.admin import GeoAdmin, ReadOnlyAdmin
from works_map.actions import (
    do_correct_progress,
    do_create_work,
    do_delete_catalogue_entry,
    do_delete_work,
    do_record_progress,
    do_review_progress,
    do_save_catalogue_entry,
    do_set_published,
    do_update_work,
)
from works_map.formsets import agency_rows, funding_rows, kept_rows
from works_map.models import (
    Agency,
    Category,
    Committee,
    FaisRule,
    FundingSource,
    ProgressReport,
    PublicArea,
    UserScope,
    Work,
    WorkAgency,
    WorkFunding,
)


class CatalogueAdmin(admin.ModelAdmin):
    """Catalogue entries are written through their actions: a version, and the works tiles bumped."""

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        do_save_catalogue_entry(obj, acting_user=request.user)

    def delete_model(self, request: HttpRequest, obj) -> None:
        do_delete_catalogue_entry(obj, acting_user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for entry in queryset:
            do_delete_catalogue_entry(entry, acting_user=request.user)


@admin.register(Agency)
class AgencyAdmin(CatalogueAdmin):
    list_display = ("acronym", "name", "code", "level", "kind", "municipio", "valid_from", "valid_to")
    list_filter = ("level", "kind")
    list_select_related = ("municipio",)
    search_fields = ("acronym", "name", "code")
    autocomplete_fields = ("municipio", "predecessor")


@admin.register(FundingSource)
class FundingSourceAdmin(CatalogueAdmin):
    list_display = ("code", "conac_code", "name", "level", "ramo", "fund", "earmarked", "is_fais")
    list_filter = ("level", "earmarked", "is_fais", "conac_code")
    search_fields = ("code", "name", "fund")


@admin.register(Category)
class CategoryAdmin(CatalogueAdmin):
    list_display = ("code", "name", "level", "parent", "fais_incidence", "carencia")
    list_filter = ("level", "fais_incidence", "carencia")
    list_select_related = ("parent",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)


class WorkFundingInline(admin.TabularInline):
    model = WorkFunding
    extra = 0
    autocomplete_fields = ("source",)


class WorkAgencyInline(admin.TabularInline):
    model = WorkAgency
    extra = 0
    autocomplete_fields = ("agency",)


class ProgressReportInline(admin.TabularInline):
    """Reports are recorded here as pending; approval happens in the report list (an action)."""

    model = ProgressReport
    extra = 0
    can_delete = False
    fields = ("reported_on", "physical_pct", "financial_pct", "note", "state", "author", "reviewer")
    readonly_fields = ("state", "author", "reviewer")
    ordering = ("-reported_on",)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # A recorded report is evidence: never rewritten in place.
        return False


@admin.register(Work)
class WorkAdmin(GeoAdmin):
    list_display = (
        "folio",
        "fiscal_year",
        "name",
        "municipio",
        "category",
        "status",
        "physical_progress",
        "amount_approved",
        "published",
    )
    list_filter = ("status", "fiscal_year", "kind", "published", "synthetic", "category", "municipio")
    list_select_related = ("municipio", "category")
    search_fields = ("folio", "name", "municipio__name", "address")
    autocomplete_fields = ("municipio", "localidad", "category")
    readonly_fields = ("point", "physical_progress", "financial_progress", "created_at", "updated_at")
    date_hierarchy = "planned_start"
    inlines = (WorkFundingInline, WorkAgencyInline, ProgressReportInline)
    actions = ("publish_works", "unpublish_works")
    fieldsets = (
        (None, {"fields": (("folio", "fiscal_year"), "name", "description", ("kind", "category"))}),
        (_("Ubicación"), {"fields": ("geom", "point", ("municipio", "localidad"), "address")}),
        (
            _("Ejecución"),
            {
                "fields": (
                    ("status", "modality", "execution_mode"),
                    ("planned_start", "planned_end"),
                    ("actual_start", "actual_end"),
                    ("goal_quantity", "goal_unit"),
                    ("physical_progress", "financial_progress"),
                )
            },
        ),
        (
            _("Montos"),
            {"fields": (("amount_approved", "amount_modified", "amount_exercised", "amount_paid"),)},
        ),
        (
            _("Beneficiarios"),
            {"fields": (("beneficiaries", "beneficiaries_women", "beneficiaries_men", "beneficiary_unit"),)},
        ),
        (_("Publicación"), {"fields": (("published", "synthetic"), ("created_at", "updated_at"))}),
    )

    def save_model(self, request: HttpRequest, obj: Work, form, change: bool) -> None:
        # Nothing yet: the work, its funding and its agencies are written by one action call in
        # save_related, so the scope of the result (an agency is a place too) is checked at once.
        pass

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        names = {field.name for field in Work._meta.concrete_fields}
        fields = {name: value for name, value in form.cleaned_data.items() if name in names}
        rows: dict = {}
        for formset in formsets:
            if formset.model is WorkFunding:
                rows["funding"] = funding_rows(formset)
            elif formset.model is WorkAgency:
                rows["agencies"] = agency_rows(formset)
        if change:
            do_update_work(form.instance, acting_user=request.user, **fields, **rows)
        else:
            created = do_create_work(acting_user=request.user, **fields, **rows)
            # The admin keeps using the instance (change message, redirect): make it the stored row.
            vars(form.instance).update(vars(created))
        for formset in formsets:
            if formset.model is ProgressReport:
                self._record_reports(request, form.instance, formset)
            _note_changes_for_the_log(formset)

    def _record_reports(self, request: HttpRequest, work: Work, formset) -> None:
        for data in kept_rows(formset, new_only=True):
            do_record_progress(
                work,
                reported_on=data["reported_on"],
                physical_pct=data["physical_pct"],
                financial_pct=data["financial_pct"],
                note=data["note"],
                acting_user=request.user,
            )

    def get_deleted_objects(self, objs, request: HttpRequest):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Funding and agency rows go with their work (its action deletes them): their read-only
        # lists must not veto deleting the work.
        perms_needed -= {str(WorkFunding._meta.verbose_name), str(WorkAgency._meta.verbose_name)}
        return deleted, counts, perms_needed, protected

    def delete_model(self, request: HttpRequest, obj: Work) -> None:
        do_delete_work(obj, acting_user=request.user)

    @admin.action(description=_("Publicar las obras seleccionadas"), permissions=["change"])
    def publish_works(self, request: HttpRequest, queryset) -> None:
        self._set_published(request, queryset, published=True)

    @admin.action(description=_("Despublicar las obras seleccionadas"), permissions=["change"])
    def unpublish_works(self, request: HttpRequest, queryset) -> None:
        self._set_published(request, queryset, published=False)

    def _set_published(self, request: HttpRequest, queryset, *, published: bool) -> None:
        # The planner's bulk action too: the work gate per work, one version per work changed.
        outcome = do_set_published(queryset.order_by("pk"), published=published, acting_user=request.user)
        for _work, reason in outcome.refused:
            self.message_user(request, reason, messages.WARNING)
        n = len(outcome.changed)
        if published:
            text = ngettext("%(n)d obra publicada.", "%(n)d obras publicadas.", n)
        else:
            text = ngettext("%(n)d obra despublicada.", "%(n)d obras despublicadas.", n)
        self.message_user(request, text % {"n": n}, messages.SUCCESS)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for work in queryset:
            do_delete_work(work, acting_user=request.user)


def _note_changes_for_the_log(formset) -> None:
    # The admin's change message reads what formset.save() would have set; the action wrote the rows.
    deleted = formset.deleted_forms if formset.can_delete else []
    changed = [f for f in formset.forms if f.has_changed() and f not in deleted]
    formset.new_objects = [f.instance for f in changed if f.instance.pk is None]
    formset.changed_objects = [(f.instance, f.changed_data) for f in changed if f.instance.pk is not None]
    formset.deleted_objects = [f.instance for f in deleted if f.instance.pk is not None]


@admin.register(WorkFunding)
class WorkFundingAdmin(ReadOnlyAdmin):
    """A list to search; rows are edited on their work's page, where the work's action writes them."""

    list_display = ("work", "source", "amount_approved", "amount_modified", "amount_exercised", "amount_paid")
    list_filter = ("source",)
    list_select_related = ("work", "source")
    search_fields = ("work__folio", "work__name", "source__code")
    autocomplete_fields = ("work", "source")


@admin.register(WorkAgency)
class WorkAgencyAdmin(ReadOnlyAdmin):
    """A list to search; rows are edited on their work's page, where the work's action writes them."""

    list_display = ("work", "agency", "role")
    list_filter = ("role", "agency")
    list_select_related = ("work", "agency")
    search_fields = ("work__folio", "work__name", "agency__acronym")
    autocomplete_fields = ("work", "agency")


@admin.register(ProgressReport)
class ProgressReportAdmin(admin.ModelAdmin):
    list_display = ("work", "reported_on", "physical_pct", "financial_pct", "state", "author", "reviewer")
    list_filter = ("state", "reported_on")
    list_select_related = ("work", "author", "reviewer")
    search_fields = ("work__folio", "work__name")
    autocomplete_fields = ("work",)
    date_hierarchy = "reported_on"
    readonly_fields = ("state", "author", "reviewer", "review_reason", "created_at")
    actions = ("approve_reports",)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # Only pending reports can be corrected; a reviewed one is part of the record.
        if obj is not None and obj.state != ProgressReport.State.PENDING:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: ProgressReport, form, change: bool) -> None:
        if change:
            fields = ("work", "reported_on", "physical_pct", "financial_pct", "note")
            do_correct_progress(
                obj, acting_user=request.user, **{k: v for k, v in form.cleaned_data.items() if k in fields}
            )
            return
        created = do_record_progress(
            obj.work,
            reported_on=obj.reported_on,
            physical_pct=obj.physical_pct,
            financial_pct=obj.financial_pct,
            note=obj.note,
            acting_user=request.user,
        )
        vars(obj).update(vars(created))

    @admin.action(description=_("Aprobar los reportes seleccionados"), permissions=["change"])
    def approve_reports(self, request: HttpRequest, queryset) -> None:
        approved = 0
        for report in queryset.select_related("work"):
            try:
                do_review_progress(report, approve=True, acting_user=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{report}: {' '.join(exc.messages)}", messages.WARNING)
            else:
                approved += 1
        self.message_user(
            request,
            ngettext("%(n)d reporte aprobado.", "%(n)d reportes aprobados.", approved) % {"n": approved},
            messages.SUCCESS,
        )


@admin.register(FaisRule)
class FaisRuleAdmin(admin.ModelAdmin):
    list_display = (
        "fund",
        "year_from",
        "year_to",
        "zap_urbana_minimum",
        "min_direct_pct",
        "max_complementary_pct",
        "max_special_pct",
        "max_roads_pct",
        "min_zap_pct",
        "verified",
    )
    list_filter = ("fund", "verified")
    search_fields = ("source",)


@admin.register(PublicArea)
class PublicAreaAdmin(ReadOnlyAdmin):
    """Areas saved from the citizen map: listed for moderation; an administrator may delete one (its
    link then answers 404). Written only by do_save_public_area."""

    list_display = ("code", "area_km2", "created_at")
    search_fields = ("code",)
    readonly_fields = ("code", "digest", "area_km2", "created_at")
    date_hierarchy = "created_at"

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "zone", "constituted_on", "members_count", "synthetic")
    list_filter = ("kind", "synthetic")
    list_select_related = ("zone",)
    search_fields = ("name", "zone__name")
    autocomplete_fields = ("zone", "works")
    date_hierarchy = "constituted_on"


@admin.register(UserScope)
class UserScopeAdmin(admin.ModelAdmin):
    """Where each staff user may act (and see household data, with that permission); granted with
    Django's ordinary userscope permissions."""

    list_display = ("user", "agency", "note")
    list_select_related = ("user", "agency")
    search_fields = ("user__username", "user__email", "note")
    autocomplete_fields = ("user", "agency", "municipios")
