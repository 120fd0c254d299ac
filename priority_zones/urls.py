from django.urls import path

from priority_zones import views

app_name = "priority_zones"
urlpatterns = [
    path("api/households/", views.household_list, name="household-list"),
    path("api/households/<int:pk>/", views.household_detail, name="household-detail"),
    path("api/summaries/need", views.need_summary, name="need-summary"),
]
