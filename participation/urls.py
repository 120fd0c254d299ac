from django.urls import path
from rest_framework.routers import SimpleRouter

from participation import api, views

app_name = "participation"

router = SimpleRouter(trailing_slash=False)  # no API root view: "" is the home page
router.register("api/participacion/reportes", api.CitizenReportViewSet, basename="report-api")

urlpatterns = [
    path("participa/obras/<int:pk>/reportar/", views.report_form, name="report"),
    path("participa/obras/<int:pk>/reportes/", views.work_reports, name="work-reports"),
    path("participa/reportar/", views.report_from_map, name="report-from-map"),
    path("participa/seguimiento/", views.track_lookup, name="track-lookup"),
    path("participa/seguimiento/<str:code>/", views.track, name="track"),
    path("participa/fotos/<str:token>.jpg", views.photo, name="photo"),
    path("participa/dependencias/<int:pk>/", views.agency_page, name="agency"),
    *router.urls,
]
