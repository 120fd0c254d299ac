from django.urls import path

from works_map import views

app_name = "works_map"
urlpatterns = [
    path("", views.home, name="home"),
    path("obras/<int:pk>/", views.work_detail, name="work"),
    path("municipios/<str:cvegeo>/", views.municipio_card, name="municipio"),
    path("lugares/buscar", views.place_search, name="place-search"),
    path("zonas/<int:pk>/", views.zone_card, name="zone"),
    path("areas/<str:code>/", views.area_card, name="area"),
    path("datos/", views.data_catalogue, name="catalogue"),
    path("datos/catalogo.json", views.data_catalogue_dcat, name="catalogue-dcat"),
    path("zonas/<int:pk>/mapa.html", views.zone_map, name="zone-map"),
    path("municipios/<str:cvegeo>/mapa.html", views.municipio_map, name="municipio-map"),
    path("municipios/<str:cvegeo>/ficha.xlsx", views.municipio_tables, name="municipio-xlsx"),
    path("municipios/<str:cvegeo>/ficha/<slug:table>.csv", views.municipio_tables, name="municipio-csv"),
    path("zonas/<int:pk>/ficha.xlsx", views.zone_tables, name="zone-xlsx"),
    path("zonas/<int:pk>/ficha/<slug:table>.csv", views.zone_tables, name="zone-csv"),
    path("api/summaries/need-investment", views.need_investment_table, name="need-investment"),
]
