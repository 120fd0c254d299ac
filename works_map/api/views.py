"""Thin API views: parse through gis_core.geometry, query through QuerySet methods and summaries."""

from __future__ import annotations

import csv
import io

from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gis_core import exporters
from gis_core import tables as tables_io
from gis_core.geometry import parse_bbox, parse_integer, parse_number, parse_point, parse_polygon
from priority_zones.access import visible_zones
from priority_zones.models import Ageb, Localidad, Municipio, Zone
from works_map import card_tables, exports, pages, standalone_maps, summaries
from works_map.api import serializers as s
from works_map.api.base import IdCursorPagination, ProblemMixin
from works_map.api.filters import WorkFilter
from works_map.models import Agency, Category, FundingSource, Work, WorkAgency, WorkFunding
from works_map.views import XLSX, map_download


def filtered_works(request: Request):
    """Published works through WorkFilter; a bad filter value raises a 400 naming it."""
    filterset = WorkFilter(request.query_params, queryset=Work.objects.published())
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs


WORK_FILTER_PARAMS = [
    OpenApiParameter(name, str, description=str(f.extra.get("help_text", "")))
    for name, f in WorkFilter.base_filters.items()
]

NEARBY_PARAMS = [
    OpenApiParameter("lon", float, required=True, description="Longitud (CRS84)"),
    OpenApiParameter("lat", float, required=True, description="Latitud (CRS84)"),
    OpenApiParameter("radius_m", float, description="Radio en metros (1–50 000, 1 000 por omisión)"),
    OpenApiParameter("limit", int, description="Máximo de resultados (1–100, 20 por omisión)"),
]


class WorkViewSet(ProblemMixin, viewsets.ReadOnlyModelViewSet):
    """Published works (obras y acciones)."""

    queryset = Work.objects.published().select_related("category", "municipio")
    filterset_class = WorkFilter
    pagination_class = IdCursorPagination
    query_params = ("lon", "lat", "radius_m", "limit")

    def allowed_query_params(self) -> set[str]:
        allowed = super().allowed_query_params()
        return allowed if self.action == "nearby" else allowed - set(self.query_params)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.WorkDetailSerializer
        if self.action == "geojson":
            return s.WorkFeatureSerializer
        if self.action == "nearby":
            return s.NearbyWorkSerializer
        return s.WorkSerializer

    def get_queryset(self):
        # Municipio boundaries are large (full INEGI resolution): never load them with a work.
        works = super().get_queryset().defer("municipio__geom")
        if self.action in ("list", "nearby"):
            works = works.defer("geom")
        if self.action == "retrieve":
            works = works.prefetch_related(
                Prefetch("agency_roles", queryset=WorkAgency.objects.select_related("agency")),
                Prefetch("funding", queryset=WorkFunding.objects.select_related("source")),
            )
        return works

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT}, description=_("Obras como GeoJSON FeatureCollection.")
    )
    @action(detail=False, url_path="geojson")
    def geojson(self, request):
        works = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = s.WorkFeatureSerializer(works, many=True).data
        paginator = self.paginator
        return Response(
            {**data, "next": paginator.get_next_link(), "previous": paginator.get_previous_link()},
            content_type="application/geo+json",
        )

    @extend_schema(parameters=NEARBY_PARAMS, responses=s.NearbyWorkSerializer(many=True))
    @action(detail=False, url_path="nearby", pagination_class=None)
    def nearby(self, request):
        point = parse_point(request.query_params.get("lon"), request.query_params.get("lat"))
        radius = parse_number(request.query_params.get("radius_m", "1000"), "radius_m", 1, 50_000)
        limit = parse_integer(request.query_params.get("limit"), "limit", 1, 100, default=20)
        works = self.filter_queryset(self.get_queryset()).nearest(point, radius, limit)
        return Response(s.NearbyWorkSerializer(works, many=True).data)


class ZoneViewSet(ProblemMixin, viewsets.ReadOnlyModelViewSet):
    """Published zones (ZAP, Zonas Impulso, drawn zones)."""

    pagination_class = IdCursorPagination
    query_params = ("kind", "year")

    def get_queryset(self):
        zones = visible_zones(self.request.user)
        if self.action == "list":
            kind = self.request.query_params.get("kind")
            if kind:
                if kind not in Zone.Kind.values:
                    raise ValidationError({"kind": _("Tipo de zona desconocido.")})
                zones = zones.filter(kind=kind)
            if self.request.query_params.get("year"):
                zones = zones.for_year(parse_integer(self.request.query_params["year"], "year", 2000, 2100))
        return zones

    def get_serializer_class(self):
        return s.ZoneDetailSerializer if self.action == "retrieve" else s.ZoneSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=Zone.Kind.values),
            OpenApiParameter("year", int, description="Ejercicio fiscal"),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, description=_("Ficha de la zona."))
    @action(detail=True, url_path="summary", pagination_class=None)
    def summary(self, request, pk=None):
        zone = get_object_or_404(visible_zones(request.user), pk=pk)
        report = summaries.area_report(zone.geom)
        report["zone"] = s.ZoneSerializer(zone).data
        return Response(report)


