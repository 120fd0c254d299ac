"""Thin API views: parse through gis_core.geometry, query through QuerySet methods and summaries."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from gis_core import exporters
from gis_core import tables as tables_io
from gis_core.geometry import parse_bbox, parse_integer, parse_number, parse_point, parse_polygon
from gis_core.http import problem
from priority_zones.access import visible_zones
from priority_zones.models import Ageb, Localidad, Municipio, Zone
from works_map import (
    analysis,
    card_tables,
    exports,
    fais,
    oc4ids,
    pages,
    public_areas,
    standalone_maps,
    summaries,
)
from works_map.actions import do_save_public_area
from works_map.api import serializers as s
from works_map.api.base import DataChanged, IdCursorPagination, ProblemMixin, SharedSummaryMixin
from works_map.api.filters import WorkFilter
from works_map.models import (
    Agency,
    Category,
    FaisFund,
    FundingSource,
    PublicArea,
    Work,
    WorkAgency,
    WorkFunding,
)
from works_map.views import XLSX, map_download


def filtered_works(request: Request):
    """Published works through WorkFilter; a bad filter value raises a 400 naming it."""
    filterset = WorkFilter(request.query_params, queryset=Work.objects.published())
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs


# Integer primary keys: anything else in the URL is a 404 from the router, never a query.
ID_REGEX = "[0-9]{1,18}"

WORK_FILTER_PARAMS = [
    OpenApiParameter(name, str, description=str(f.extra.get("help_text", "")))
    for name, f in WorkFilter.base_filters.items()
]

# Ranges as the parsers enforce them (gis_core.geometry), so generated clients know them.
YEAR_SCHEMA = {"type": "integer", "minimum": 2000, "maximum": 2100}
NEARBY_PARAMS = [
    OpenApiParameter(
        "lon",
        {"type": "number", "minimum": -180, "maximum": 180},
        required=True,
        description="Longitud (CRS84)",
    ),
    OpenApiParameter(
        "lat", {"type": "number", "minimum": -90, "maximum": 90}, required=True, description="Latitud (CRS84)"
    ),
    OpenApiParameter(
        "radius_m",
        {"type": "number", "minimum": 1, "maximum": 50_000, "default": 1000},
        description="Radio en metros (1–50 000, 1 000 por omisión)",
    ),
    OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
        description="Máximo de resultados (1–100, 20 por omisión)",
    ),
]


class WorkViewSet(ProblemMixin, viewsets.ReadOnlyModelViewSet):
    """Published works (obras y acciones)."""

    queryset = Work.objects.published().select_related("category", "municipio")
    lookup_value_regex = ID_REGEX
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
        responses={(200, "application/geo+json"): OpenApiTypes.OBJECT},
        description=_("Obras como GeoJSON FeatureCollection."),
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
    lookup_value_regex = ID_REGEX
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
            OpenApiParameter("year", YEAR_SCHEMA, description="Ejercicio fiscal"),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, description=_("Ficha de la zona."))
    @action(detail=True, url_path="summary", pagination_class=None)
    def summary(self, request, pk=None):
        zone = self.get_object()
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
    lookup_value_regex = ID_REGEX
    queryset = Category.objects.select_related("parent")
    serializer_class = s.CategorySerializer


class AgencyViewSet(ProblemMixin, viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ID_REGEX
    queryset = Agency.objects.all()
    serializer_class = s.AgencySerializer


class FundingSourceViewSet(ProblemMixin, viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ID_REGEX
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


# GeoJSON Polygon/MultiPolygon, or a Feature holding one (CRS84).
POLYGON_BODY = {
    "application/json": {
        "type": "object",
        "required": ["type"],
        "properties": {
            "type": {"type": "string", "enum": ["Polygon", "MultiPolygon", "Feature"]},
            "coordinates": {"type": "array", "items": {"type": "array"}},
        },
    }
}


def drawn_area(request: Request):
    """The polygon in the request body, parsed by the one parser (a 400 naming `geometry`).

    The raw body, not request.data: DRF's JSON parser answers non-UTF-8 and deeply nested bodies
    with an English message or a RecursionError; the one parser names the problem."""
    return parse_polygon(request.body, "geometry")


class AreaSummaryView(ProblemMixin, APIView):
    """Report card of a drawn polygon (GeoJSON Polygon/MultiPolygon or a Feature holding one). The
    work filters in the query string narrow the works counted."""

    filterset_class = WorkFilter

    @extend_schema(request=POLYGON_BODY, parameters=WORK_FILTER_PARAMS, responses={200: OpenApiTypes.OBJECT})
    def post(self, request):
        area = drawn_area(request)
        return Response(summaries.area_report(area, filtered_works(request)))


class AreaWorksView(ProblemMixin, generics.GenericAPIView):
    """The published works inside a drawn polygon (by representative point), with the fields and
    filters of /api/works, paginated by cursor: POST the same polygon to the `next` link."""

    filterset_class = WorkFilter
    pagination_class = IdCursorPagination
    serializer_class = s.WorkSerializer

    def get_queryset(self):
        return (
            Work.objects.published().select_related("category", "municipio").defer("municipio__geom", "geom")
        )

    @extend_schema(request=POLYGON_BODY, parameters=WORK_FILTER_PARAMS, responses=s.WorkSerializer(many=True))
    def post(self, request):
        area = drawn_area(request)
        works = self.filter_queryset(self.get_queryset()).within(area)
        page = self.paginate_queryset(works)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class AreaWorksGeoJSONExportView(ProblemMixin, APIView):
    """Every published work inside a drawn polygon (and the filters), as one streamed GeoJSON file."""

    filterset_class = WorkFilter

    @extend_schema(
        request=POLYGON_BODY,
        parameters=WORK_FILTER_PARAMS,
        responses={(200, "application/geo+json"): OpenApiTypes.OBJECT},
    )
    def post(self, request):
        works = filtered_works(request).within(drawn_area(request))
        return exporters.streaming_download(
            exports.works_geojson(works), "application/geo+json", "obras_area.geojson"
        )


class AreaWorksCsvExportView(ProblemMixin, APIView):
    """Every published work inside a drawn polygon (and the filters), as CSV streamed by COPY."""

    filterset_class = WorkFilter

    @extend_schema(
        request=POLYGON_BODY,
        parameters=WORK_FILTER_PARAMS,
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
    )
    def post(self, request):
        works = filtered_works(request).within(drawn_area(request))
        return exporters.streaming_download(
            exports.works_csv(works), "text/csv; charset=utf-8", "obras_area.csv"
        )


class AreaSaveThrottle(SimpleRateThrottle):
    """Saves of public areas per client address (everyone, signed in or not)."""

    scope = "public-area-save"
    rate = f"{public_areas.SAVES_PER_HOUR}/hour"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PublicAreaSaveView(ProblemMixin, APIView):
    """Save a drawn polygon as a public area with a short permanent link (/areas/<code>/). The same
    polygon (once normalised) gives the same link: 201 when created, 200 when it already existed.
    At most public_areas.MAX_VERTICES vertices and MAX_AREA_KM2 km², touching Guanajuato; throttled
    per address (429)."""

    throttle_classes = [AreaSaveThrottle]

    @extend_schema(request=POLYGON_BODY, responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT})
    def post(self, request):
        area, created = do_save_public_area(public_areas.parse_area(request.body, "geometry"))
        return Response(public_area_json(request, area, created), status=201 if created else 200)


def public_area_json(request: Request, area: PublicArea, created: bool | None = None) -> dict:
    url = request.build_absolute_uri(reverse("works_map:area", args=[area.code]))
    body = {"code": area.code, "url": url, "area_km2": area.area_km2, "created_at": area.created_at}
    return body if created is None else {**body, "created": created}


class PublicAreaDetailView(ProblemMixin, APIView):
    """A saved public area: its link, geometry and report card (as POST /api/summary)."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, code: str):
        area = get_object_or_404(PublicArea, code=code)
        return Response(
            {
                **public_area_json(request, area),
                "geometry": json.loads(area.geom.json),
                "summary": summaries.area_report(area.geom),
            }
        )


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
    OpenApiParameter("year", YEAR_SCHEMA, description="Ejercicio fiscal de obras y zonas"),
]
# The table's own `year` (one year, zones and works alike) replaces the work filter of that name.
TABLE_WORK_FILTER_PARAMS = [p for p in WORK_FILTER_PARAMS if p.name != "year"]
TABLE_OWN = ("by", "type", "year", "format")


