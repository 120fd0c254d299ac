"""Budget files through the import wizard, as the works go: upload -> columns with guesses -> the dry-run
check with its per-row report and the difference with a loaded year -> the write by the worker.
Real files (cp1252 CSV with thousands separators, XLSX with number cells), real HTTP, the real worker."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import Workbook

from budget.models import BudgetLoad, ExpenseLine, IncomeLine, Transfer
from planning import jobs
from planning.models import ImportJob
from tests.budget.conftest import LINES, _total, changed, expense_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(settings, media_root):
    """The worker writes, as in production: a confirmed job waits in the queue."""
    settings.IMPORTS_RUN_IMMEDIATELY = False


def cp1252_semicolons(text: str) -> bytes:
    """The CSV as Excel on Windows saves it: semicolons, the ANSI code page, headers as people write them."""
    header, rest = text.split("\n", 1)
    header = (
        header.replace("ejercicio", "Ejercicio Fiscal")
        .replace("fuente", "Fuente de Financiamiento")
        .replace("programa,", "Programa Presupuestario,")
        .replace("aprobado", "Monto aprobado original")  # no synonym: the planner maps it
    )
    rest = rest.replace('","', '";"')
    return (header.replace(",", ";") + "\n" + rest).encode("cp1252")


def upload(client, data: bytes, name: str, target: str = "budget_expense"):
    return client.post(
        "/planeacion/importar/",
        {
            "file": SimpleUploadedFile(name, data),
            "target": target,
            "mode": "all",
            "zone_kind": "ZONA_IMPULSO",
        },
    )


def mapping_post(context, **extra) -> dict:
    data: dict = {"column": [c["name"] for c in context["columns"]], "action": "preview"}
    for c in context["columns"]:
        data[f"field-{c['index']}"] = c["field"]
    data.update(extra)
    return data


def through_mapping(client, data: bytes, name: str, target: str = "budget_expense", **fields) -> ImportJob:
    """Upload, take the guessed columns (plus `fields`: column name -> field), ask for the check."""
    response = upload(client, data, name, target)
    job = ImportJob.objects.latest("pk")
    assert response["Location"] == f"/planeacion/importar/{job.pk}/columnas/", response.content[:500]
    context = client.get(response["Location"]).context
    extra = {f"field-{c['index']}": fields[c["name"]] for c in context["columns"] if c["name"] in fields}
    checked = client.post(response["Location"], mapping_post(context, **extra))
    assert checked.status_code == 302, checked.content.decode()[:2000]
    job.refresh_from_db()
    return job


def test_a_cp1252_csv_with_thousands_separators_is_mapped_checked_and_written_by_the_worker(
    client, admin_user, queued
):
    client.force_login(admin_user)
    data = cp1252_semicolons(expense_csv().replace("Educación", "Educación"))
    response = upload(client, data, "egresos 2025.csv")
    job = ImportJob.objects.get()
    page = client.get(response["Location"])
    columns = {c["name"]: c for c in page.context["columns"]}
    assert columns["Ejercicio Fiscal"]["field"] == "ejercicio"
    assert "sinónimo" in columns["Fuente de Financiamiento"]["why"]
    assert columns["Programa Presupuestario"]["field"] == "programa"
    assert columns["Monto aprobado original"]["field"] == ""  # no guess: shown to the planner
    assert columns["programa_nombre"]["samples"] == ["Agua potable", "Urbanización", "Educación básica"]
    html = page.content.decode()
    assert "Objeto del gasto (partida)" in html and "cp1252" in html and "id_mode" not in html

    index = columns["Monto aprobado original"]["index"]
    checked = client.post(response["Location"], mapping_post(page.context, **{f"field-{index}": "aprobado"}))
    assert checked.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.summary["kept"], job.summary["rejected"]) == ("PREVIEW", 3, 0)
    assert job.summary["budget"]["totals"]["2025"]["aprobado"] == "3500000.00"
    preview = client.get(f"/planeacion/importar/{job.pk}/").content.decode()
    assert "$3,500,000.00" in preview and "Todo o nada" in preview and "reemplazar" not in preview
    assert ExpenseLine.objects.count() == 0  # nothing written before the confirmation

    client.post(f"/planeacion/importar/{job.pk}/confirmar/")
    job.refresh_from_db()
    assert job.status == "QUEUED" and ExpenseLine.objects.count() == 0
    assert '<progress id="import-progress"' in client.get(f"/planeacion/importar/{job.pk}/").content.decode()
    call_command("run_import_worker", "--once")
    job.refresh_from_db()
    assert job.status == "DONE", job.error
    assert ExpenseLine.objects.count() == 3 and job.progress == job.total == 3
    assert ExpenseLine.objects.get(programa="E071").programa_name == "Educación básica"
    load = BudgetLoad.objects.get(fiscal_year=2025, kind="egresos")
    assert (load.loaded_by, load.source_name, load.total) == ("admin", "egresos 2025.csv", Decimal("3500000"))
    status = client.get(f"/planeacion/importar/{job.pk}/estado.json").json()
    assert (status["status"], status["progress"], status["total"]) == ("DONE", 3, 3)
    assert "Presupuesto cargado" in client.get(f"/planeacion/importar/{job.pk}/").content.decode()


def test_an_xlsx_of_income_with_number_cells_goes_through_the_wizard(client, admin_user, queued):
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["Ejercicio", "Rubro", "Tipo", "Concepto", "Estimado", "Modificado", "Devengado", "Recaudado"]
    )
    sheet.append([2025, 1, 15, "Impuesto sobre nóminas", 4_500_000_000.0, 4_600_000_000.0, 4.4e9, 4.4e9])
    sheet.append([2025, 8, 82, "Aportaciones", 30_000_000_000.5, 30e9, 29e9, 29e9])
    sheet.append([2025, "TOTAL", None, None, 34_500_000_000.5, 34.6e9, 33.4e9, 33.4e9])
    out = io.BytesIO()
    book.save(out)
    client.force_login(admin_user)
    job = through_mapping(client, out.getvalue(), "ingresos.xlsx", "budget_income")
    assert job.summary["encoding"] == "xlsx" and job.summary["kept"] == 2, job.rejected
    client.post(f"/planeacion/importar/{job.pk}/confirmar/")
    call_command("run_import_worker", "--once")
    job.refresh_from_db()
    assert job.status == "DONE", job.error
    assert IncomeLine.objects.get(tipo="82").estimado == Decimal("30000000000.50")


def test_transfers_name_their_municipios_and_load_through_the_wizard(client, admin_user, leon, xichu, queued):
    text = 'ejercicio,clave_municipio,fondo,importe\n2025,020,FORTAMUN,"9,000.00"\n2025,TOTAL,,"9,000.00"\n'
    client.force_login(admin_user)
    job = through_mapping(client, text.encode(), "fortamun.csv", "budget_transfers")
    assert job.summary["mapping"] == {
        "ejercicio": "ejercicio",
        "municipio": "clave_municipio",
        "fondo": "fondo",
        "monto": "importe",
    }
    client.post(f"/planeacion/importar/{job.pk}/confirmar/")
    call_command("run_import_worker", "--once")
    assert Transfer.objects.get().municipio == leon


BAD_FILES = {
    "unknown CONAC partida": (
        changed(0, 7, "6180"),
        None,
        2,
        "partida genérica «6180» no está en el catálogo CONAC",
    ),
    "pagado above ejercido": (
        changed(0, 17, "850,000.00"),
        None,
        2,
        "momentos contradictorios: pagado (850000.00) mayor que ejercido (800000.00)",
    ),
    "control total off": (
        LINES,
        [*_total(LINES)[:12], "3,500,001.00", *_total(LINES)[13:]],
        5,
        "la suma de aprobado de el ejercicio 2025, trimestre 4 es 3,500,000.00 "
        "y la fila TOTAL dice 3,500,001.00",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_is_reported_row_by_row_and_nothing_is_written(client, admin_user, queued, case):
    rows, total, row, reason = BAD_FILES[case]
    client.force_login(admin_user)
    job = through_mapping(client, expense_csv(rows, total=total).encode(), "egresos.csv")
    assert job.status == "PREVIEW" and {"row": row, "reason": reason} in [
        {"row": r["row"], "reason": r["reason"]} for r in job.rejected
    ]
    page = client.get(f"/planeacion/importar/{job.pk}/").content.decode()
    assert reason.replace("«", "&laquo;").replace("»", "&raquo;") in page or reason in page
    assert 'id="budget-refused"' in page and "/confirmar/" not in page  # no button to send it
    assert reason in client.get(f"/planeacion/importar/{job.pk}/rechazadas.csv").content.decode()

    refused = client.post(f"/planeacion/importar/{job.pk}/confirmar/")
    assert refused.status_code == 400 and "problema(s)" in refused.content.decode()
    job.refresh_from_db()
    assert job.status == "PREVIEW"
    # Even queued by another path, the worker checks the file again and writes nothing.
    jobs.enqueue(job)
    call_command("run_import_worker", "--once")
    job.refresh_from_db()
    assert job.status == "FAILED" and reason in job.error
    assert ExpenseLine.objects.count() == 0 and BudgetLoad.objects.count() == 0


def test_a_loaded_year_is_replaced_only_when_ticked_with_the_difference_shown(client, admin_user, queued):
    from budget.actions import do_load_budget

    assert do_load_budget(expense_csv().encode(), "primero.csv", "egresos").committed
    client.force_login(admin_user)
    job = through_mapping(client, expense_csv(changed(0, 12, "1,100,000.00")).encode(), "segundo.csv")
    assert job.summary["budget"]["needs_replace"] == [2025]
    page = client.get(f"/planeacion/importar/{job.pk}/").content.decode()
    assert "diferencia si se reemplaza" in page and "$100,000.00" in page and 'name="reemplazar"' in page

    refused = client.post(f"/planeacion/importar/{job.pk}/confirmar/")
    assert refused.status_code == 400 and "2025 ya está cargado" in refused.content.decode()
    job.refresh_from_db()
    assert job.status == "PREVIEW" and ExpenseLine.objects.get(programa="K001").aprobado == 1_000_000

    client.post(f"/planeacion/importar/{job.pk}/confirmar/", {"reemplazar": "1"})
    call_command("run_import_worker", "--once")
    job.refresh_from_db()
    assert job.status == "DONE" and job.summary["budget"]["replaced"]
    assert ExpenseLine.objects.get(programa="K001").aprobado == 1_100_000 and ExpenseLine.objects.count() == 3
    assert "Diferencia con lo que había" in client.get(f"/planeacion/importar/{job.pk}/").content.decode()


def test_a_year_loaded_after_the_check_is_not_replaced_by_the_worker(client, admin_user, queued):
    from budget.actions import do_load_budget

    client.force_login(admin_user)
    job = through_mapping(client, expense_csv(changed(0, 12, "1,100,000.00")).encode(), "tarde.csv")
    assert job.summary["budget"]["needs_replace"] == []
    client.post(f"/planeacion/importar/{job.pk}/confirmar/")
    assert do_load_budget(expense_csv().encode(), "otro.csv", "egresos").committed  # meanwhile
    call_command("run_import_worker", "--once")
    job.refresh_from_db()
    assert job.status == "FAILED" and "2025 ya está cargado" in job.error
    assert ExpenseLine.objects.get(programa="K001").aprobado == 1_000_000


def test_only_an_administrator_imports_a_budget_and_the_old_page_leads_to_the_wizard(
    client, admin_user, planner_leon, queued
):
    client.force_login(planner_leon)
    refused = upload(client, expense_csv().encode(), "egresos.csv")
    assert (
        refused.status_code == 400
        and "Solo un administrador carga el presupuesto" in refused.content.decode()
    )
    assert ImportJob.objects.count() == 0
    assert client.get("/presupuesto/cargar/").status_code == 403

    client.force_login(admin_user)
    response = client.get("/presupuesto/cargar/?tipo=ingresos")
    assert (
        response.status_code == 302 and response["Location"] == "/planeacion/importar/?destino=budget_income"
    )
    page = client.get(response["Location"]).content.decode()
    assert '<option value="budget_income" selected>' in page
    wrong = upload(client, b'{"type": "FeatureCollection", "features": []}', "egresos.geojson")
    assert wrong.status_code == 400 and "use CSV o XLSX" in wrong.content.decode()


def test_a_file_that_cannot_be_read_is_a_400_naming_why_on_the_columns_step(client, admin_user, queued):
    client.force_login(admin_user)
    response = upload(client, b"PK\x03\x04 not really a workbook", "egresos.xlsx")
    page = client.get(response["Location"])
    assert page.status_code == 400 and "no se puede abrir" in page.content.decode()
    empty = upload(client, b"", "vacio.csv")
    assert empty.status_code == 400 and ImportJob.objects.count() == 1  # Django refuses an empty upload


def test_the_mapping_step_refuses_a_missing_field_and_a_field_on_two_columns(client, admin_user, queued):
    client.force_login(admin_user)
    upload(client, expense_csv().encode(), "egresos.csv")
    job = ImportJob.objects.get()
    url = f"/planeacion/importar/{job.pk}/columnas/"
    context = client.get(url).context
    index = {c["name"]: c["index"] for c in context["columns"]}
    without = client.post(url, mapping_post(context, **{f"field-{index['partida']}": ""}))
    assert without.status_code == 400 and "Faltan columnas para: partida" in without.content.decode()
    twice = client.post(url, mapping_post(context, **{f"field-{index['ramo_nombre']}": "ramo"}))
    assert twice.status_code == 400 and "asignado a dos columnas" in twice.content.decode()
    job.refresh_from_db()
    assert job.summary == {} and ExpenseLine.objects.count() == 0


def test_a_mapping_saved_in_the_wizard_loads_the_next_file_with_load_budget(
    client, admin_user, queued, tmp_path
):
    import json

    from django.core.management.base import CommandError

    from planning.models import ImportMapping

    data = cp1252_semicolons(expense_csv())
    client.force_login(admin_user)
    response = upload(client, data, "egresos.csv")
    context = client.get(response["Location"]).context
    index = next(c["index"] for c in context["columns"] if c["name"] == "Monto aprobado original")
    post = mapping_post(context, **{f"field-{index}": "aprobado"}, save_name="Egresos SFIA")
    answer = client.post(response["Location"], post)
    assert answer.status_code == 302
    saved = ImportMapping.objects.get(name="Egresos SFIA", target="budget_expense")
    assert saved.columns["aprobado"] == "Monto aprobado original"

    again = upload(client, data, "egresos-t1.csv")["Location"]
    client.post(again, {"action": "load", "saved": saved.pk})
    columns = {c["name"]: c for c in client.get(again).context["columns"]}
    assert columns["Monto aprobado original"]["field"] == "aprobado"
    assert columns["Monto aprobado original"]["why"] == "indicada por usted"

    (tmp_path / "egresos.csv").write_bytes(data)
    (tmp_path / "mapa.json").write_text(json.dumps(saved.as_json()), encoding="utf-8")
    said = io.StringIO()
    with pytest.raises(CommandError, match="No se cargó nada"):  # by names alone there is no «aprobado»
        call_command("load_budget", str(tmp_path / "egresos.csv"), stderr=said)
    assert "Faltan columnas: aprobado" in said.getvalue()
    call_command("load_budget", str(tmp_path / "egresos.csv"), "--mapping-file", str(tmp_path / "mapa.json"))
    assert ExpenseLine.objects.count() == 3
    with pytest.raises(CommandError, match="invalid choice"):  # the geographic importer is not the way
        call_command("import_file", str(tmp_path / "egresos.csv"), "--target", "budget_expense")
