"""CUIS-like household import: validation, the rejection report, all-or-nothing and keep-valid."""

from __future__ import annotations

import csv

import pytest
from django.core.management import CommandError, call_command

from priority_zones.actions import do_import_households
from priority_zones.household_import import HOUSEHOLD_KEY_COLUMNS
from priority_zones.models import Household, Person

HEADER = [
    *HOUSEHOLD_KEY_COLUMNS,
    "renglon",
    "parentesco",
    "sexo",
    "edad",
    "anio_nacimiento",
    "nivel_educativo",
    "nivel_terminado",
    "asiste_escuela",
    "afiliacion_salud",
    "trabaja",
    "posicion",
    "prestacion_medica",
    "incapacidad",
    "sar_afore",
    "pensionado",
    "ingreso_mensual",
]


def household_rows(folio: str, lon="-100.05", lat="21.3", **overrides) -> list[dict]:
    home = {
        "folio": folio,
        "lon": lon,
        "lat": lat,
        "fecha_levantamiento": "2026-03-01",
        "cve_mun": "11045",
        "ambito": "R",
        "consentimiento": "1",
        "piso": "TIERRA",
        "techo": "LAMINA",
        "muros": "ADOBE",
        "cuartos": "2",
        "residentes": "3",
        "agua": "PIPA",
        "drenaje": "FOSA",
        "electricidad": "PANEL",
        "combustible": "LENA",
        "chimenea": "no",
        **{f"emsa_a{i}": "1" if i <= 3 else "0" for i in range(1, 7)},
        **{f"emsa_m{i}": "0" for i in range(1, 7)},
    }
    people = [
        {
            "renglon": "1",
            "parentesco": "JEFE",
            "sexo": "M",
            "edad": "41",
            "nivel_educativo": "PRIMARIA",
            "nivel_terminado": "1",
            "asiste_escuela": "0",
            "afiliacion_salud": "IMSS_BIENESTAR",
            "trabaja": "1",
            "posicion": "INDEPENDIENTE",
            "prestacion_medica": "0",
            "sar_afore": "0",
            "pensionado": "0",
            "ingreso_mensual": "2500",
        },
        {
            "renglon": "2",
            "parentesco": "HIJO",
            "sexo": "H",
            "edad": "12",
            "nivel_educativo": "PRIMARIA",
            "nivel_terminado": "0",
            "asiste_escuela": "1",
            "afiliacion_salud": "NINGUNA",
            "trabaja": "0",
        },
        {"renglon": "3", "parentesco": "HIJO", "sexo": "M", "edad": "2", "afiliacion_salud": ""},
    ]
    rows = [{**home, **p} for p in people]
    for row in rows:
        row.update(overrides)
    return rows


def write_csv(path, rows) -> str:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=HEADER, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


def test_it_imports_households_and_persons(tmp_path, xichu):
    path = write_csv(tmp_path / "ok.csv", household_rows("X-1") + household_rows("X-2", lat="21.31"))
    report = do_import_households(path)
    assert report.ok and report.households_written == 2 and report.persons_written == 6
    h = Household.objects.get(folio="X-1")
    assert (h.floor, h.electricity, h.has_chimney, h.municipio) == ("TIERRA", "PANEL", False, xichu)
    assert h.food_security["a3"] is True and h.food_security["m1"] is False
    persons = {p.number: p for p in Person.objects.filter(household=h)}
    assert persons[1].health_affiliations == ["IMSS_BIENESTAR"]
    assert persons[2].health_affiliations == []
    assert persons[3].health_affiliations is None  # blank = not answered, not "none"


@pytest.mark.parametrize(
    ("overrides", "column"),
    [
        ({"lon": "-103.5"}, "lon/lat"),
        ({"lon": "21.3", "lat": "-100.05"}, "lon/lat"),
        ({"piso": "MARMOL"}, "piso"),
        ({"cuartos": "0"}, "cuartos"),
        ({"fecha_levantamiento": "01/03/2026"}, "fecha_levantamiento"),
        ({"consentimiento": "0"}, "consentimiento"),
        ({"cve_mun": "11999"}, "cve_mun"),
        ({"cve_mun": "14039"}, "cve_mun"),
        ({"emsa_a1": "tal vez"}, "emsa_a1"),
    ],
)
def test_it_rejects_a_bad_household_naming_the_column(tmp_path, xichu, overrides, column):
    path = write_csv(
        tmp_path / "bad.csv", household_rows("X-1") + household_rows("X-2", **{"lat": "21.31", **overrides})
    )
    report = do_import_households(path)
    assert not report.ok
    assert [(r.folio, r.column) for r in report.rejections] == [("X-2", column)]
    assert Household.objects.count() == 0  # all-or-nothing: the good one is not written either