class InvestmentSummaryView(SharedSummaryMixin, ProblemMixin, APIView):
    """Investment by zone or municipio, with population and amounts per inhabitant; works outside
    all zones in their own row. Every work filter (source, category, agency, status...) narrows the
    works counted."""

    query_params = ("by", "type", "year")
    filterset_class = WorkFilter

    def rows(self, request):
        by = request.query_params.get("by", "zone")
        year_raw = request.query_params.get("year")
        year = parse_integer(year_raw, "year", 2000, 2100) if year_raw else None
        kind = request.query_params.get("type") or None
        if by not in ("zone", "municipio"):
            raise ValidationError({"by": _("Use by=zone o by=municipio.")})
        if kind is not None and (by != "zone" or kind not in Zone.Kind.values):
            raise ValidationError({"type": _("Tipo de zona desconocido o sin by=zone.")})
        filters = {k: v for k, v in request.query_params.items() if k not in TABLE_OWN and v.strip()}
        works = analysis.works_for(filters, Work.objects.published(), ()) if filters else None
        return by, summaries.investment_table(by, kind, year, works)

    @extend_schema(
        parameters=INVESTMENT_PARAMS + TABLE_WORK_FILTER_PARAMS, responses={200: OpenApiTypes.OBJECT}
    )
    def get(self, request):
        by, rows = self.rows(request)
        return Response({"by": by, "rows": rows})


