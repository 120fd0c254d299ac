from django.urls import path

from growth import views

app_name = "growth"
urlpatterns = [
    path("api/growth/indicators", views.indicators, name="indicators"),
    path("api/growth/children/<int:pk>/measurements", views.api_measurement, name="api-measurement"),
    path("crecimiento/tamizaje/", views.caregiver_screening, name="screening"),
    path("crecimiento/personal/", views.staff_home, name="staff"),
    path("crecimiento/personal/ninos/nuevo/", views.register_child, name="register"),
    path("crecimiento/personal/ninos/<int:pk>/", views.child_detail, name="child"),
    path("crecimiento/personal/ninos/<int:pk>/mediciones/", views.add_measurement, name="measure"),
    path("crecimiento/personal/ninos/<int:pk>/tamizaje/", views.add_screening, name="screen"),
    path("crecimiento/personal/ninos/<int:pk>/suprimir/", views.erase_child, name="erase"),
    path("crecimiento/personal/referencias/", views.referrals, name="referrals"),
    path("crecimiento/personal/referencias/<int:pk>/estado/", views.referral_status, name="referral-status"),
    path("crecimiento/personal/importar/", views.import_measurements, name="import"),
    path("crecimiento/personal/orientacion/", views.guidance, name="guidance"),
]
