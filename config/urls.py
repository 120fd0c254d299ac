from django.contrib import admin
from django.urls import include, path

from layers import views as layer_views
from planning import auth, health

# The admin's login is throttled like the site's (planning.auth).
admin.site.login_form = auth.ThrottledAdminAuthenticationForm

# Errors on /api/, /ogc/ and /tiles/ are problem+json, HTML elsewhere; a lost database is a 503.
handler400 = "gis_core.http.bad_request"
handler403 = "gis_core.http.permission_denied"
handler404 = "gis_core.http.page_not_found"
handler500 = "gis_core.http.server_error"

urlpatterns = [
    path("health", health.health, name="health"),
    path("admin/login/", auth.admin_login),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("cuenta/entrar/", auth.LoginView.as_view(), name="login"),
    path("cuenta/salir/", auth.LogoutView.as_view(), name="logout"),
    path("planeacion/participacion/", include("participation.staff_urls")),
    path("planeacion/", include("planning.urls")),
    path("", include("participation.urls")),
    path("api/", include("works_map.api.urls")),
    path("ogc/", include("gis_core.ogc")),
    path("tiles/", include("layers.urls")),
    path("", include("consultations.urls")),
    path("", include("chat.urls")),
    path("presupuesto/", include("budget.urls")),
    path("api/budget/", include("budget.api")),
    # PMTiles archives on a filesystem MEDIA_STORAGE, with range requests (nginx serves them itself).
    path("media/pmtiles/<str:filename>", layer_views.pmtiles_archive, name="pmtiles-archive"),
    path("", include("works_map.urls")),
    path("", include("priority_zones.urls")),
    path("", include("growth.urls")),
]