class InvestmentSummaryCsvView(InvestmentSummaryView):
    """The same table as CSV; no rows (no municipios loaded yet) is an empty file."""

    @extend_schema(
        parameters=INVESTMENT_PARAMS + TABLE_WORK_FILTER_PARAMS,
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request):
        by, rows = self.rows(request)
        return csv_download(rows, f"inversion_por_{by}.csv")


def csv_download(rows: list[dict], filename: str, columns: list[str] | None = None) -> HttpResponse:
    out = io.StringIO()
    if rows or columns:
        writer = csv.DictWriter(out, fieldnames=columns or list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CsvRenderer(BaseRenderer):
    """Lets `?format=csv` reach a view that answers CSV itself (DRF would 404 an unknown format)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


CROSSTAB_OWN = ("by", "dim", "type", "zone_year", "format", "cursor", "page_size")


class InvestmentCrosstabView(SharedSummaryMixin, ProblemMixin, APIView):
    """Published works' investment by area (zone or municipio) x work fiscal year x funding source,
    category or executing agency, as JSON or CSV (`format=csv`). With dim=source each source counts
    its own share of a work (WorkFunding); category and agency count the work's amounts (a work with
    two executing agencies counts under both). With by=zone a work counts in every published zone
    holding its representative point and works in none form the `outside` rows. The JSON comes in
    pages of `page_size` areas (default 20; every row of an area on the same page, the outside rows
    last) linked by `next`; the CSV is the whole table, streamed."""

    query_params = ("by", "dim", "type", "zone_year", "cursor", "page_size")
    filterset_class = WorkFilter
    renderer_classes = [JSONRenderer, CsvRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "dim",
                str,
                enum=list(analysis.DIMENSIONS),
                required=True,
                description="Dimensión: fuente (repartida por su participación), categoría o "
                "dependencia ejecutora",
            ),
            OpenApiParameter(
                "by", str, enum=list(analysis.AREAS), description="Zona (por omisión) o municipio"
            ),
            OpenApiParameter("type", str, enum=Zone.Kind.values, description="Tipo de zona (con by=zone)"),
            OpenApiParameter(
                "zone_year", int, description="Solo zonas declaradas para ese ejercicio (con by=zone)"
            ),
            OpenApiParameter(
                "format",
                str,
                enum=["json", "csv"],
                description="json (por omisión, por páginas) o csv (completo)",
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": analysis.MAX_PAGE_SIZE},
                description=f"Áreas por página del JSON (por omisión {analysis.PAGE_SIZE})",
            ),
            OpenApiParameter(
                "cursor", str, description="Página siguiente: use el enlace «next» de la respuesta"
            ),
            *WORK_FILTER_PARAMS,
        ],
        responses={200: OpenApiTypes.OBJECT, (200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request):
        query = request.query_params
        options = analysis.parse_area_options(query)
        dim = query.get("dim") or ""
        if dim not in analysis.DIMENSIONS:
            raise ValidationError({"dim": _("Use dim=source, dim=category o dim=agency.")})
        filters = {k: v for k, v in query.items() if k not in CROSSTAB_OWN and v.strip()}
        whole = {k: v for k, v in query.items() if k not in ("format", "cursor", "page_size")}
        if query.get("format") == "csv":  # the whole answer, streamed (no cursor, no page size)
            for param in ("cursor", "page_size"):
                if query.get(param):
                    raise ValidationError({param: _("El CSV es la tabla completa: sin «%s».") % param})
            chunks = analysis.crosstab_chunks(filters, dim=dim, cache_query=whole, **options)
            name = f"inversion_{options['by']}_{dim}.csv"
            return exporters.streaming_download(
                exporters.csv_pieces(analysis.CROSSTAB_COLUMNS, chunks, dicts=True),
                "text/csv; charset=utf-8",
                name,
            )
        cursor = analysis.decode_cursor(query.get("cursor"))
        size = analysis.parse_page_size(query.get("page_size"))
        versions = analysis.data_versions()
        if cursor is not None and cursor[1] != versions:
            raise DataChanged(
                {
                    "cursor": _(
                        "Las obras o las zonas cambiaron después de la primera página: pida de nuevo "
                        "la primera (sin «cursor») o descargue el CSV, la tabla completa de un momento."
                    )
                }
            )
        after = cursor[0] if cursor is not None else None
        key = {k: v for k, v in query.items() if k != "format"}
        page = analysis.cached(
            "crosstab-page",
            key,
            lambda: analysis.crosstab_page(
                filters, dim=dim, after=after, size=size, cache_query=whole, **options
            ),
            versions,
        )
        following = None
        if page.next is not None:
            params = request.query_params.copy()
            params["cursor"] = analysis.encode_cursor(page.next, versions)
            following = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
        return Response({**options, "dim": dim, "page_size": size, "next": following, "rows": page.rows})


FAIS_PARAMS = [
    OpenApiParameter("year", YEAR_SCHEMA, required=True, description="Ejercicio fiscal"),
    OpenApiParameter("fund", str, enum=FaisFund.values, description="Fondo (FAIS-FISMDF por omisión)"),
    OpenApiParameter("municipio", str, description="CVEGEO del municipio"),
]


def fais_parameters(request: Request) -> tuple[int, str, Municipio | None]:
    year = parse_integer(request.query_params.get("year"), "year", 2000, 2100)
    fund = request.query_params.get("fund") or FaisFund.FISMDF
    if fund not in FaisFund.values:
        raise ValidationError({"fund": _("Use fund=FAIS-FISMDF o fund=FAIS-FISE.")})
    municipio = None
    if request.query_params.get("municipio"):
        municipio = Municipio.objects.filter(cvegeo=request.query_params["municipio"]).first()
        if municipio is None:
            raise ValidationError({"municipio": _("No existe un municipio con esa CVEGEO.")})
    return year, fund, municipio


class FaisSummaryView(SharedSummaryMixin, ProblemMixin, APIView):
    """One FAIS fund's money of a fiscal year inside the ZAP declared for that year, against the
    fund's rule for that year (with `municipio`, the municipio's PIZU minimum in ZAP urbanas)."""

    query_params = ("year", "municipio", "fund")

    @extend_schema(parameters=FAIS_PARAMS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        year, fund, municipio = fais_parameters(request)
        return Response(summaries.fais_summary(year, municipio, fund))


class FaisComplianceView(SharedSummaryMixin, ProblemMixin, APIView):
    """Per municipio, the ZAP-urbana minimum (PIZU) of a fund and year against what it invested there;
    per work, whether it meets the territorial rule (or why it cannot be evaluated)."""

    query_params = ("year", "municipio", "fund")

    @extend_schema(parameters=FAIS_PARAMS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        year, fund, municipio = fais_parameters(request)
        report = fais.municipio_compliance(year, fund, municipio)
        return Response({**report, "works": fais.work_flags(year, fund, municipio)})


class WorksSummaryView(SharedSummaryMixin, ProblemMixin, APIView):
    """Totals and breakdowns (status, category, year, executing agency, funding source) of the
    published works matching the work filters, cached per filter set until works or zones change
    (at a million works one fiscal year's breakdown takes about 1.4 s of SQL)."""

    filterset_class = WorkFilter

    @extend_schema(parameters=WORK_FILTER_PARAMS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        works = filtered_works(request)  # a bad filter is a 400 here, before the cache
        query = {k: v for k, v in request.query_params.items() if k != "format"}
        return Response(analysis.cached("works-summary", query, lambda: summaries.works_breakdown(works)))


class DatasetExportView(ProblemMixin, APIView):
    """One dataset of works_map.exports.DATASETS in one format: GeoJSON and CSV stream from the
    database; the file formats are written to a temporary file (at most EXPORT_MAX_FEATURES
    features) and sent. The download's name says what and when."""

    dataset_name = ""
    fmt = ""

    def dataset(self) -> exporters.Dataset:
        name = self.kwargs.get("dataset", self.dataset_name)
        if name not in exports.DATASETS:
            raise NotFound(_("No hay un conjunto de datos «%(name)s».") % {"name": name})
        return exports.DATASETS[name]

    def format(self, dataset: exporters.Dataset) -> str:
        fmt = self.kwargs.get("fmt", self.fmt)
        if fmt not in dataset.formats:
            raise ValidationError(
                {
                    "format": _("Formato desconocido «%(fmt)s»; los válidos son: %(valid)s.")
                    % {"fmt": fmt, "valid": ", ".join(dataset.formats)}
                }
            )
        return fmt

    def allowed_query_params(self) -> set[str]:
        return {*self.dataset().params}

    def get(self, request, **kwargs):
        dataset = self.dataset()
        fmt = self.format(dataset)
        rows = dataset.select(request.query_params.dict()) if dataset.select else None
        if rows is None:
            raise NotFound()
        filename = dataset.filename(fmt, timezone.localdate().isoformat())
        spec = exporters.FORMATS[fmt]
        if fmt == "geojson":
            return exporters.streaming_download(
                exporters.dataset_geojson(dataset, rows), spec.media_type, filename
            )
        if fmt == "csv":
            return exporters.streaming_download(
                exporters.dataset_csv(dataset, rows), spec.media_type, filename
            )
        # The limit is counted by the exporter, while ogr2ogr already runs where it writes the file.
        try:
            return exporters.file_download(dataset, rows, fmt, filename, limit=settings.EXPORT_MAX_FEATURES)
        except exporters.ExportTooLarge as too_large:
            count, limit = too_large.count, too_large.limit
        streamed = streamed_formats(dataset)
        return problem(
            413,
            _(
                "La descarga tendría %(count)s elementos y el límite de %(fmt)s es %(limit)s: "
                "acote la selección con filtros o use un formato que se transmite sin límite "
                "(%(streamed)s)."
            )
            % {
                "count": count,
                "fmt": _(spec.label),
                "limit": limit,
                "streamed": ", ".join(streamed),
            },
            title=_("Descarga demasiado grande"),
            count=count,
            limit=limit,
            streamed_formats=streamed,
        )


def streamed_formats(dataset: exporters.Dataset) -> list[str]:
    return [*exporters.STREAMED_FORMATS, *(name for name, _path in dataset.links)]


@extend_schema(exclude=True)
class UnknownExportView(DatasetExportView):
    """Any other /api/export/<name>.<format>: 404 for an unknown dataset, 400 naming an unknown format."""


def export_view(dataset: exporters.Dataset, fmt: str):
    """The view of one dataset in one format, with its own parameters in the OpenAPI document."""
    params = (
        WORK_FILTER_PARAMS if dataset.name == "works" else [OpenApiParameter(p, str) for p in dataset.params]
    )
    media = exporters.FORMATS[fmt].media_type.split(";")[0]
    cls: Any = type(
        f"Export_{dataset.name}_{fmt}", (DatasetExportView,), {"dataset_name": dataset.name, "fmt": fmt}
    )
    cls = extend_schema_view(
        get=extend_schema(
            parameters=params,
            responses={(200, media): OpenApiTypes.OBJECT if media.endswith("json") else OpenApiTypes.BINARY},
            description=f"{dataset.title}: {exporters.FORMATS[fmt].label}.",
        )
    )(cls)
    return cls.as_view()


class OC4IDSExportView(ProblemMixin, APIView):
    """The published works matching the work filters as an OC4IDS 0.9 project package, streamed.
    A zone's or a municipio's package is the same with `zone=` or `municipio=`."""

    filterset_class: type[WorkFilter] | None = WorkFilter

    def works(self, request, **kwargs):
        return filtered_works(request)

    @extend_schema(parameters=WORK_FILTER_PARAMS, responses={(200, "application/json"): OpenApiTypes.OBJECT})
    def get(self, request, **kwargs):
        works = self.works(request, **kwargs)
        published = oc4ids.last_change(works)
        if published is None:  # an OC4IDS package holds at least one project
            raise Http404(_("Ninguna obra publicada coincide con los filtros."))
        today = timezone.localdate().isoformat()
        return exporters.streaming_download(
            oc4ids.package(works, request.build_absolute_uri(), published),
            "application/json",
            f"obras_guanajuato_oc4ids_{today}.json",
        )


class OC4IDSWorkView(OC4IDSExportView):
    """One published work as an OC4IDS project package."""

    filterset_class = None

    def works(self, request, pk=None, **kwargs):
        return Work.objects.published().filter(pk=pk)


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
            # The work filter `zone` has already refused anything but a published zone's id (400).
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
