"""Only the endpoints under test, so half-finished apps elsewhere in the tree cannot break these tests.

The production wiring (config/urls.py) includes the same two modules at the same prefixes;
test_api_wiring.py checks that.
"""

from django.urls import include, path

urlpatterns = [
    path("api/", include("works_map.api.urls")),
    path("ogc/", include("gis_core.ogc")),
]
