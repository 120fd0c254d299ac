from django.urls import path

from participation import staff_views as views

app_name = "participation-staff"
urlpatterns = [
    path("", views.queue_page, name="queue"),
    path("reportes/<int:pk>/", views.report_page, name="report"),
    path("reportes/<int:pk>/<slug:step>/", views.report_step, name="step"),
    path("arco/", views.arco, name="arco"),
    path("obras/<int:pk>/comite/", views.committee_create, name="committee"),
    path("comites/<int:pk>/obras/<int:work>/cedulas/", views.vigilance_create, name="vigilance"),
    path("comites/<int:pk>/acta.pdf", views.acta_download, name="acta"),
]
