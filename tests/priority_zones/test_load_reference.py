"""`manage.py load_reference`: INEGI municipios, localidades and urban AGEBs from the files INEGI
publishes (the shared data directory), idempotent, every refused row with its reason."""

from __future__ import annotations

import csv
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from priority_zones.models import Ageb, Localidad, Municipio

MUNICIPIOS = "gto_municipios_censo2020_mg2024.geojson"


def load(*args: str) -> list[dict]:
    from io import StringIO

    out = StringIO()
    call_command("load_reference", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_it_loads_the_46_municipios_with_census_population_and_a_second_run_changes_nothing(db, shared_data):
    (first,) = load("--municipios", str(shared_data / MUNICIPIOS), "--frame-version", "MG2024")
    assert (first["created"], first["updated"], first["unchanged"], first["rejected"]) == (46, 0, 0, 0)
    leon = Municipio.objects.get(cvegeo="11020")
    assert leon.name == "León"
    assert leon.population_2020 == 1721215
    assert leon.frame_version == "MG2024"
    (second,) = load("--municipios", str(shared_data / MUNICIPIOS), "--frame-version", "MG2024")
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 46)


def test_it_reprojects_inegi_lcc_shapefiles(db, shared_data):
    (report,) = load("--municipios", str(shared_data / "gto_municipios_inegi_lcc" / "11mun.shp"))
    assert report["created"] == 46
    leon = Municipio.objects.get(cvegeo="11020")
    x0, y0, x1, y1 = leon.geom.extent
    assert -102.0 < x0 < x1 < -101.3 and 20.8 < y0 < y1 < 21.5  # degrees, not LCC metres
    assert leon.population_2020 is None  # the file has no census column


def test_it_reads_cp1252_dbf_without_cpg_when_told_the_encoding(db, shared_data):
    path = shared_data / "gto_municipal_2010" / "gto_municipal.shp"
    (report,) = load("--municipios", str(path), "--encoding", "cp1252")
    assert report["created"] == 46
    assert Municipio.objects.get(cvegeo="11002").name == "Acámbaro"


@pytest.fixture
def municipios_mg(db, shared_data):
    load("--municipios", str(shared_data / MUNICIPIOS), "--frame-version", "MG2024")


def test_it_loads_localidades_with_iter_points_and_marco_polygons(municipios_mg, shared_data, client):
    iter_csv = shared_data / "gto_localidades_iter2020.csv"
    polygons = shared_data / "gto_localidades_poligonos_mg2024.geojson"
    with iter_csv.open(encoding="utf-8") as fh:
        iter_keys = {r["cvegeo"] for r in csv.DictReader(fh) if r["cvegeo"].startswith("11020")}
    polygon_keys = {
        f["properties"]["cvegeo"]
        for f in json.loads(polygons.read_text())["features"]
        if f["properties"]["cvegeo"].startswith("11020")
    }
    args = ("--localidades", str(iter_csv), "--localidades-poligonos", str(polygons), "--only", "11020")
    (report,) = load(*args)
    assert report["created"] == len(iter_keys | polygon_keys)
    assert report["rejected"] == 0
    assert report["skipped"] > 8000  # the other 45 municipios, left out by --only
    leon = Localidad.objects.get(cvegeo="110200001")
    assert (leon.name, leon.population_2020, leon.ambito) == ("León de los Aldama", 1579803, "U")
    assert leon.geom is not None and leon.point is not None
    assert Localidad.objects.filter(cvegeo__in=iter_keys - polygon_keys, geom__isnull=True).count() == len(
        iter_keys - polygon_keys
    )
    (again,) = load(*args)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, report["created"])

    located = client.get("/api/locate", {"lon": -101.6833, "lat": 21.1220}).json()
    assert located["municipio"]["cvegeo"] == "11020"
    assert located["localidad"] == {"cvegeo": "110200001", "name": "León de los Aldama", "ambito": "U"}
    found = client.get("/lugares/buscar", {"q": "Albarradones"}).json()["results"]
    assert "110200261" in [r["cvegeo"] for r in found]


@pytest.fixture
def aguascalientes(db, shared_data, monkeypatch):
    """Guanajuato's AGEBs are not in the shared data: Aguascalientes' stand in, so the state's
    bounding box is widened to the neighbouring state for these tests."""
    monkeypatch.setattr("gis_core.geometry.GTO_BOUNDS", (-102.95, 21.6, -101.8, 22.5))
    (report,) = load("--municipios", str(shared_data / "mx_municipios_mg2025.geojson"), "--only", "01")
    assert report["created"] == 11
    return shared_data


