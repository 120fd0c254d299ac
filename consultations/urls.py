from django.urls import path

from consultations import views

app_name = "consultations"
urlpatterns = [
    path("consultas/", views.consultation_list, name="list"),
    path("consultas/<int:pk>/", views.consultation_detail, name="detail"),
    path("consultas/<int:pk>/documento", views.consultation_document, name="document"),
    path("consultas/<int:pk>/opinar", views.opinion_submit, name="opinion"),
    path("seguir/", views.follow_form, name="follow"),
    path("seguir/confirmar/<str:token>/", views.follow_confirm, name="follow-confirm"),
    path("seguir/baja/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("aviso-de-privacidad/", views.privacy_notice, name="privacy"),
    path("planeacion/consultas/", views.staff_list, name="staff-list"),
    path("planeacion/consultas/nueva/", views.staff_create, name="staff-create"),
    path("planeacion/consultas/<int:pk>/", views.staff_detail, name="staff-detail"),
    path("planeacion/consultas/<int:pk>/responder/", views.staff_answer, name="staff-answer"),
    path("planeacion/consultas/<int:pk>/resultados/", views.staff_results, name="staff-results"),
    path("planeacion/datos-personales/", views.staff_erasure, name="staff-erasure"),
]
