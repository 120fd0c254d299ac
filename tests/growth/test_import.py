"""CSV import of measurements: every row checked, per-row reasons, nothing stored unless all pass."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from growth.actions import do_import_measurements
from growth.models import GrowthUnit, Measurement

from .conftest import make_child

TODAY = dt.date(2026, 6, 30)
HEADER = "clave,fecha_medicion,peso_kg,talla_cm,posicion\n"


def test_bad_rows_are_reported_one_by_one_and_nothing_is_stored(child_xichu, health_worker_xichu, leon):
    other = make_child(leon, code="LEON-1", at=(-101.6, 21.1))
    text = HEADER + "\n".join(
        [
            f"{child_xichu.code},2026-06-01,9.5,75.0,L",  # good
            f"{child_xichu.code},2026-06-01,9.6,75.1,L",  # duplicate of the row above
            f"{child_xichu.code},2025-01-01,9.5,75.0,L",  # before birth
            f"{child_xichu.code},2026-05-01,9500,75.0,L",  # grams
            f"{child_xichu.code},2026-04-01,9.5,0.75,L",  # metres
            f"{other.code},2026-06-01,9.5,75.0,L",  # out of the user's scope
            "NADIE,2026-06-01,9.5,75.0,L",
        ]
    )
    report = do_import_measurements(text.encode(), health_worker_xichu, today=TODAY)
    assert [(e["row"], e["parameter"]) for e in report.errors] == [
        (3, "fecha_medicion"),
        (4, "fecha_medicion"),
        (5, "peso_kg"),
        (6, "talla_cm"),
        (7, "clave"),
        (8, "clave"),
    ]
    assert "gramos" in report.errors[2]["message"] and "metros" in report.errors[3]["message"]
    assert not Measurement.objects.exists()


def test_a_clean_file_is_stored_in_one_go_and_refreshes_the_units(xichu, centre_xichu, health_worker_xichu):
    children = [make_child(xichu, at=(-100.05 + i * 1e-5, 21.3)) for i in range(10)]
    text = HEADER + "\n".join(f"{c.code},2026-06-01,9.5,75.0,L" for c in children)
    report = do_import_measurements(text.encode(), health_worker_xichu, today=TODAY)
    assert report.ok and report.created == 10
    assert GrowthUnit.objects.get().children == 10


def test_missing_columns_and_bad_encoding_are_named(health_worker_xichu):
    assert (
        do_import_measurements(b"clave,peso_kg\n", health_worker_xichu).errors[0]["parameter"] == "columnas"
    )
    assert (
        do_import_measurements("clave\n\xe9".encode("latin-1"), health_worker_xichu).errors[0]["parameter"]
        == "archivo"
    )


def test_the_import_page_shows_per_row_reasons_with_a_400(client, child_xichu, health_worker_xichu):
    client.force_login(health_worker_xichu)
    upload = SimpleUploadedFile(
        "m.csv", (HEADER + f"{child_xichu.code},2026-06-01,9500,75,L\n").encode(), "text/csv"
    )
    response = client.post(reverse("growth:import"), {"archivo": upload})
    assert response.status_code == 400 and "gramos" in response.content.decode()
    assert client.post(reverse("growth:import"), {}).status_code == 400


def test_with_refresh_on_write_off_figures_wait_for_the_refresh_command(
    settings, xichu, centre_xichu, health_worker_xichu
):
    from django.core.management import call_command

    settings.GROWTH_REFRESH_ON_WRITE = False
    children = [make_child(xichu, at=(-100.05 + i * 1e-5, 21.3)) for i in range(10)]
    text = HEADER + "\n".join(f"{c.code},2026-06-01,9.5,75.0,L" for c in children)
    assert do_import_measurements(text.encode(), health_worker_xichu, today=TODAY).created == 10
    assert not GrowthUnit.objects.exists()
    call_command("growth_refresh_units", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert GrowthUnit.objects.get().children == 10
