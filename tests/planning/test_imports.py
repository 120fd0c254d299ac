"""Imports of the real files in ../shared/data: CRS and encoding detected, every row kept or rejected with
a reason, all-or-nothing or keep-valid, one transaction, re-import changes nothing."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from planning import imports
from priority_zones.models import Ageb, Municipio, Zone


def run(path, **options):
    return imports.run_import(path, imports.Options(**options))


def test_inegi_municipios_in_epsg_6372_are_reprojected_and_reimporting_changes_nothing(shared_data, db):
    path = shared_data / "gto_municipios_inegi_lcc" / "11mun.shp"
    outcome, _table = run(path, target="municipios", frame_version="MG2019")
    assert outcome.summary()["created"] == 46 and not outcome.rejected
    assert any("Reproyectado de MEXICO_ITRF_2008_LCC" in n for n in outcome.notes)
    leon = Municipio.objects.get(cvegeo="11020")
    assert leon.name == "León"
    centre = leon.geom.point_on_surface
    assert -101.9 < centre.x < -101.4 and 20.8 < centre.y < 21.4  # degrees now, not LCC metres
    again, _table = run(path, target="municipios", frame_version="MG2019")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 46)


def test_a_cp1252_dbf_without_cpg_keeps_its_accents(shared_data, db):
    path = shared_data / "gto_municipal_2010" / "gto_municipal.shp"
    outcome, _table = run(path, target="municipios", mapping={"name": "NOMBRE"})
    assert outcome.created == 46
    assert any("cp1252 (LDID)" in n for n in outcome.notes)
    assert Municipio.objects.get(cvegeo="11002").name == "Acámbaro"
    assert Municipio.objects.filter(name__contains="\ufffd").count() == 0


def test_a_zipped_shapefile_is_read_from_the_zip(shared_data, db, tmp_path):
    archive = tmp_path / "municipios.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for part in ("shp", "shx", "dbf", "prj"):
            z.write(shared_data / "gto_municipal_2010" / f"gto_municipal.{part}", f"gto/gto_municipal.{part}")
    outcome, _table = run(archive, target="municipios", mapping={"name": "NOMBRE"})
    assert outcome.created == 46 and Municipio.objects.get(cvegeo="11002").name == "Acámbaro"


def test_topojson_invalid_polygons_are_rejected_with_reasons_or_repaired_by_choice(shared_data, db):
    path = shared_data / "gto_municipios_2010.topojson"
    strict, _table = run(path, target="zones", fiscal_year=2026, mapping={"name": "id"}, mode="valid")
    assert strict.rejected and all(r.reason.startswith("geometría inválida") for r in strict.rejected)
    assert len(strict.kept) + len(strict.rejected) == 46
    assert Zone.objects.count() == len(strict.kept)  # keep-valid wrote the valid ones only

    Zone.objects.all().delete()
    all_or_nothing, _table = run(path, target="zones", fiscal_year=2026, mapping={"name": "id"}, mode="all")
    assert not all_or_nothing.written and Zone.objects.count() == 0

    repaired, _table = run(path, target="zones", fiscal_year=2026, mapping={"name": "id"}, repair=True)
    assert repaired.created == 46 and not repaired.rejected
    assert all(z.geom.valid for z in Zone.objects.all())
    assert sum("geometría reparada" in w for row in repaired.kept for w in row.warnings) == len(
        strict.rejected
    )
    again, _table = run(path, target="zones", fiscal_year=2026, mapping={"name": "id"}, repair=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 46)


def test_ageb_geojson_with_a_crs_member_in_each_geometry_is_read_and_foreign_agebs_refused(shared_data, db):
    path = shared_data / "ageb_urbana_01_aguascalientes_mg2022.geojson"
    outcome, table = run(path, target="agebs", mode="valid")
    assert len(table.rows) == 498 and not outcome.kept
    reasons = {r.reason.split(":")[0] for r in outcome.rejected}
    assert reasons <= {"fuera de Guanajuato", "CVEGEO de AGEB ajena a Guanajuato o mal formada"}
    assert Ageb.objects.count() == 0
    rejected = list(csv.reader(io.StringIO(outcome.rejected_csv(table))))
    assert rejected[0][:3] == ["fila", "clave", "motivo"] and len(rejected) == 499
    assert "cvegeo" in rejected[0]


def test_shcp_points_the_four_broken_ones_rejected_every_other_row_kept(
    shared_data, db, water_category, tmp_path
):
    path = shared_data / "gto_municipios_mg2025.geojson"
    run(path, target="municipios", mapping={"cvegeo": "cve_geo", "name": "nom_mun"})
    points = shared_data / "opa_ppi_guanajuato_puntos_2015_2019_2021.geojson"
    features = json.loads(points.read_text())["features"]
    mapping = {
        "folio": "CVE_CARTERA",
        "name": "NOMBRE_PPI",
        "fiscal_year": "ANIO_ARCHIVO",
        "amount_approved": "APROBADO",
        "status": "",  # the status words are test_import_register's subject
    }
    outcome, _table = run(
        points, target="works", mode="valid", category_code=water_category.code, mapping=mapping
    )
    assert len(outcome.rejected) == 4, [r.reason for r in outcome.rejected]
    assert len(outcome.kept) == len(features) - 4
    from works_map.models import Work

    assert Work.objects.count() == outcome.created + outcome.updated + outcome.unchanged
    again, _table = run(
        points, target="works", mode="valid", category_code=water_category.code, mapping=mapping
    )
    assert (again.created, again.updated) == (0, 0) and Work.objects.count() == len(features) - 4


def test_csv_with_wkt_and_lonlat_columns_numbers_as_text_and_swapped_axes(db, tmp_path, leon):
    path = tmp_path / "zonas.csv"
    path.write_text(
        "nombre,wkt,pob\n"
        '"Zona A","POLYGON((-101.7 21.1,-101.69 21.1,-101.69 21.11,-101.7 21.1))","1,250"\n'
        '"Zona B","POLYGON((21.1 -101.7,21.1 -101.69,21.11 -101.69,21.1 -101.7))",80\n'
        '"Zona A","POLYGON((-101.6 21.1,-101.59 21.1,-101.59 21.11,-101.6 21.1))",-\n'
        '"","POLYGON((-101.5 21.1,-101.49 21.1,-101.49 21.11,-101.5 21.1))",3\n',
        encoding="utf-8",
    )
    outcome, _table = run(path, target="zones", fiscal_year=2026, mode="valid")
    reasons = {r.row: r.reason for r in outcome.rejected}
    assert "orden de ejes invertido" in reasons[2]
    assert "duplicada" in reasons[3]
    assert "obligatorio" in reasons[4]
    assert Zone.objects.get(name="Zona A").population == 1250


def test_a_cp1252_csv_is_detected(db, tmp_path, water_category, leon):
    path = tmp_path / "obras.csv"
    path.write_bytes(
        "folio,nombre,longitud,latitud,ejercicio\nA-1,Pavimentación en León,-101.65,21.15,2026\n".encode(
            "cp1252"
        )
    )
    outcome, _table = run(path, target="works", category_code=water_category.code)
    assert outcome.created == 1 and any("cp1252" in n for n in outcome.notes)
    from works_map.models import Work

    assert Work.objects.get(folio="A-1").name == "Pavimentación en León"


def test_an_unreadable_or_unknown_file_is_a_clear_error(tmp_path, db):
    bad = tmp_path / "datos.txt"
    bad.write_text("hola")
    with pytest.raises(imports.ImportRefused, match="Formato no admitido"):
        run(bad, target="zones")
    broken = tmp_path / "roto.geojson"
    broken.write_text("{not json")
    with pytest.raises(imports.ImportRefused, match="No se pudo leer"):
        run(broken, target="zones")


def test_the_import_command_names_a_missing_file_instead_of_a_traceback(tmp_path, db):
    from django.core.management import CommandError, call_command

    for name in ("obras.csv", "zonas.geojson"):
        with pytest.raises(CommandError, match="No existe el archivo"):
            call_command("import_file", str(tmp_path / name), "--target", "works")


# --- the import page and the queue -------------------------------------------------------------------


@pytest.fixture
def immediate_imports(settings, media_root):
    """Imports run in the request instead of waiting for the worker."""
    settings.IMPORTS_RUN_IMMEDIATELY = True


def upload(client, path, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"target": "zones", "mode": "all", "zone_kind": "ZONA_IMPULSO", "fiscal_year": 2026}
    data.update(fields)
    data["file"] = SimpleUploadedFile(path.name, path.read_bytes())
    return client.post("/planeacion/importar/", data)


def test_the_import_page_previews_then_writes_and_offers_the_rejected_rows(
    client, admin_user, shared_data, immediate_imports
):
    from planning.models import ImportJob

    client.force_login(admin_user)
    assert client.get("/planeacion/importar/").status_code == 200
    response = upload(client, shared_data / "gto_municipios_2010.topojson", mode="valid", map_name="id")
    assert response.status_code == 302
    job = ImportJob.objects.get()
    page = client.get(response["Location"])
    assert page.status_code == 200 and job.status == "PREVIEW" and Zone.objects.count() == 0
    assert job.preview["features"] and "geometría inválida" in page.content.decode()
    rejected = client.get(f"/planeacion/importar/{job.pk}/rechazadas.csv")
    assert rejected["Content-Type"].startswith("text/csv") and b"Self-intersection" in rejected.content

    confirmed = client.post(f"/planeacion/importar/{job.pk}/confirmar/")
    assert confirmed.status_code == 302
    job.refresh_from_db()
    assert job.status == "DONE" and Zone.objects.count() == job.summary["kept"] == job.summary["created"]
    assert client.post(f"/planeacion/importar/{job.pk}/confirmar/").status_code == 400
    status = client.get(f"/planeacion/importar/{job.pk}/estado.json").json()
    assert status["status"] == "DONE" and status["progress"] == status["total"] == 46


def test_an_unknown_format_is_refused_on_the_form(client, admin_user, tmp_path, immediate_imports):
    bad = tmp_path / "datos.docx"
    bad.write_bytes(b"PK\x03\x04")
    client.force_login(admin_user)
    response = upload(client, bad)
    assert response.status_code == 400 and "Formato no admitido" in response.content.decode()


def test_a_planner_imports_only_inside_their_scope_and_never_inegi_geography(
    client, planner_leon, leon, xichu, tmp_path, immediate_imports
):
    from planning.models import ImportJob

    path = tmp_path / "zonas.csv"
    path.write_text(
        "nombre,wkt\n"
        '"En León","POLYGON((-101.7 21.1,-101.69 21.1,-101.69 21.11,-101.7 21.1))"\n'
        '"En Xichú","POLYGON((-100.1 21.3,-100.09 21.3,-100.09 21.31,-100.1 21.3))"\n',
        encoding="utf-8",
    )
    client.force_login(planner_leon)
    upload(client, path, mode="valid")
    job = ImportJob.objects.get()
    assert [r["reason"] for r in job.rejected] == ["fuera de su ámbito de trabajo"]
    client.post(f"/planeacion/importar/{job.pk}/confirmar/")
    assert list(Zone.objects.values_list("name", flat=True)) == ["En León"]

    upload(client, path, target="municipios")
    geography = ImportJob.objects.latest("pk")
    assert geography.status == "FAILED" and "administrador" in geography.error


def test_an_analyst_cannot_import_and_cannot_see_someone_elses_job(
    client, analyst, admin_user, shared_data, immediate_imports
):
    from planning.models import ImportJob

    client.force_login(analyst)
    assert client.get("/planeacion/importar/").status_code == 403
    client.force_login(admin_user)
    upload(client, shared_data / "gto_municipios_2010.topojson", map_name="id")
    job = ImportJob.objects.get()
    client.force_login(analyst)
    assert client.get(f"/planeacion/importar/{job.pk}/").status_code == 403


def test_queued_imports_wait_for_the_worker(client, admin_user, shared_data, settings, media_root):
    from django.core.management import call_command

    from planning.models import ImportJob

    settings.IMPORTS_RUN_IMMEDIATELY = False
    client.force_login(admin_user)
    upload(client, shared_data / "gto_municipios_2010.topojson", map_name="id", repair="on")
    job = ImportJob.objects.get()
    client.post(f"/planeacion/importar/{job.pk}/confirmar/")
    job.refresh_from_db()
    assert job.status == "QUEUED" and Zone.objects.count() == 0
    page = client.get(f"/planeacion/importar/{job.pk}/").content.decode()
    assert '<progress id="import-progress"' in page and 'http-equiv="refresh"' in page
    call_command("run_import_worker", "--once")
    job.refresh_from_db()
    assert job.status == "DONE" and Zone.objects.count() == 46


def test_geopackage_and_xlsx_are_read_too(shared_data, db, tmp_path, water_category, leon):
    import openpyxl
    import pyogrio

    frame = pyogrio.read_dataframe(shared_data / "gto_municipios_mg2025.geojson")
    gpkg = tmp_path / "municipios.gpkg"
    pyogrio.write_dataframe(frame.to_crs(6372), gpkg, layer="municipios")
    outcome, table = run(gpkg, target="municipios", mapping={"cvegeo": "cve_geo", "name": "nom_mun"})
    assert (outcome.created, outcome.updated) == (45, 1) and table.crs == "EPSG:6372"  # León existed
    assert Municipio.objects.get(cvegeo="11015").name == "Guanajuato"

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["folio", "nombre", "lon", "lat", "ejercicio", "aprobado"])
    sheet.append(["X-1", "Obra en León", "-101.65", "21.15", "2026", "1,500.50"])
    sheet.append(["X-2", "Obra sin signo", "101.65", "21.15", "2026", "10"])
    xlsx = tmp_path / "obras.xlsx"
    book.save(xlsx)
    outcome, _table = run(xlsx, target="works", mode="valid", category_code=water_category.code)
    assert outcome.created == 1 and "signo" in outcome.rejected[0].reason
    from works_map.models import Work

    assert str(Work.objects.get(folio="X-1").amount_approved) == "1500.50"


def test_the_import_form_refuses_unknown_encodings_and_crs(
    client, admin_user, shared_data, immediate_imports
):
    client.force_login(admin_user)
    path = shared_data / "gto_municipios_2010.topojson"
    bad_encoding = upload(client, path, encoding="klingon-1")
    assert bad_encoding.status_code == 400 and "Codificación desconocida" in bad_encoding.content.decode()
    bad_crs = upload(client, path, source_srid=999999)
    assert bad_crs.status_code == 400 and "EPSG:999999" in bad_crs.content.decode()
