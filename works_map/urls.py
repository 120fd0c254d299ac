from django.urls import path

from works_map import views

app_name = "works_map"
urlpatterns = [
    path("", views.home, name="home"),
]
