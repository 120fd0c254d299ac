from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from works_map.api import views

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
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("locate", views.LocateView.as_view(), name="locate"),
    path("summary", views.AreaSummaryView.as_view(), name="area-summary"),
    path("summary.xlsx", views.AreaSummaryXlsxView.as_view(), name="area-summary-xlsx"),
    path("summaries/investment", views.InvestmentSummaryView.as_view(), name="investment"),
    path("summaries/investment.csv", views.InvestmentSummaryCsvView.as_view(), name="investment-csv"),
    path("summaries/works", views.WorksSummaryView.as_view(), name="works-summary"),
    path("summaries/fais", views.FaisSummaryView.as_view(), name="fais"),
    path("export/works.geojson", views.WorksGeoJSONExportView.as_view(), name="export-geojson"),
    path("maps/works.html", views.WorksMapView.as_view(), name="works-map"),
    path("export/works.csv", views.WorksCsvExportView.as_view(), name="export-csv"),
    *router.urls,
]
