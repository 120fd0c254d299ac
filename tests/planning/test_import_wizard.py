"""The import wizard through HTTP: upload -> every column with samples and a guessed field (and why) ->
value maps for unknown coded values -> preview with accepted / warned / rejected rows -> the write,
whose progress the worker reports row by row. Mappings are saved by name and reused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from planning import jobs
from planning.models import ImportJob, ImportMapping
from works_map.models import Work

SHCP = "opa_ppi_guanajuato_puntos_2015_2019_2021.geojson"
SHCP_MAPPING = Path(__file__).resolve().parents[2] / "docs" / "import_mappings" / "shcp_opa_ppi.json"


@pytest.fixture
def immediate_imports(settings, media_root):
    settings.IMPORTS_RUN_IMMEDIATELY = True


def mapping_post(context, **extra) -> dict:
    """The mapping page's form as the page fills it, with the SHCP status words mapped."""
    status_words = json.loads(SHCP_MAPPING.read_text())["values"]["status"]
    data: dict = {"column": [c["name"] for c in context["columns"]], "mode": "valid"}
    for c in context["columns"]:
        data[f"field-{c['index']}"] = c["field"]
    for group in context["values"]:
        for n, entry in enumerate(group["entries"], start=1):
            data[f"raw-{group['field']}-{n}"] = entry["value"]
            fixed = " / ".join(part.strip() for part in entry["value"].split("/"))
            data[f"value-{group['field']}-{n}"] = status_words.get(fixed, "")
    data.update(extra)
    return data


def test_the_wizard_maps_previews_and_writes_the_shcp_register(
    client, admin_user, shared_data, inegi_municipios, federal_ppi_category, immediate_imports
):
    client.force_login(admin_user)
    path = shared_data / SHCP
    response = client.post(
        "/planeacion/importar/",
        {
            "file": SimpleUploadedFile(path.name, path.read_bytes()),
            "target": "works",
            "mode": "all",
            "zone_kind": "ZONA_IMPULSO",
        },
    )
    job = ImportJob.objects.get()
    assert response["Location"] == f"/planeacion/importar/{job.pk}/columnas/"
    page = client.get(response["Location"])
    columns = {c["name"]: c for c in page.context["columns"]}
    assert len(columns) == 16 and columns["ANIO_ARCHIVO"]["field"] == "fiscal_year"
    assert "CICLO" in columns["ANIO_ARCHIVO"]["why"] and columns["CICLO"]["field"] == ""
    assert columns["EJERCIDO"]["field"] == "amount_exercised" and columns["NOMBRE_PPI"]["samples"]
    (status_group,) = page.context["values"]
    assert {e["value"]: e["count"] for e in status_group["entries"]}["Vigente"] == 40
    html = page.content.decode()
    assert "Ejercicio fiscal" in html and "Monto ejercido" in html and "Valores sin equivalencia" in html

    data = mapping_post(
        page.context,
        action="preview",
        category_code="PPI_FEDERAL",
        default_status="EN_EJECUCION",
        publish="on",
        save_name="SHCP OPA PPI",
    )
    previewed = client.post(response["Location"], data)
    assert previewed.status_code == 302, previewed.content.decode()[:2000]
    job.refresh_from_db()
    assert (job.summary["kept"], job.summary["rejected"], Work.objects.count()) == (115, 4, 0)
    preview_page = client.get(f"/planeacion/importar/{job.pk}/").content.decode()
    assert "Aceptadas con avisos" in preview_page and 'id="import-map"' in preview_page
    assert "orden de ejes invertido" in preview_page

    saved = ImportMapping.objects.get(name="SHCP OPA PPI")
    assert (
        saved.columns["fiscal_year"] == "ANIO_ARCHIVO" and saved.values["status"]["Vigente"] == "EN_EJECUCION"
    )

    client.post(f"/planeacion/importar/{job.pk}/confirmar/")
    job.refresh_from_db()
    assert job.status == "DONE" and job.summary["created"] == 115
    assert Work.objects.filter(published=True).count() == 115


