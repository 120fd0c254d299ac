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
    with pytest.raises(imports.ImportError_, match="Formato no admitido"):
        run(bad, target="zones")
    broken = tmp_path / "roto.geojson"
    broken.write_text("{not json")
    with pytest.raises(imports.ImportError_, match="No se pudo leer"):
        run(broken, target="zones")
