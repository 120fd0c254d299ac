from django.urls import path

from layers import views

app_name = "layers"
# Path parts are captured as strings so a non-integer z/x/y is a 400 naming the part, not a 404.
urlpatterns = [
    path("style.json", views.style, name="style"),
    path("raster/<slug:name>/legend.json", views.raster_legend, name="raster-legend"),
    path("raster/<slug:name>/<str:z>/<str:x>/<str:y>.png", views.raster_tile, name="raster-tile"),
    path("<slug:layer>.json", views.tilejson, name="tilejson"),
    path("<slug:layer>/<str:z>/<str:x>/<str:y>.mvt", views.vector_tile, name="vector-tile"),
]