def test_keep_valid_writes_the_good_households_and_reports_the_rest(tmp_path, xichu):
    bad = household_rows("X-2", lat="21.31")
    bad[1]["edad"] = "130"
    path = write_csv(tmp_path / "mixed.csv", household_rows("X-1") + bad)
    report = do_import_households(path, keep_valid=True)
    assert report.households_written == 1 and report.households_rejected == 1
    assert report.rejections[0].column == "edad"
    assert list(Household.objects.values_list("folio", flat=True)) == ["X-1"]
    assert Person.objects.count() == 3


def test_it_rejects_duplicates_in_the_file_and_against_the_database(tmp_path, xichu):
    rows = household_rows("X-1")
    rows.append(dict(rows[0]))  # renglón 1 twice
    report = do_import_households(write_csv(tmp_path / "dup.csv", rows))
    assert report.rejections[0].column == "renglon"
    do_import_households(write_csv(tmp_path / "one.csv", household_rows("X-9")))
    again = do_import_households(write_csv(tmp_path / "again.csv", household_rows("X-9")))
    assert [(r.folio, r.column) for r in again.rejections] == [("X-9", "folio")]


def test_household_columns_must_agree_across_the_rows_of_a_folio(tmp_path, xichu):
    rows = household_rows("X-1")
    rows[2]["piso"] = "CEMENTO"
    report = do_import_households(write_csv(tmp_path / "disagree.csv", rows))
    assert report.rejections[0].column == "folio"


def test_nothing_is_half_written_when_the_database_refuses_a_row(tmp_path, xichu, monkeypatch):
    from priority_zones import actions

    path = write_csv(tmp_path / "ok.csv", household_rows("X-1") + household_rows("X-2", lat="21.31"))
    monkeypatch.setattr(actions, "IMPORT_BATCH", 1)
    real = actions.copy_into
    calls = []

    def fail_on_second_persons(model, names, rows):
        calls.append(model)
        if calls.count(Person) == 2:
            raise RuntimeError("disk full")
        return real(model, names, rows)

    monkeypatch.setattr(actions, "copy_into", fail_on_second_persons)
    with pytest.raises(RuntimeError):
        do_import_households(path)
    assert Household.objects.count() == 0 and Person.objects.count() == 0


def test_it_reads_a_geopackage_point_layer_in_another_crs(tmp_path, xichu):
    import geopandas as gpd
    from shapely.geometry import Point as SPoint

    rows = household_rows("G-1")
    frame = gpd.GeoDataFrame(
        [{k: v for k, v in r.items() if k not in ("lon", "lat")} for r in rows],
        geometry=[SPoint(-100.05, 21.3)] * len(rows),
        crs=4326,
    ).to_crs(6372)
    path = tmp_path / "hogares.gpkg"
    frame.to_file(path, driver="GPKG")
    report = do_import_households(path)
    assert report.ok, report.as_dict()
    location = Household.objects.get(folio="G-1").location
    assert location.x == pytest.approx(-100.05) and location.y == pytest.approx(21.3)


def test_the_command_refuses_the_file_and_writes_the_report(tmp_path, xichu):
    path = write_csv(tmp_path / "bad.csv", household_rows("X-1", piso="MARMOL"))
    report_path = tmp_path / "rechazos.csv"
    with pytest.raises(CommandError, match="no se escribió nada"):
        call_command("import_households", path, "--report", str(report_path))
    assert "piso" in report_path.read_text()


def test_a_file_without_required_columns_is_refused_whole(tmp_path, xichu):
    path = tmp_path / "short.csv"
    path.write_text("folio,lon,lat\nX-1,-100.05,21.3\n")
    with pytest.raises(CommandError, match="Faltan columnas obligatorias"):
        call_command("import_households", str(path))


def test_a_folio_that_comes_back_after_another_is_a_duplicate(tmp_path, xichu):
    rows = household_rows("X-1")[:1] + household_rows("X-2", lat="21.31") + household_rows("X-1")[1:]
    report = do_import_households(write_csv(tmp_path / "split.csv", rows), keep_valid=True)
    assert [(r.folio, r.column) for r in report.rejections] == [("X-1", "folio")]
    assert sorted(Household.objects.values_list("folio", flat=True)) == ["X-1", "X-2"]
    assert Person.objects.filter(household__folio="X-1").count() == 1


def test_import_then_compute_diagnostics_commands(tmp_path, xichu, poverty_lines):
    from priority_zones.models import Diagnostic

    path = write_csv(tmp_path / "ok.csv", household_rows("X-1"))
    call_command("import_households", path)
    call_command("compute_diagnostics", "--municipio", "11045")
    d = Diagnostic.objects.get(household__folio="X-1")
    # Earth floor, pipa water, wood without chimney, 3 of 6 adult items with a 2-year-old at home.
    assert (d.calidad_vivienda, d.servicios_basicos) == (True, True)
    assert d.alimentacion is False  # 3 of 12 items is "leve" when there are minors
    assert d.poverty_line.ambito == "R"
    with pytest.raises(CommandError):
        call_command("compute_diagnostics", "--municipio", "11020")
