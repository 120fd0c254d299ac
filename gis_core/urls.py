from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("works_map.api.urls")),
    path("ogc/", include("gis_core.ogc")),
    path("tiles/", include("layers.urls")),
    path("", include("works_map.urls")),
    path("", include("priority_zones.urls")),
]