def test_it_loads_urban_agebs_of_any_state_with_census_population(aguascalientes, client):
    polygons = aguascalientes / "ageb_urbana_01_aguascalientes_mg2022.geojson"
    census = aguascalientes / "resageburb_01_aguascalientes_ageb_cpv2020.csv"
    (report,) = load("--agebs", str(polygons), "--agebs-censo", str(census), "--frame-version", "MG2022")
    assert report["created"] == 498
    assert report["rejected"] == 0
    with census.open(encoding="utf-8") as fh:
        table = {r["cvegeo"]: r["pobtot"] for r in csv.DictReader(fh)}
    ageb = Ageb.objects.get(cvegeo="0100100010017")
    assert ageb.population_2020 == int(table["0100100010017"]) == 2237
    assert ageb.municipio.cvegeo == "01001"
    # 19 polygons have no census row (MG 2022 vs Censo 2020): null population, said in the report.
    assert Ageb.objects.filter(population_2020__isnull=True).count() == 19
    assert any("19 AGEB sin fila" in note for note in report["notes"])
    (again,) = load("--agebs", str(polygons), "--agebs-censo", str(census), "--frame-version", "MG2022")
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 498)

    centre = ageb.geom.point_on_surface
    located = client.get("/api/locate", {"lon": centre.x, "lat": centre.y}).json()
    assert located["ageb"] == {"cvegeo": "0100100010017", "ambito": "U"}


def test_it_refuses_agebs_outside_the_state_and_of_unloaded_municipios(db, shared_data):
    polygons = shared_data / "ageb_urbana_01_aguascalientes_mg2022.geojson"
    (report,) = load("--agebs", str(polygons))
    assert report["created"] == 0 and report["rejected"] == 498
    assert Ageb.objects.count() == 0


def test_suppressed_census_cells_become_null_and_are_counted(aguascalientes, tmp_path):
    polygons = aguascalientes / "ageb_urbana_01_aguascalientes_mg2022.geojson"
    census = tmp_path / "resageburb.csv"
    census.write_text(
        "cvegeo,mza,pobtot\n0100100010017,000,*\n010010001006A,000,N/D\n0100100010106,000,1234\n",
        encoding="cp1252",
    )
    (report,) = load("--agebs", str(polygons), "--agebs-censo", str(census), "--only", "01001000100")
    assert report["suppressed"] == 2
    assert report["created"] == 2
    assert Ageb.objects.get(cvegeo="0100100010017").population_2020 is None
    assert Ageb.objects.get(cvegeo="010010001006A").population_2020 is None


def test_malformed_and_unknown_keys_are_refused_row_by_row(municipios_mg, tmp_path):
    points = tmp_path / "iter.csv"
    points.write_text(
        "cvegeo,nom_loc,longitud,latitud,pobtot\n"
        "110200001,León de los Aldama,-101.6832,21.1219,1579803\n"
        "11020001,Clave corta,-101.6,21.1,10\n"
        "119990001,Municipio inexistente,-101.6,21.1,10\n"
        "110200261,Albarradones,,,1069\n"
        "110200262,Sin dato,-101.5,21.0,*\n"
        '110200263,En grados y minutos,"101°30\'14.622"" W","21°2\'24.099"" N",N/D\n',
        encoding="utf-8",
    )
    (report,) = load("--localidades", str(points))
    reasons = {r["key"]: r["reason"] for r in report["rejections"]}
    assert reasons == {
        "11020001": "clave de localidad mal formada (se esperan 9 dígitos)",
        "119990001": "el municipio 11999 no está cargado",
        "110200261": "sin coordenadas legibles",
    }
    assert (report["created"], report["suppressed"]) == (3, 2)
    dms = Localidad.objects.get(cvegeo="110200263")
    assert dms.population_2020 is None
    assert dms.point.x == pytest.approx(-101.504062, abs=1e-6)
    assert dms.point.y == pytest.approx(21.040027, abs=1e-6)


def test_it_names_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="No existe el archivo"):
        call_command("load_reference", "--municipios", str(tmp_path / "nada.geojson"))
