"""The citizen budget pages over real HTTP, their downloads, the API filters and the upload page."""

from __future__ import annotations

import json
from io import BytesIO

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db

INCOME = (
    "ejercicio,rubro,tipo,concepto,estimado,modificado,devengado,recaudado\n"
    "2025,1,15,Nóminas,100.00,100.00,90.00,90.00\n2025,8,82,Aportaciones,900.00,900.00,900.00,900.00\n"
    "2025,TOTAL,,,1000.00,1000.00,990.00,990.00\n"
)
TRANSFERS = (
    "ejercicio,municipio,fondo,monto\n2025,11020,FAIS-FISMDF,1000.00\n2025,11045,FORTAMUN,501435.00\n"
    "2025,TOTAL,,502435.00\n"
)


@pytest.fixture
def budget(budget_2025, load, leon, xichu, work_well_xichu):
    assert load(INCOME, kind="ingresos").committed
    assert load(TRANSFERS, kind="transferencias").committed
    work_well_xichu.budget_program = "K001"
    work_well_xichu.fiscal_year = 2025
    work_well_xichu.save()
    return budget_2025


PAGES = [
    "/presupuesto/",
    "/presupuesto/ingresos/",
    "/presupuesto/gasto/",
    "/presupuesto/dependencias/",
    "/presupuesto/municipios/",
    "/presupuesto/avance/",
    "/presupuesto/comparacion/",
    "/presupuesto/glosario/",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_draws_its_chart_on_the_server_with_its_data_table(client, budget, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    if "glosario" not in url:
        assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html
        assert '<table class="data">' in html
    assert "Presupuesto sintético" not in html  # this budget was not loaded as synthetic


def test_the_income_page_tells_federal_from_own_money(client, budget):
    html = client.get("/presupuesto/ingresos/").content.decode()
    assert "Dinero de la Federación" in html and "$900" in html and "(90.0 %)" in html


def test_spending_drills_down_from_chapter_to_concept_to_generic_partida(client, budget):
    html = client.get("/presupuesto/gasto/?capitulo=6000&concepto=6100").content.decode()
    assert (
        "6130" in html
        and "6140" in html
        and "1130" not in html.split("Concepto 6100")[1].split("programa")[0]
    )
    assert client.get("/presupuesto/gasto/?funcion=2.2").status_code == 200


def test_a_program_shows_its_works_on_a_map(client, budget):
    html = client.get("/presupuesto/programas/K001/?anio=2025").content.decode()
    assert "Red de agua potable en Xichú" in html and "<circle" in html
    assert client.get("/presupuesto/programas/NOPE/").status_code == 404


def test_the_municipio_page_has_a_choropleth_per_inhabitant(client, budget):
    html = client.get("/presupuesto/municipios/").content.decode()
    assert html.count("<path d=") == 2 and "Xichú: $45" in html  # 501,435 / 11,143 people


@pytest.mark.parametrize(
    "url",
    [
        "/presupuesto/?anio=1999",
        "/presupuesto/gasto/?formato=pdf",
        "/presupuesto/gasto/?capitulo=x'or",
        "/presupuesto/gasto/?formato=csv&tabla=nada",
    ],
)
def test_bad_parameters_are_a_400_naming_them(client, budget, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_every_page_downloads_as_csv_xlsx_and_json(client, budget):
    csv_text = client.get("/presupuesto/gasto/?anio=2025&formato=csv&tabla=programas").content.decode()
    assert csv_text.splitlines()[0].startswith("Programa,Nombre,Obras,Aprobado")
    assert "K001,Agua potable,1,1000000.00" in csv_text
    book = load_workbook(BytesIO(client.get("/presupuesto/dependencias/?formato=xlsx").content))
    assert book.sheetnames == ["Por dependencia"]
    data = json.loads(client.get("/presupuesto/municipios/?formato=json").content)
    assert [r[0] for r in data["municipios"]["rows"]] == ["11020", "11045"]


def test_the_api_filters_by_every_classification(client, budget):
    def count(query: str) -> int:
        response = client.get(f"/api/budget/lines?{query}")
        assert response.status_code == 200, response.content
        return len(response.json()["results"])

    assert count("year=2025") == 3
    assert count("fuente=25") == 1 and count("capitulo=6000") == 2 and count("partida=1130") == 1
    assert count("funcion=2.2") == 2 and count("subfuncion=2.5.1") == 1 and count("programa=K003") == 1
    assert count("ramo=10&dependencia=1001&tipo_gasto=2&finalidad=2&concepto=6100&quarter=4") == 2
    assert client.get("/api/budget/lines?colour=red").status_code == 400
    assert client.get("/api/budget/income?rubro=8").json()["results"][0]["tipo"] == "82"
    assert client.get("/api/budget/transfers?municipio=11045").json()["results"][0]["fund"] == "FORTAMUN"


def test_the_budget_api_is_in_the_openapi_schema_with_its_filters(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    names = {p["name"] for p in schema["paths"]["/api/budget/lines"]["get"]["parameters"]}
    assert {
        "ramo",
        "dependencia",
        "funcion",
        "subfuncion",
        "capitulo",
        "concepto",
        "partida",
        "tipo_gasto",
        "fuente",
        "programa",
    } <= names


def test_the_old_upload_address_leads_administrators_to_the_import_wizard(client, admin_user, planner_leon):
    assert client.get("/presupuesto/cargar/").status_code == 302  # to the login page
    client.force_login(planner_leon)
    assert client.get("/presupuesto/cargar/").status_code == 403
    client.force_login(admin_user)
    response = client.get("/presupuesto/cargar/")
    assert response["Location"] == "/planeacion/importar/?destino=budget_expense"
    # The loading itself is tested through the wizard: tests/planning/test_import_budget.py.


@pytest.mark.parametrize(
    "query",
    ["year=99999999999999999999", "year=abc", "quarter=-1", "year=1e400", "municipio=%00", "fund=NOPE"],
)
def test_odd_api_filter_values_are_an_answer_or_a_400_never_a_500(client, budget, query):
    for path in ("/api/budget/lines", "/api/budget/income", "/api/budget/transfers"):
        name = query.split("=")[0]
        if name in ("municipio", "fund") and path != "/api/budget/transfers":
            continue
        response = client.get(f"{path}?{query}")
        assert response.status_code in (200, 400), (path, query, response.status_code)


def test_a_planner_links_a_work_to_its_budget_program_and_source_and_can_clear_them(
    client, planner_leon, leon, water_category, sop
):
    from django.urls import reverse

    from tests.planning.test_work_form import full_payload
    from works_map.models import Work

    client.force_login(planner_leon)
    payload = full_payload(leon, water_category, sop, budget_program="K001", budget_source="25")
    assert client.post(reverse("planning:work-create"), payload).status_code == 302
    work = Work.objects.get(folio=payload["folio"])
    assert (work.budget_program, work.budget_source) == ("K001", "25")
    refused = client.post(reverse("planning:work-edit", args=[work.pk]), {**payload, "budget_source": "99"})
    assert (
        refused.status_code == 400 and "No es una fuente de financiamiento CONAC" in refused.content.decode()
    )
    without = {k: v for k, v in payload.items() if not k.startswith("budget_")}
    assert client.post(reverse("planning:work-edit", args=[work.pk]), without).status_code == 302
    work.refresh_from_db()
    assert work.budget_program == "K001"  # left out of the POST: kept
    cleared = {**payload, "budget_program": "", "budget_source": ""}
    assert client.post(reverse("planning:work-edit", args=[work.pk]), cleared).status_code == 302
    work.refresh_from_db()
    assert (work.budget_program, work.budget_source) == ("", "")


def test_a_work_page_links_to_its_budget_program(client, budget, work_well_xichu):
    work_well_xichu.budget_source = "25"
    work_well_xichu.save()
    html = client.get(f"/obras/{work_well_xichu.pk}/").content.decode()
    assert 'href="/presupuesto/programas/K001/?anio=2025"' in html and "fuente CONAC 25" in html
    assert client.get("/presupuesto/programas/K001/?anio=2025").status_code == 200
