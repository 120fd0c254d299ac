"""Report cards to take away: each table of a zone or municipio card as CSV, all of them as one XLSX
workbook with real numbers and number formats under the card's title and date."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gis_core.tables import Column, Table, to_csv, to_xlsx

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_municipio_card_links_its_map_workbook_and_every_table(client, leon, work_road_leon):
    page = client.get(reverse("works_map:municipio", args=[leon.cvegeo])).content.decode()
    assert 'href="/municipios/11020/mapa.html"' in page
    assert 'href="/municipios/11020/ficha.xlsx"' in page
    for slug in ("resumen", "por-anio", "por-estatus", "por-categoria", "por-fuente", "obras"):
        assert f'href="/municipios/11020/ficha/{slug}.csv"' in page
        assert client.get(f"/municipios/11020/ficha/{slug}.csv").status_code == 200


def test_a_table_as_csv_keeps_plain_numbers(client, leon, work_road_leon, unpublished_work_leon):
    rows = _csv(client.get(reverse("works_map:municipio-csv", args=[leon.cvegeo, "obras"])))
    assert rows[0] == [
        "Id",
        "Folio",
        "Nombre",
        "Ejercicio",
        "Estatus",
        "Aprobado (MXN)",
        "Ejercido (MXN)",
        "Avance físico (%)",
    ]
    # Published works only; amounts machine-readable.
    assert rows[1:] == [
        [
            str(work_road_leon.pk),
            "LEO-2025-010",
            "Línea de conducción en León",
            "2025",
            "Terminada",
            "800000.00",
            "0.00",
            "0.00",
        ]
    ]
    year = _csv(client.get(reverse("works_map:municipio-csv", args=[leon.cvegeo, "por-anio"])))
    assert year == [
        ["Ejercicio", "Obras", "Aprobado (MXN)", "Ejercido (MXN)"],
        ["2025", "1", "800000.00", "0.00"],
    ]


def test_an_unknown_table_is_a_404_naming_the_valid_ones(client, leon):
    response = client.get(reverse("works_map:municipio-csv", args=[leon.cvegeo, "nada"]))
    assert response.status_code == 404
    assert response.json()["parameter"] == "table" and "por-anio" in response.json()["detail"]


def test_the_zone_workbook_has_a_sheet_per_table_with_title_date_and_number_formats(
    client, zap_xichu_2026, works_cluster_xichu
):
    response = client.get(reverse("works_map:zone-xlsx", args=[zap_xichu_2026.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="ficha-zona-{zap_xichu_2026.pk}.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:3] == ["Resumen", "Inversión por ejercicio fiscal", "Obras por estatus"]
    assert "Obras y acciones" in book.sheetnames
    sheet = book["Inversión por ejercicio fiscal"]
    assert sheet["A1"].value == f"{zap_xichu_2026.name} · Inversión por ejercicio fiscal"
    assert "Ficha de la zona" in sheet["A2"].value and "/20" in sheet["A2"].value  # dd/mm/yyyy
    assert [c.value for c in sheet[4]] == ["Ejercicio", "Obras", "Aprobado (MXN)", "Ejercido (MXN)"]
    year, works, approved = sheet["A5"].value, sheet["B5"].value, sheet["C5"].value
    inside = [w for w in works_cluster_xichu if zap_xichu_2026.geom.intersects(w.geom)]
    assert (year, works) == (2026, len(inside))
    assert Decimal(str(approved)) == sum(w.amount_approved for w in inside)
    assert sheet["C5"].number_format == '"$"#,##0.00' and sheet["B5"].number_format == "#,##0"
    assert sheet.freeze_panes == "A5"


def test_a_draft_zone_has_no_downloads_for_the_public(client, xichu):
    from tests.places import make_zone

    draft = make_zone(xichu, name="Borrador", published=False)
    assert client.get(reverse("works_map:zone-xlsx", args=[draft.pk])).status_code == 404
    assert client.get(reverse("works_map:zone-csv", args=[draft.pk, "obras"])).status_code == 404


def test_withheld_figures_are_empty_cells_not_zeros():
    table = Table(
        "t", "T", [Column("a"), Column("n", "integer"), Column("p", "percent")], [["x", None, None]]
    )
    assert to_csv(table).splitlines()[1] == "x,,"
    import datetime as dt

    book = load_workbook(io.BytesIO(to_xlsx([table], "Área", "sub", dt.datetime(2026, 1, 2, 3, 4))))
    sheet = book["T"]
    assert sheet["A2"].value == "sub · 02/01/2026 03:04"
    assert sheet["B5"].value is None and sheet["C5"].value is None


def test_sheet_names_are_made_legal_and_unique():
    tables = [
        Table(f"t{i}", "Inversión: por fuente/año [todas] y más texto largo", [Column("a")], [])
        for i in range(2)
    ]
    import datetime as dt

    book = load_workbook(io.BytesIO(to_xlsx(tables, "x", "y", dt.datetime(2026, 1, 1))))
    assert len(set(book.sheetnames)) == 2 and all(len(n) <= 31 and "/" not in n for n in book.sheetnames)


def test_a_drawn_area_card_downloads_as_a_workbook(client, works_cluster_xichu, work_road_leon):
    import json

    polygon = {
        "type": "Polygon",
        "coordinates": [
            [[-100.06, 21.29], [-100.046, 21.29], [-100.046, 21.304], [-100.06, 21.304], [-100.06, 21.29]]
        ],
    }
    response = client.post(
        reverse("api:area-summary-xlsx"), json.dumps(polygon), content_type="application/json"
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    works = book["Obras y acciones"]
    assert works["A1"].value == "Área trazada · Obras y acciones"
    assert sorted(row[1].value for row in works.iter_rows(min_row=5)) == [
        "XIC-2026-001",
        "XIC-2026-002",
        "XIC-2026-003",
    ]
    bad = client.post(reverse("api:area-summary-xlsx"), "{}", content_type="application/json")
    assert bad.status_code == 400 and bad.json()["parameter"] == "geometry"
