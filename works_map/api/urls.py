from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from works_map.api import views
from works_map.exports import DATASETS

router = DefaultRouter(trailing_slash=False)
router.register("works", views.WorkViewSet, basename="work")
router.register("zones", views.ZoneViewSet, basename="zone")
router.register("municipios", views.MunicipioViewSet, basename="municipio")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("agencies", views.AgencyViewSet, basename="agency")
router.register("funding-sources", views.FundingSourceViewSet, basename="funding-source")

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script from a URL instead of inline (Content-Security-Policy).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("locate", views.LocateView.as_view(), name="locate"),
    path("summary", views.AreaSummaryView.as_view(), name="area-summary"),
    path("areas", views.PublicAreaSaveView.as_view(), name="public-area-save"),
    path("areas/<str:code>", views.PublicAreaDetailView.as_view(), name="public-area"),
    path("summary/works", views.AreaWorksView.as_view(), name="area-works"),
    path("export/area/works.geojson", views.AreaWorksGeoJSONExportView.as_view(), name="area-export-geojson"),
    path("export/area/works.csv", views.AreaWorksCsvExportView.as_view(), name="area-export-csv"),
    path("summary.xlsx", views.AreaSummaryXlsxView.as_view(), name="area-summary-xlsx"),
    path("summaries/investment", views.InvestmentSummaryView.as_view(), name="investment"),
    path("summaries/investment.csv", views.InvestmentSummaryCsvView.as_view(), name="investment-csv"),
    path("summaries/investment/crosstab", views.InvestmentCrosstabView.as_view(), name="investment-crosstab"),
    path("summaries/works", views.WorksSummaryView.as_view(), name="works-summary"),
    path("summaries/fais", views.FaisSummaryView.as_view(), name="fais"),
    path("summaries/fais/compliance", views.FaisComplianceView.as_view(), name="fais-compliance"),
    path("export/oc4ids.json", views.OC4IDSExportView.as_view(), name="export-oc4ids"),
    path("export/oc4ids/<int:pk>.json", views.OC4IDSWorkView.as_view(), name="export-oc4ids-work"),
    *(
        path(f"export/{name}.{fmt}", views.export_view(dataset, fmt), name=f"export-{name}-{fmt}")
        for name, dataset in DATASETS.items()
        for fmt in dataset.formats
    ),
    re_path(
        r"^export/(?P<dataset>[^/.]+)\.(?P<fmt>[^/]+)$", views.UnknownExportView.as_view(), name="export"
    ),
    path("maps/works.html", views.WorksMapView.as_view(), name="works-map"),
    *router.urls,
]
