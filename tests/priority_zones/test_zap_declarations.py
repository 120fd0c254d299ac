"""ZAP declarations of any year: `manage.py load_zap_declaration`, the staff upload page, the map."""

from __future__ import annotations

import csv
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from priority_zones.models import SourceDocument, Zone

SOURCE_2026 = [
    "--source-date",
    "2025-11-21",
    "--source-code",
    "5773718",
    "--source-title",
    "DECRETO por el que se formula la Declaratoria de las Zonas de Atención Prioritaria para el año 2026",
    "--source-url",
    "https://dof.gob.mx/nota_detalle.php?codigo=5773718&fecha=21/11/2025",
]


def run(path, *args: str) -> str:
    out = StringIO()
    call_command("load_zap_declaration", str(path), *args, stdout=out)
    return out.getvalue()


def write_keys(path, keys, header="cvegeo"):
    path.write_text(header + "\n" + "\n".join(keys) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def rural_2026(shared_data):
    with (shared_data / "zap_rural_2026_guanajuato.csv").open(encoding="utf-8") as fh:
        return [row["cvegeo_mun"] for row in csv.DictReader(fh)]


def test_it_creates_one_published_zone_per_key_with_its_source(inegi_municipios, shared_data, rural_2026):
    out = run(
        shared_data / "zap_rural_2026_guanajuato.csv", "--year", "2026", "--kind", "rural", *SOURCE_2026
    )
    zones = Zone.objects.filter(kind="ZAP_RURAL", fiscal_year=2026)
    assert sorted(zones.values_list("cvegeo", flat=True)) == sorted(rural_2026)
    assert len(rural_2026) == 30
    xichu = zones.get(cvegeo="11045")
    assert xichu.status == "PUBLISHED" and not xichu.synthetic
    assert xichu.geom.equals_exact(inegi_municipios["11045"].geom, 1e-9)
    assert xichu.population == inegi_municipios["11045"].population_2020
    assert xichu.source.reference == "DOF 5773718"
    assert "30 nuevas" in out
    assert "sin declaratoria de 2025 cargada" in out


def test_a_key_missing_from_the_geography_refuses_the_whole_file(inegi_municipios, tmp_path):
    path = write_keys(tmp_path / "zap.csv", ["11045", "11999", "11002"])
    with pytest.raises(CommandError, match="1 claves rechazadas"):
        out = StringIO()
        call_command(
            "load_zap_declaration", str(path), "--year", "2026", "--kind", "rural", *SOURCE_2026, stdout=out
        )
    assert "clave 11999 no existe en la geografía cargada" in out.getvalue()
    assert not Zone.objects.exists()
    assert not SourceDocument.objects.exists()


def test_a_year_already_loaded_is_refused_without_replace_and_replace_applies_the_diff(
    inegi_municipios, tmp_path
):
    run(
        write_keys(tmp_path / "a.csv", ["11045", "11002", "11003"]),
        "--year",
        "2026",
        "--kind",
        "rural",
        *SOURCE_2026,
    )
    second = write_keys(tmp_path / "b.csv", ["11045", "11003", "11040"])
    with pytest.raises(CommandError, match="ya está cargada"):
        run(second, "--year", "2026", "--kind", "rural", *SOURCE_2026)
    assert sorted(Zone.objects.values_list("cvegeo", flat=True)) == ["11002", "11003", "11045"]

    out = run(second, "--year", "2026", "--kind", "rural", "--replace", *SOURCE_2026)
    assert "1 nuevas, 1 retiradas, 2 sin cambio" in out
    assert "+ 11040" in out and "- 11002" in out
    assert sorted(Zone.objects.values_list("cvegeo", flat=True)) == ["11003", "11040", "11045"]
    again = run(second, "--year", "2026", "--kind", "rural", "--replace", *SOURCE_2026)
    assert "0 nuevas, 0 actualizadas, 3 sin cambios, 0 retiradas" in again


def test_the_report_lists_the_keys_that_changed_since_the_previous_year(inegi_municipios, tmp_path):
    source_2025 = ["--source-date", "2024-12-24", "--source-code", "5746130", "--source-title", "ZAP 2025"]
    run(
        write_keys(tmp_path / "2025.csv", ["11045", "11002"]),
        "--year",
        "2025",
        "--kind",
        "rural",
        *source_2025,
    )
    out = run(
        write_keys(tmp_path / "2026.csv", ["11045", "11003"]),
        "--year",
        "2026",
        "--kind",
        "rural",
        *SOURCE_2026,
    )
    assert "respecto a 2025: entran 1, salen 1" in out
    assert "entra 11003 San Miguel de Allende" in out
    assert "sale 11002 Acámbaro" in out
    assert set(Zone.objects.values_list("fiscal_year", flat=True)) == {2025, 2026}
    assert SourceDocument.objects.count() == 2


def test_urban_declarations_take_ageb_keys_from_bienestar_component_columns(leon, tmp_path):
    from priority_zones.actions import do_upsert_ageb
    from tests.places import box

    do_upsert_ageb(
        "110200001012A", geom=box(-101.70, 21.10, -101.69, 21.11), municipio=leon, population_2020=812
    )
    path = tmp_path / "zap_urbana.csv"
    path.write_text(
        "Zonas de Atención Prioritaria urbanas 2026\n\n\n\n"
        "CLAVE ENTIDAD,CLAVE MUNICIPIO,CLAVE LOCALIDAD,CLAVE AGEB,NOMBRE\n"
        "11,020,0001,012A,León\n",
        encoding="cp1252",
    )
    out = run(path, "--year", "2026", "--kind", "urbana", *SOURCE_2026)
    zone = Zone.objects.get(kind="ZAP_URBANA", fiscal_year=2026)
    assert (zone.cvegeo, zone.population, zone.municipio) == ("110200001012A", 812, leon)
    assert "1 claves" in out


def test_an_xlsx_list_with_a_national_scope_is_filtered_by_state(inegi_municipios, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["CVE_ENT", "CVE_MUN", "NOM_MUN"])
    for ent, mun in [(11, 45), (11, 2), (20, 1)]:
        sheet.append([ent, mun, "x"])
    book.save(tmp_path / "nacional.xlsx")
    out = run(tmp_path / "nacional.xlsx", "--year", "2026", "--kind", "rural", "--only", "11", *SOURCE_2026)
    assert sorted(Zone.objects.values_list("cvegeo", flat=True)) == ["11002", "11045"]
    assert "1 filas fuera del ámbito pedido" in out


def test_the_demo_loads_the_2026_rural_zap_through_the_declaration_loader(inegi_municipios):
    from priority_zones.reference_data import load_zap_rural_2026

    assert load_zap_rural_2026() == {"created": 30, "updated": 0, "unchanged": 0}
    assert load_zap_rural_2026() == {"created": 0, "updated": 0, "unchanged": 30}
    assert Zone.objects.get(cvegeo="11045", fiscal_year=2026).source.reference == "DOF 5773718"


def _upload(client, path, **fields):
    data = {
        "kind": "rural",
        "year": "2026",
        "only": "11",
        "source_kind": "DOF",
        "source_code": "5773718",
        "source_date": "2025-11-21",
        "source_title": "Declaratoria ZAP 2026",
        "source_url": "",
        **fields,
    }
    with path.open("rb") as fh:
        return client.post("/planeacion/zap/declaratoria/", {**data, "file": fh})


def test_the_staff_page_shows_the_review_and_writes_only_after_confirmation(
    client, admin_user, inegi_municipios, tmp_path
):
    client.force_login(admin_user)
    run(write_keys(tmp_path / "a.csv", ["11045", "11002"]), "--year", "2026", "--kind", "rural", *SOURCE_2026)
    review = _upload(client, write_keys(tmp_path / "b.csv", ["11045", "11003"]))
    assert review.status_code == 200
    text = review.content.decode()
    assert 'id="zap-report"' in text, re.findall(r'class="errorlist.*?</ul>', text, re.S)
    assert "+ 11003 San Miguel de Allende" in text and "- 11002 Acámbaro" in text
    assert sorted(Zone.objects.values_list("cvegeo", flat=True)) == ["11002", "11045"]  # nothing yet

    done = client.post("/planeacion/zap/declaratoria/", {"token": review.context["token"]}, follow=True)
    assert done.status_code == 200
    assert "1 zonas nuevas" in done.content.decode()
    assert sorted(Zone.objects.values_list("cvegeo", flat=True)) == ["11003", "11045"]


def test_the_staff_page_refuses_unknown_keys_and_offers_no_confirmation(
    client, admin_user, inegi_municipios, tmp_path
):
    client.force_login(admin_user)
    review = _upload(client, write_keys(tmp_path / "b.csv", ["11045", "11099"]))
    text = review.content.decode()
    assert "clave 11099 no existe en la geografía cargada" in text
    assert 'name="token"' not in text


def test_a_tampered_confirmation_is_refused(client, admin_user, inegi_municipios):
    client.force_login(admin_user)
    response = client.post("/planeacion/zap/declaratoria/", {"token": "x:y:z"})
    assert response.status_code == 400
    assert not Zone.objects.exists()


def test_only_administrators_load_declarations(client, planner_leon):
    client.force_login(planner_leon)
    assert client.get("/planeacion/zap/declaratoria/").status_code == 403


def test_zones_of_every_declared_year_are_on_the_public_map_year_selector(client, inegi_municipios, tmp_path):
    source_2025 = ["--source-date", "2024-12-24", "--source-code", "5746130", "--source-title", "ZAP 2025"]
    run(write_keys(tmp_path / "2025.csv", ["11045"]), "--year", "2025", "--kind", "rural", *source_2025)
    run(write_keys(tmp_path / "2026.csv", ["11002"]), "--year", "2026", "--kind", "rural", *SOURCE_2026)
    home = client.get("/")
    assert home.context["zone_years"] == [2026, 2025]
    for year, expected in ((2025, ["11045"]), (2026, ["11002"])):
        listed = client.get("/api/zones", {"year": year}).json()["results"]
        assert [z["cvegeo"] for z in listed] == expected
