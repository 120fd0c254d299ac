from django.urls import path

from planning import views

app_name = "planning"
urlpatterns = [
    path("", views.workspace, name="workspace"),
    path("buffer", views.buffer, name="buffer"),
    path("lugar", views.place, name="place"),
    path("fais/", views.fais_status, name="fais"),
    path("importar/", views.import_start, name="import"),
    path("importar/<int:pk>/", views.import_job, name="import-job"),
    path("importar/<int:pk>/columnas/", views.import_mapping, name="import-mapping"),
    path("importar/<int:pk>/confirmar/", views.import_confirm, name="import-confirm"),
    path("importar/<int:pk>/estado.json", views.import_status, name="import-status"),
    path("importar/<int:pk>/rechazadas.csv", views.import_rejected, name="import-rejected"),
    path("obras/nueva/", views.work_form, name="work-create"),
    path("obras/publicar/", views.works_publish, name="works-publish"),
    path("obras/<int:pk>/", views.work_form, name="work-edit"),
    path("obras/<int:pk>/eliminar/", views.work_delete, name="work-delete"),
    path("obras/<int:pk>/avance/", views.progress_form, name="progress"),
    path("avances/<int:pk>/revisar/", views.progress_review, name="progress-review"),
    path("zap/declaratoria/", views.zap_declaration, name="zap-declaration"),
    path("zonas/nueva/", views.zone_form, name="zone-create"),
    path("zonas/<int:pk>/", views.zone_form, name="zone-edit"),
    path("zonas/<int:pk>/eliminar/", views.zone_delete, name="zone-delete"),
    path("<str:kind>/<int:pk>/versiones/", views.versions, name="versions"),
    path("<str:kind>/<int:pk>/versiones/<int:number>/revertir/", views.revert, name="revert"),
]
