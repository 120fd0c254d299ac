from django.urls import path

from budget import staff, views

app_name = "budget"
urlpatterns = [
    path("", views.page, {"slug": "resumen"}, name="home"),
    path("glosario/", views.glossary, name="glossary"),
    path("cargar/", staff.upload, name="upload"),
    path("programas/<str:code>/", views.program, name="program"),
    path("<slug:slug>/", views.page, name="page"),
]