def test_unknown_fields_and_a_field_on_two_columns_are_refused_on_the_mapping_step(
    client, admin_user, shared_data, inegi_municipios, federal_ppi_category, immediate_imports
):
    client.force_login(admin_user)
    path = shared_data / SHCP
    client.post(
        "/planeacion/importar/",
        {
            "file": SimpleUploadedFile(path.name, path.read_bytes()),
            "target": "works",
            "mode": "all",
            "zone_kind": "ZONA_IMPULSO",
        },
    )
    job = ImportJob.objects.get()
    url = f"/planeacion/importar/{job.pk}/columnas/"
    context = client.get(url).context
    index = {c["name"]: c["index"] for c in context["columns"]}
    twice = mapping_post(context, action="preview", **{f"field-{index['CICLO']}": "fiscal_year"})
    response = client.post(url, twice)
    assert response.status_code == 400 and "asignado a dos columnas" in response.content.decode()
    unknown = mapping_post(context, action="preview", **{f"field-{index['CICLO']}": "ciclo_fiscal"})
    assert "Campo desconocido" in client.post(url, unknown).content.decode()
    assert ImportJob.objects.get().summary == {}


def test_a_saved_mapping_is_reused_for_the_next_file(
    client, admin_user, shared_data, inegi_municipios, federal_ppi_category, immediate_imports
):
    stored = json.loads(SHCP_MAPPING.read_text())
    ImportMapping.objects.create(
        name="SHCP",
        target="works",
        columns=stored["columns"],
        values=stored["values"],
        options={"category_code": "PPI_FEDERAL", "mode": "valid"},
    )
    client.force_login(admin_user)
    path = shared_data / SHCP
    client.post(
        "/planeacion/importar/",
        {
            "file": SimpleUploadedFile(path.name, path.read_bytes()),
            "target": "works",
            "mode": "all",
            "zone_kind": "ZONA_IMPULSO",
        },
    )
    job = ImportJob.objects.get()
    url = f"/planeacion/importar/{job.pk}/columnas/"
    client.post(url, {"action": "load", "saved": ImportMapping.objects.get().pk})
    job.refresh_from_db()
    assert (
        job.options["category_code"] == "PPI_FEDERAL"
        and job.options["mapping"]["status"] == "ESTATUS_OPERACION"
    )
    context = client.get(url).context
    # Every status word has its saved equivalent, the other spelling of "Concluido / Operación" too.
    entries = {e["value"]: e["choice"] for g in context["values"] for e in g["entries"]}
    assert entries["Calendario Fiscal Concluido/Operación"] == "TERMINADA" and all(entries.values())


def test_the_worker_reports_progress_row_by_row(
    admin_user, shared_data, inegi_municipios, federal_ppi_category, media_root, monkeypatch
):
    path = shared_data / SHCP
    stored = json.loads(SHCP_MAPPING.read_text())
    job = jobs.create_job(
        SimpleUploadedFile(path.name, path.read_bytes()),
        {
            "target": "works",
            "mode": "valid",
            "category_code": "PPI_FEDERAL",
            "mapping": stored["columns"],
            "value_maps": stored["values"],
            "default_status": "EN_EJECUCION",
        },
        admin_user,
    )
    seen: list[int] = []
    writer = jobs._progress_writer

    def spy(job):
        write = writer(job)

        def record(done: int) -> None:
            write(done)
            job.status = ImportJob.Status.RUNNING
            seen.append(jobs.progress_of(job))

        return record

    monkeypatch.setattr(jobs, "_progress_writer", spy)
    jobs.enqueue(job)
    jobs.run(job.pk)
    assert len(seen) > 50 and seen == sorted(seen) and seen[-1] == 115
    job.refresh_from_db()
    assert job.status == "DONE" and job.progress == job.total


def test_zones_can_go_back_to_the_mapping_step_to_choose_their_columns(
    client, admin_user, shared_data, immediate_imports
):
    from priority_zones.models import Zone

    client.force_login(admin_user)
    path = shared_data / "gto_municipios_2010.topojson"
    response = client.post(
        "/planeacion/importar/",
        {
            "file": SimpleUploadedFile(path.name, path.read_bytes()),
            "target": "zones",
            "mode": "valid",
            "zone_kind": "ZONA_IMPULSO",
            "fiscal_year": 2026,
        },
    )
    job = ImportJob.objects.get()
    assert response["Location"] == f"/planeacion/importar/{job.pk}/"  # zones: straight to the preview
    page = client.get(f"/planeacion/importar/{job.pk}/columnas/")
    assert page.status_code == 200 and "id_category_code" not in page.content.decode()
    data = mapping_post(page.context, action="preview", fiscal_year=2026, repair="on")
    name_index = next(c["index"] for c in page.context["columns"] if c["field"] == "name")
    data[f"field-{name_index}"] = ""  # the guessed name column left out: the zones have no name now
    response = client.post(f"/planeacion/importar/{job.pk}/columnas/", data)
    assert response.status_code == 400 and "Faltan columnas para: name" in response.content.decode()
    assert Zone.objects.count() == 0