class MunicipioViewSet(ProblemMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Municipio.objects.all()

    def get_serializer_class(self):
        return s.MunicipioDetailSerializer if self.action == "retrieve" else s.MunicipioSerializer

    def get_queryset(self):
        municipios = super().get_queryset()
        return municipios.defer("geom") if self.action == "list" else municipios


class CategoryViewSet(ProblemMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Category.objects.select_related("parent")
    serializer_class = s.CategorySerializer


class AgencyViewSet(ProblemMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Agency.objects.all()
    serializer_class = s.AgencySerializer


class FundingSourceViewSet(ProblemMixin, viewsets.ReadOnlyModelViewSet):
    queryset = FundingSource.objects.all()
    serializer_class = s.FundingSourceSerializer


class LocateView(ProblemMixin, APIView):
    """The municipio, localidad, AGEB and published zones that contain a point."""

    query_params = ("lon", "lat")

    @extend_schema(parameters=NEARBY_PARAMS[:2], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        point = parse_point(request.query_params.get("lon"), request.query_params.get("lat"))
        municipio = Municipio.objects.containing(point).values("cvegeo", "name").first()
        localidad = (
            Localidad.objects.filter(geom__intersects=point).values("cvegeo", "name", "ambito").first()
        )
        ageb = Ageb.objects.filter(geom__intersects=point).values("cvegeo", "ambito").first()
        zones = visible_zones(request.user).containing(point).order_by("-fiscal_year", "kind")
        return Response(
            {
                "lon": point.x,
                "lat": point.y,
                "municipio": municipio,
                "localidad": localidad,
                "ageb": ageb,
                "zones": list(zones.values("id", "kind", "fiscal_year", "cvegeo", "name")),
            }
        )


class AreaSummaryView(ProblemMixin, APIView):
    """Report card of a drawn polygon (GeoJSON Polygon/MultiPolygon or a Feature holding one)."""

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT})
    def post(self, request):
        # The raw body, not request.data: DRF's JSON parser answers non-UTF-8 and deeply nested
        # bodies with an English message or a RecursionError; the one parser names the problem.
        area = parse_polygon(request.body, "geometry")
        return Response(summaries.area_report(area))


class AreaSummaryXlsxView(ProblemMixin, APIView):
    """The drawn area's report card as an XLSX workbook: the same tables as a zone's card (breakdowns,
    household need with disclosure control, every published work inside the polygon)."""

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY
        },
    )
    def post(self, request):
        area = parse_polygon(request.body, "geometry")
        report = summaries.area_report(area)
        context = {"report": report, "need": pages.need_rows(report["household_needs"])}
        works = summaries.works_in_area(area, Work.objects.published())
        subtitle = _("Ficha de la zona trazada, %(km2)s km²") % {"km2": report["area_km2"]}
        body = tables_io.to_xlsx(
            card_tables.card_tables(context, works), _("Área trazada"), subtitle, timezone.localtime()
        )
        response = HttpResponse(body, content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="ficha-area-trazada.xlsx"'
        return response


INVESTMENT_PARAMS = [
    OpenApiParameter("by", str, enum=["zone", "municipio"], description="Agrupar por zona o municipio"),
    OpenApiParameter("type", str, enum=Zone.Kind.values, description="Tipo de zona (con by=zone)"),
    OpenApiParameter("year", int, description="Ejercicio fiscal de obras y zonas"),
]


class InvestmentSummaryView(ProblemMixin, APIView):
    """Investment by zone or municipio; works outside all of them in their own row."""

    query_params = ("by", "type", "year")

    def rows(self, request):
        by = request.query_params.get("by", "zone")
        year_raw = request.query_params.get("year")
        year = parse_integer(year_raw, "year", 2000, 2100) if year_raw else None
        kind = request.query_params.get("type") or None
        if by not in ("zone", "municipio"):
            raise ValidationError({"by": _("Use by=zone o by=municipio.")})
        if kind is not None and (by != "zone" or kind not in Zone.Kind.values):
            raise ValidationError({"type": _("Tipo de zona desconocido o sin by=zone.")})
        return by, summaries.investment_table(by, kind, year)

    @extend_schema(parameters=INVESTMENT_PARAMS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        by, rows = self.rows(request)
        return Response({"by": by, "rows": rows})


class InvestmentSummaryCsvView(InvestmentSummaryView):
    """The same table as CSV; no rows (no municipios loaded yet) is an empty file."""

    @extend_schema(parameters=INVESTMENT_PARAMS, responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request):
        by, rows = self.rows(request)
        out = io.StringIO()
        if rows:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="inversion_por_{by}.csv"'
        return response


class FaisSummaryView(ProblemMixin, APIView):
    """FAIS money of a fiscal year inside the ZAP declared for that year, against the year's rule."""

    query_params = ("year", "municipio")

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, required=True, description="Ejercicio fiscal"),
            OpenApiParameter("municipio", str, description="CVEGEO del municipio"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        year = parse_integer(request.query_params.get("year"), "year", 2000, 2100)
        municipio = None
        if request.query_params.get("municipio"):
            municipio = Municipio.objects.filter(cvegeo=request.query_params["municipio"]).first()
            if municipio is None:
                raise ValidationError({"municipio": _("No existe un municipio con esa CVEGEO.")})
        return Response(summaries.fais_summary(year, municipio))


class WorksSummaryView(ProblemMixin, APIView):
    """Totals and breakdowns (status, category, year, executing agency, funding source) of the
    published works matching the work filters."""

    filterset_class = WorkFilter

    @extend_schema(parameters=WORK_FILTER_PARAMS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response(summaries.works_breakdown(filtered_works(request)))


class WorksGeoJSONExportView(ProblemMixin, APIView):
    """All published works matching the filters, as one GeoJSON file streamed from PostGIS."""

    filterset_class = WorkFilter

    @extend_schema(
        parameters=WORK_FILTER_PARAMS, responses={(200, "application/geo+json"): OpenApiTypes.BINARY}
    )
    def get(self, request):
        works = filtered_works(request)
        return exporters.streaming_download(
            exports.works_geojson(works), "application/geo+json", "obras.geojson"
        )


class WorksCsvExportView(ProblemMixin, APIView):
    """All published works matching the filters, as CSV with lon/lat, streamed by COPY."""

    filterset_class = WorkFilter

    @extend_schema(parameters=WORK_FILTER_PARAMS, responses={(200, "text/csv"): OpenApiTypes.BINARY})
    def get(self, request):
        works = filtered_works(request)
        return exporters.streaming_download(exports.works_csv(works), "text/csv; charset=utf-8", "obras.csv")


class WorksMapView(ProblemMixin, APIView):
    """A standalone HTML map (folium; it opens with no request to another host) of the published
    works matching the filters: GET for a selection (with `bbox` or `zone` it draws that outline),
    POST a GeoJSON polygon for a drawn area (the query's filters still apply)."""

    filterset_class = WorkFilter

    def _subject(self, request: Request, outline=None) -> standalone_maps.MapSubject:
        shown = [f"{k}={v}" for k, v in sorted(request.query_params.items()) if str(v).strip()]
        subtitle = _("Filtros: %(f)s") % {"f": " · ".join(shown)} if shown else _("Sin filtros")
        if outline is None and request.query_params.get("bbox", "").strip():
            outline = parse_bbox(request.query_params["bbox"])
        if outline is None and request.query_params.get("zone", "").strip():
            outline = Zone.objects.published().get(pk=int(request.query_params["zone"])).geom
        return standalone_maps.MapSubject(_("Obras seleccionadas"), subtitle, outline)

    @extend_schema(parameters=WORK_FILTER_PARAMS, responses={(200, "text/html"): OpenApiTypes.STR})
    def get(self, request):
        works = filtered_works(request)  # validates every filter before the outline reads them
        return map_download(request, works, self._subject(request), "mapa-obras.html")

    @extend_schema(
        parameters=WORK_FILTER_PARAMS,
        request=OpenApiTypes.OBJECT,
        responses={(200, "text/html"): OpenApiTypes.STR},
    )
    def post(self, request):
        area = parse_polygon(request.body, "geometry")
        works = summaries.works_in_area(area, filtered_works(request))
        subject = self._subject(request, outline=area)
        subject = standalone_maps.MapSubject(_("Área trazada"), subject.subtitle, area)
        return map_download(request, works, subject, "mapa-area-trazada.html")
