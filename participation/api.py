"""The public, read-only API of citizen reports: published reports only, and no personal data (the
serializer names every field it shows; e-mail, location, GPS, the original text and the staff trail
are not among them)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets

from gis_core.geometry import parse_integer
from participation.models import CitizenReport, ReportPhoto
from works_map.api.base import IdCursorPagination, ProblemMixin


class PublicPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ReportPhoto
        fields = ["url", "width", "height"]

    def get_url(self, photo: ReportPhoto) -> str:
        return reverse("participation:photo", args=[photo.token])


class PublicReportSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    state_label = serializers.CharField(source="get_state_display")
    answered_by = serializers.CharField(source="answered_by_agency.acronym", default=None)
    photos = serializers.SerializerMethodField()

    class Meta:
        model = CitizenReport
        fields = [
            "id", "work", "kind", "kind_label", "text", "state", "state_label",
            "received_at", "published_at", "answer", "answered_at", "answered_by", "photos",
        ]  # fmt: skip

    @extend_schema_field(PublicPhotoSerializer(many=True))
    def get_photos(self, report: CitizenReport) -> list[dict]:
        return list(PublicPhotoSerializer(report.public_photos, many=True).data)  # type: ignore[attr-defined]


@extend_schema_view(
    list=extend_schema(
        summary=_("Reportes ciudadanos publicados"),
        parameters=[
            OpenApiParameter("work", int, description=_("Sólo los reportes de esta obra (id).")),
            OpenApiParameter("kind", str, enum=CitizenReport.Kind.values, description=_("Tipo de reporte.")),
        ],
    ),
    retrieve=extend_schema(summary=_("Un reporte ciudadano publicado")),
)
class CitizenReportViewSet(ProblemMixin, viewsets.ReadOnlyModelViewSet):
    """Published citizen reports on works, with the agencies' answers. Never personal data."""

    serializer_class = PublicReportSerializer
    pagination_class = IdCursorPagination
    lookup_value_regex = r"[0-9]{1,18}"
    query_params = ("work", "kind")
    filterset_class = None

    def get_queryset(self):
        from django.db.models import Prefetch

        photos = ReportPhoto.objects.filter(hidden=False).only("pk", "token", "report_id", "width", "height")
        reports = (
            CitizenReport.objects.published()
            .select_related("answered_by_agency")
            .prefetch_related(Prefetch("photos", queryset=photos, to_attr="public_photos"))
        )
        if self.action == "list":
            params = self.request.query_params
            if params.get("work") is not None:
                reports = reports.filter(work_id=parse_integer(params.get("work"), "work", 1, 2**62))
            kind = params.get("kind")
            if kind is not None:
                if kind not in CitizenReport.Kind.values:
                    raise serializers.ValidationError(
                        {
                            "kind": _("Tipo desconocido; los válidos son: %(v)s.")
                            % {"v": ", ".join(CitizenReport.Kind.values)}
                        }
                    )
                reports = reports.filter(kind=kind)
        return reports
