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
    path("api/summaries/need-investment", views.need_investment_table, name="need-investment"),
]
