"""A works register goes in whole: every field a register has, value maps for coded fields, per-row
reasons for bad input, publish on request, re-import by folio + fiscal year. The real SHCP file goes
through `manage.py import_file` with its own column names; registers as agencies write them (Spanish
status words, cp1252 CSV, XLSX with a funding sheet) are generated here, small."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import geopandas as gpd
import pytest
from django.core.management import CommandError, call_command

from gis_core.models import Version
from planning import imports
from works_map.models import Work

SHCP = "opa_ppi_guanajuato_puntos_2015_2019_2021.geojson"
SHCP_MAPPING = Path(__file__).resolve().parents[2] / "docs" / "import_mappings" / "shcp_opa_ppi.json"


def pesos(column) -> Decimal:
    """A money column of the file summed as the register means it (an empty cell is no money)."""
    return sum((Decimal(v) for v in column.dropna() if str(v).strip()), Decimal(0))


def command(*args: str) -> dict:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_file", *map(str, args), stdout=out, stderr=err)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    summary["stderr"] = err.getvalue()
    return summary


@pytest.fixture
def shcp_reference(shared_data):
    """The SHCP points as the file has them, each joined to the INEGI municipio it falls in (or none)."""
    points = gpd.read_file(shared_data / SHCP)
    municipios = gpd.read_file(shared_data / "gto_municipios_mg2025.geojson")[["cve_geo", "geometry"]]
    joined = gpd.sjoin(points, municipios, how="left", predicate="intersects")
    return joined


def test_the_shcp_register_goes_in_through_the_command_with_its_own_columns(
    shared_data, inegi_municipios, federal_ppi_category, shcp_reference, tmp_path, client
):
    inside = shcp_reference[shcp_reference.cve_geo.notna()]
    assert len(shcp_reference) == 119 and len(inside) == 115  # the data README's counts, checked here
    rejected_csv = tmp_path / "rechazadas.csv"
    summary = command(
        shared_data / SHCP,
        "--target=works",
        f"--mapping-file={SHCP_MAPPING}",
        "--publish",
        f"--rejected={rejected_csv}",
    )
    assert (summary["created"], summary["rejected"], summary["written"]) == (115, 4, True)
    assert summary["mapping"]["fiscal_year"] == "ANIO_ARCHIVO"
    reasons = [r["motivo"] for r in csv.DictReader(rejected_csv.open(encoding="utf-8"))]
    assert sorted(reasons) == sorted(
        [
            "fuera de Guanajuato",
            "orden de ejes invertido: (lat, lon) en lugar de (lon, lat)",
            "falta el signo de una coordenada (en Guanajuato la longitud es negativa)",
            "coordenadas fuera de rango: no están en grados (¿metros o grados sin punto decimal?)",
        ]
    )
    works = Work.objects.all()
    assert works.count() == 115 and not works.filter(published=False).exists()
    # Fiscal year from ANIO_ARCHIVO (CICLO would have merged 7 rows as duplicates).
    by_year = inside.groupby("ANIO_ARCHIVO").size().to_dict()
    assert {y: works.filter(fiscal_year=y).count() for y in by_year} == by_year
    # Approved and exercised money as in the file, to the peso.
    assert sum(w.amount_exercised for w in works) == pesos(inside.EJERCIDO)
    assert sum(w.amount_approved for w in works) == pesos(inside.APROBADO)
    # Status from ESTATUS_OPERACION through the mapping file's value map; the 2015 file has none.
    value_map = json.loads(SHCP_MAPPING.read_text())["values"]["status"]
    value_map["Calendario Fiscal Concluido/Operación"] = "TERMINADA"  # the same words, spaced differently
    expected_status = inside.ESTATUS_OPERACION.fillna("").map(lambda v: value_map.get(v, "EN_EJECUCION"))
    assert dict(expected_status.value_counts()) == {
        s: works.filter(status=s).count() for s in expected_status.unique()
    }
    # Physical progress as an approved report, on the work.
    row = inside[inside.CVE_CARTERA == "11096310013"].iloc[0]
    work = Work.objects.get(folio="11096310013", fiscal_year=int(row.ANIO_ARCHIVO))
    assert work.physical_progress == Decimal(row.AVANCE_FISICO)
    assert work.progress_reports.get().state == "APPROVED"
    assert work.municipio.cvegeo == row.cve_geo
    # The public investment by municipio and the municipio's report card show them.
    body = client.get("/api/summaries/investment?by=municipio&year=2019").json()
    in_2019 = inside[inside.ANIO_ARCHIVO == 2019]
    assert {r["cvegeo"]: r["works"] for r in body["rows"] if r["works"]} == in_2019.groupby(
        "cve_geo"
    ).size().to_dict()
    assert sum(Decimal(str(r["ejercido"])) for r in body["rows"]) == pesos(in_2019.EJERCIDO)
    salamanca = inside[inside.cve_geo == "11027"]
    card = client.get("/municipios/11027/")
    assert card.context["report"]["works"] == len(salamanca)
    assert Decimal(str(card.context["report"]["ejercido"])) == pesos(salamanca.EJERCIDO)
    # Re-importing the same register changes nothing and records no version.
    versions = Version.objects.count()
    again = command(shared_data / SHCP, "--target=works", f"--mapping-file={SHCP_MAPPING}", "--publish")
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 115)
    assert Version.objects.count() == versions


def test_unknown_status_words_are_listed_with_their_counts_and_rejected(
    shared_data, inegi_municipios, federal_ppi_category, shcp_reference
):
    summary = command(
        shared_data / SHCP, "--target=works", "--mode=valid", "--category=PPI_FEDERAL", "--dry-run"
    )
    inside = shcp_reference[shcp_reference.cve_geo.notna()]
    with_status = inside[inside.ESTATUS_OPERACION.notna()]
    assert summary["unknown_values"]["status"] == with_status.ESTATUS_OPERACION.value_counts().to_dict()
    assert summary["rejected"] == 4 + len(with_status)  # the broken points, then every unmapped status
    assert summary["written"] is False and Work.objects.count() == 0


def test_the_command_refuses_unknown_fields_columns_and_categories_up_front(
    shared_data, inegi_municipios, federal_ppi_category
):
    path = shared_data / SHCP
    with pytest.raises(CommandError, match="Campo desconocido «amount_exercized»"):
        command(path, "--target=works", "--category=PPI_FEDERAL", "--map=amount_exercized=EJERCIDO")
    with pytest.raises(CommandError, match="La columna «EJERCIDOS»"):
        command(path, "--target=works", "--category=PPI_FEDERAL", "--map=amount_exercised=EJERCIDOS")
    with pytest.raises(CommandError, match="No existe la categoría «NOPE»"):
        command(path, "--target=works", "--category=NOPE", "--dry-run")
    with pytest.raises(CommandError, match="CAMPO:VALOR=CLAVE"):
        command(path, "--target=works", "--category=PPI_FEDERAL", "--value-map=Vigente")


def test_the_guess_prefers_the_most_specific_column_and_says_why(shared_data):
    options = imports.Options(target="works")
    table = imports.read_table(shared_data / SHCP, options)
    mapping, why = imports.guess_mapping(table.columns, options)
    assert mapping["fiscal_year"] == "ANIO_ARCHIVO" and "CICLO" in why["fiscal_year"]
    assert mapping["amount_exercised"] == "EJERCIDO" and mapping["status"] == "ESTATUS_OPERACION"


# --- registers as agencies write them ---------------------------------------------------------------

HEADER = [
    "Folio",
    "Ejercicio",
    "Nombre de la obra",
    "Categoría",
    "Estatus",
    "Dependencia ejecutora",
    "Fuente de financiamiento",
    "Monto aprobado",
    "Monto ejercido",
    "Avance físico",
    "Avance financiero",
    "Fecha inicio",
    "Fecha término",
    "Beneficiarios",
    "Mujeres",
    "Hombres",
    "Municipio",
    "Longitud",
    "Latitud",
    "Obra o acción",
    "Descripción",
    "Modalidad",
    "Modalidad de ejecución",
    "Monto modificado",
    "Monto pagado",
    "Inicio real",
    "Término real",
    "Fecha de avance",
    "Domicilio",
]


def leon_row(folio: str, **changes) -> list:
    row = {
        "Folio": folio,
        "Ejercicio": "2025",
        "Nombre de la obra": "Red de agua en Los Castillos, León",
        "Categoría": "Red de agua potable",
        "Estatus": "En proceso",
        "Dependencia ejecutora": "SICOM",
        "Fuente de financiamiento": "FAIS municipal",
        "Monto aprobado": "$1,250,000.00",
        "Monto ejercido": "600000",
        "Avance físico": "45.5%",
        "Avance financiero": "48",
        "Fecha inicio": "01/03/2025",
        "Fecha término": "30/11/2025",
        "Beneficiarios": "320",
        "Mujeres": "170",
        "Hombres": "150",
        "Municipio": "León",
        "Longitud": "-101.65",
        "Latitud": "21.15",
        "Obra o acción": "Obra",
        "Descripción": "Ampliación de la red con 1.2 km de tubería",
        "Modalidad": "Ampliación",
        "Modalidad de ejecución": "Por administración directa",
        "Monto modificado": "1300000",
        "Monto pagado": "550000",
        "Inicio real": "2025-03-10",
        "Término real": "",
        "Fecha de avance": "2025-06-30",
        "Domicilio": "Calle Río Lerma s/n, Los Castillos",
    }
    row.update(changes)
    return [row[h] for h in HEADER]


def write_csv(path: Path, rows: list[list], encoding: str = "cp1252") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def test_a_cp1252_register_with_spanish_words_fills_every_field(
    db, tmp_path, leon, water_category, fismdf, sop
):
    path = write_csv(
        tmp_path / "registro.csv",
        [leon_row("LEON-001"), leon_row("LEON-002", Estatus="Concluida", **{"Obra o acción": "Acción"})],
    )
    summary = command(path, "--target=works", "--publish")
    assert (summary["created"], summary["rejected"]) == (2, 0), summary
    work = Work.objects.get(folio="LEON-001")
    assert (work.status, work.category, work.published) == ("EN_EJECUCION", water_category, True)
    assert work.amount_approved == Decimal("1250000.00") and work.amount_exercised == Decimal("600000.00")
    assert str(work.planned_start) == "2025-03-01" and str(work.planned_end) == "2025-11-30"
    assert (work.beneficiaries, work.beneficiaries_women, work.beneficiaries_men) == (320, 170, 150)
    assert work.name == "Red de agua en Los Castillos, León"  # cp1252 accents kept
    assert work.physical_progress == Decimal("45.50") and work.financial_progress == Decimal("48.00")
    assert [(a.agency.acronym, a.role) for a in work.agency_roles.all()] == [
        ("SOP", "EJECUTORA")
    ]  # SICOM -> SOP
    assert [(f.source, f.amount_approved) for f in work.funding.all()] == [(fismdf, Decimal("1250000.00"))]
    assert (work.kind, work.modality, work.execution_mode) == ("OBRA", "AMPLIACION", "ADMINISTRACION_DIRECTA")
    assert (work.amount_modified, work.amount_paid) == (Decimal("1300000.00"), Decimal("550000.00"))
    assert (str(work.actual_start), work.actual_end) == ("2025-03-10", None)
    assert work.address == "Calle Río Lerma s/n, Los Castillos" and "1.2 km" in work.description
    assert str(work.progress_reports.get().reported_on) == "2025-06-30"
    assert work.municipio == leon
    other = Work.objects.get(folio="LEON-002")
    assert other.status == "TERMINADA" and other.kind == "ACCION"


def test_a_planner_publishes_inside_their_scope_and_cannot_approve_the_imported_progress(
    db, tmp_path, planner_leon, leon, xichu, water_category
):
    from gis_core.access import Action, may

    path = write_csv(
        tmp_path / "planner.csv",
        [
            leon_row("P-1", **{"Fuente de financiamiento": "", "Dependencia ejecutora": ""}),
            leon_row(
                "P-2",
                Municipio="",
                Longitud="-100.05",
                Latitud="21.3",
                **{"Fuente de financiamiento": "", "Dependencia ejecutora": ""},
            ),
        ],
    )
    options = imports.Options(target="works", mode="valid", publish=True)
    outcome, _table = imports.run_import(path, options, acting_user=planner_leon)
    assert outcome.created == 1 and [r.reason for r in outcome.rejected] == ["fuera de su ámbito de trabajo"]
    work = Work.objects.get(folio="P-1")
    assert work.published and may(planner_leon, Action.CHANGE, work)
    report = work.progress_reports.get()
    assert report.state == "PENDING" and work.physical_progress == 0  # a supervisor approves it


def test_lines_and_polygons_in_wkt_are_works_too(db, tmp_path, leon, water_category):
    path = tmp_path / "lineas.csv"
    path.write_text(
        "folio,nombre,ejercicio,wkt\n"
        'L-1,Camino rural,2025,"LINESTRING(-101.70 21.10,-101.66 21.12)"\n'
        'L-2,Parque,2025,"POLYGON((-101.70 21.10,-101.69 21.10,-101.69 21.11,-101.70 21.10))"\n'
        'L-3,Cruzado,2025,"LINESTRING(21.10 -101.70,21.12 -101.66)"\n',
        encoding="utf-8",
    )
    outcome, _table = imports.run_import(
        path, imports.Options(target="works", mode="valid", category_code="AGUA.RED")
    )
    assert outcome.created == 2 and "orden de ejes invertido" in outcome.rejected[0].reason
    assert Work.objects.get(folio="L-1").geom.geom_type == "LineString"
    assert Work.objects.get(folio="L-2").geom.geom_type == "Polygon"


def test_bad_rows_get_one_clear_reason_each_and_all_or_nothing_writes_nothing(
    db, tmp_path, leon, xichu, water_category, fismdf, sop
):
    rows = [
        leon_row("OK-1"),
        leon_row("BAD-1", Estatus="Casi lista"),
        leon_row("BAD-2", **{"Monto aprobado": "-5"}),
        leon_row("BAD-3", **{"Monto ejercido": "mucho"}),
        leon_row("BAD-4", **{"Avance físico": "140"}),
        leon_row("BAD-5", **{"Fecha término": "01/01/2025"}),
        leon_row("BAD-6", **{"Fecha inicio": "31/02/2025"}),
        leon_row("OK-1"),
        leon_row("BAD-8", Longitud="21.15", Latitud="-101.65"),
        leon_row("BAD-9", **{"Monto aprobado": "1e20"}),
        leon_row("BAD-10", Municipio="Xichú"),
        leon_row("BAD-11", Categoría="Carreteras"),
        leon_row("BAD-12", **{"Dependencia ejecutora": "SEDENA"}),
        leon_row("BAD-13", Mujeres="300"),
    ]
    path = write_csv(tmp_path / "malo.csv", rows)
    dry = command(path, "--target=works", "--dry-run")
    real = command(path, "--target=works")
    assert dry["rejected"] == real["rejected"] == 13 and real["written"] is False
    assert Work.objects.count() == 0
    reasons = dict(line.split(": ", 1) for line in real["stderr"].strip().splitlines())
    by_folio = {key.split(" (")[1].split("/")[0]: reason for key, reason in reasons.items()}
    assert "Estatus desconocido: «Casi lista»" in by_folio["BAD-1"]
    assert "negativo" in by_folio["BAD-2"]
    assert "no es un número: «mucho»" in by_folio["BAD-3"]
    assert "fuera de 0–100" in by_folio["BAD-4"]
    assert "anterior a" in by_folio["BAD-5"]
    assert "no es una fecha" in by_folio["BAD-6"]
    assert "folio repetido en el archivo (ya en la fila 1)" in by_folio["OK-1"]
    assert "orden de ejes invertido" in by_folio["BAD-8"]
    assert "fuera de rango" in by_folio["BAD-9"]
    assert "no en el municipio declarado Xichú" in by_folio["BAD-10"]
    assert "Categoría (rubro, tema o subtema) desconocido: «Carreteras»" in by_folio["BAD-11"]
    assert "«SEDENA»" in by_folio["BAD-12"]
    assert "superan el total" in by_folio["BAD-13"]
    assert dry["unknown_values"]["status"] == {"Casi lista": 1}
    # Mapped by the user, the unknown status goes in; keep-valid writes the good rows only.
    mapped = command(path, "--target=works", "--mode=valid", "--value-map=status:Casi lista=TERMINADA")
    assert mapped["created"] == 2 and Work.objects.get(folio="BAD-1").status == "TERMINADA"


def test_accepted_rows_with_a_derived_folio_or_an_empty_amount_carry_warnings(
    db, tmp_path, leon, water_category
):
    path = write_csv(
        tmp_path / "avisos.csv",
        [leon_row("", **{"Monto aprobado": "", "Fuente de financiamiento": "", "Dependencia ejecutora": ""})],
    )
    outcome, _table = imports.run_import(path, imports.Options(target="works"))
    (row,) = outcome.kept
    assert any("sin folio" in w for w in row.warnings)
    assert any("Monto aprobado vacío" in w for w in row.warnings)
    assert outcome.summary()["warned"] == 1


def test_an_xlsx_register_with_a_funding_sheet_splits_the_money_by_source(
    db, tmp_path, leon, water_category, fismdf, sop
):
    from openpyxl import Workbook

    from works_map.models import FundingSource

    state = FundingSource.objects.create(
        code="EST-RP", conac_code="14", name="Recursos estatales", level="ESTATAL", fund="Recursos propios"
    )
    book = Workbook()
    sheet = book.active
    sheet.title = "Obras"
    sheet.append(HEADER)
    sheet.append(leon_row("MIX-1", **{"Fuente de financiamiento": ""}))
    sheet.append(leon_row("MIX-2", **{"Fuente de financiamiento": "", "Estatus": "TERMINADO"}))
    funding = book.create_sheet("Fuentes")
    funding.append(["Folio", "Fuente", "Monto"])
    funding.append(["MIX-1", "FAIS-FISMDF", 625000])
    funding.append(["MIX-1", "Recursos estatales", 625000])
    funding.append(["MIX-2", "Fondo inventado", 1000])
    path = tmp_path / "registro.xlsx"
    book.save(path)
    summary = command(path, "--target=works", "--mode=valid")
    assert (summary["created"], summary["rejected"]) == (1, 1)
    assert "Fondo inventado" in summary["stderr"] and "Fuentes" in summary["stderr"]
    work = Work.objects.get(folio="MIX-1")
    assert {(f.source.code, f.amount_approved) for f in work.funding.select_related("source")} == {
        ("FAIS-FISMDF", Decimal("625000.00")),
        (state.code, Decimal("625000.00")),
    }


def test_reimporting_a_changed_register_updates_by_folio_and_year_with_a_version_each(
    db, tmp_path, leon, water_category, fismdf, sop
):
    first = write_csv(tmp_path / "v1.csv", [leon_row("R-1"), leon_row("R-2")])
    command(first, "--target=works")
    assert not Work.objects.filter(published=True).exists()  # published only on request
    versions = Version.objects.count()
    second = write_csv(
        tmp_path / "v2.csv",
        [
            leon_row("R-1", **{"Monto ejercido": "900000", "Avance físico": "80"}),
            leon_row("R-2"),
            leon_row("R-3"),
        ],
    )
    summary = command(second, "--target=works")
    assert (summary["created"], summary["updated"], summary["unchanged"], summary["rejected"]) == (1, 1, 1, 0)
    assert Version.objects.count() == versions + 2  # R-1 changed, R-3 created
    work = Work.objects.get(folio="R-1")
    assert work.amount_exercised == Decimal("900000.00") and work.physical_progress == Decimal("80.00")
    assert work.progress_reports.count() == 2


def test_a_flatgeobuf_register_goes_through_the_same_mapping_file(
    shared_data, inegi_municipios, federal_ppi_category, shcp_reference, tmp_path
):
    import pyogrio

    frame = pyogrio.read_dataframe(shared_data / SHCP).iloc[:30]
    path = tmp_path / "opa.fgb"
    pyogrio.write_dataframe(frame, path, driver="FlatGeobuf")
    summary = command(path, "--target=works", f"--mapping-file={SHCP_MAPPING}", "--dry-run")
    inside = shcp_reference.iloc[:30]
    expected_kept = int(inside.cve_geo.notna().sum())
    assert (summary["kept"], summary["rejected"]) == (expected_kept, 30 - expected_kept)
    assert summary["written"] is False and Work.objects.count() == 0


def test_the_localidad_comes_from_the_geometry_or_is_checked_against_it(db, tmp_path, leon, water_category):
    from priority_zones.models import Localidad
    from tests.places import box

    castillos = Localidad.objects.create(
        cvegeo="110200001", municipio=leon, name="León de los Aldama", ambito="U",
        frame_version="TEST", geom=box(-101.70, 21.10, -101.60, 21.20),
    )  # fmt: skip
    Localidad.objects.create(
        cvegeo="110200002", municipio=leon, name="Duarte", ambito="R",
        frame_version="TEST", geom=box(-101.55, 21.02, -101.52, 21.05),
    )  # fmt: skip
    path = tmp_path / "localidades.csv"
    path.write_text(
        "folio,nombre,ejercicio,longitud,latitud,localidad\n"
        "LOC-1,Sin localidad,2025,-101.65,21.15,\n"
        "LOC-2,Con nombre,2025,-101.65,21.15,leon de los aldama\n"
        "LOC-3,En otra,2025,-101.65,21.15,Duarte\n"
        "LOC-4,Inventada,2025,-101.65,21.15,Villa Inventada\n",
        encoding="utf-8",
    )
    options = imports.Options(target="works", mode="valid", category_code="AGUA.RED")
    outcome, _table = imports.run_import(path, options)
    reasons = {r.key.split("/")[0]: r.reason for r in outcome.rejected}
    assert outcome.created == 2
    assert Work.objects.get(folio="LOC-1").localidad == castillos  # from the geometry
    assert Work.objects.get(folio="LOC-2").localidad == castillos  # named, accents and case aside
    assert "no cae en la localidad declarada Duarte" in reasons["LOC-3"]
    assert "no existe la localidad «Villa Inventada» en León" in reasons["LOC-4"]


def test_one_column_per_funding_source_splits_the_approved_amount(db, tmp_path, leon, water_category, fismdf):
    from works_map.models import FundingSource

    FundingSource.objects.create(code="EST-RP", conac_code="14", name="Estatal", level="ESTATAL", fund="RP")
    path = tmp_path / "fuentes.csv"
    path.write_text(
        "folio,nombre,ejercicio,longitud,latitud,FISM,ESTATAL\n"
        'F-1,Dos fuentes,2025,-101.65,21.15,"600,000",400000\n'
        "F-2,Una fuente,2025,-101.64,21.15,250000,\n"
        "F-3,Monto malo,2025,-101.63,21.15,-5,10\n",
        encoding="utf-8",
    )
    summary = command(
        path, "--target=works", "--mode=valid", "--category=AGUA.RED",
        "--map=funding:FAIS-FISMDF=FISM", "--map=funding:EST-RP=ESTATAL",
    )  # fmt: skip
    assert (summary["created"], summary["rejected"]) == (2, 1) and "negativo" in summary["stderr"]
    work = Work.objects.get(folio="F-1")
    assert work.amount_approved == Decimal("1000000.00")  # no approved column: the sum of the sources
    assert {(f.source.code, f.amount_approved) for f in work.funding.select_related("source")} == {
        ("FAIS-FISMDF", Decimal("600000.00")),
        ("EST-RP", Decimal("400000.00")),
    }
    assert [f.source.code for f in Work.objects.get(folio="F-2").funding.select_related("source")] == [
        "FAIS-FISMDF"
    ]
    with pytest.raises(CommandError, match="No existe la fuente de financiamiento «NOPE»"):
        command(path, "--target=works", "--category=AGUA.RED", "--map=funding:NOPE=FISM", "--dry-run")
