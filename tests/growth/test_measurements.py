"""Bad input never stores anything and says what is wrong (units mixed up with a hint)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from growth.actions import do_record_measurement
from growth.measurements import MeasurementError, check
from growth.models import GrowthAccessLog, Measurement

from .conftest import TODAY

GOOD = {"fecha_medicion": "2026-06-30", "peso_kg": "9.6", "talla_cm": "75.7", "posicion": "L"}


def attempt(child, user, **changes):
    values = {**GOOD, **changes}
    return do_record_measurement(child, values, user, today=TODAY)


@pytest.mark.parametrize(
    ("changes", "parameter", "words"),
    [
        ({"fecha_medicion": "2025-06-01"}, "fecha_medicion", "anterior al nacimiento"),
        ({"fecha_medicion": "2026-07-01"}, "fecha_medicion", "futura"),
        ({"fecha_medicion": "30/06/2026"}, "fecha_medicion", "AAAA-MM-DD"),
        ({"peso_kg": "9600"}, "peso_kg", "gramos: escriba kilogramos (9.60 kg)"),
        ({"peso_kg": "95"}, "peso_kg", "entre 0.5 y 40"),
        ({"peso_kg": "-3"}, "peso_kg", "positivo"),
        ({"peso_kg": "nueve"}, "peso_kg", "número"),
        ({"talla_cm": "0.757"}, "talla_cm", "metros: escriba centímetros (75.7 cm)"),
        ({"talla_cm": "757"}, "talla_cm", "milímetros"),
        ({"talla_cm": "20"}, "talla_cm", "entre 35.0 y 130.0"),
        ({"posicion": "sentado"}, "posicion", "acostado"),
    ],
)
def test_bad_values_are_refused_naming_the_field_and_nothing_is_stored(
    child_xichu, health_worker_xichu, changes, parameter, words
):
    with pytest.raises(MeasurementError) as err:
        attempt(child_xichu, health_worker_xichu, **changes)
    assert err.value.parameter == parameter and words in str(err.value)
    assert not Measurement.objects.exists()
    assert not GrowthAccessLog.objects.exists()


def test_a_child_over_five_at_the_measurement_is_refused():
    with pytest.raises(MeasurementError, match="más de 5 años"):
        check(
            sex="H",
            birth_date=dt.date(2021, 1, 1),
            measured_on="2026-06-30",
            weight="18",
            height="110",
            position="H",
            today=TODAY,
        )


def test_a_second_measurement_the_same_day_is_a_duplicate(child_xichu, health_worker_xichu):
    attempt(child_xichu, health_worker_xichu)
    with pytest.raises(MeasurementError, match="Ya hay una medición"):
        attempt(child_xichu, health_worker_xichu, peso_kg="9.7")
    assert Measurement.objects.count() == 1


def test_an_implausible_value_needs_confirmation_then_is_stored_flagged(child_xichu, health_worker_xichu):
    with pytest.raises(MeasurementError) as err:
        attempt(child_xichu, health_worker_xichu, peso_kg="30")
    assert err.value.parameter == "confirmar_atipico"
    assert not Measurement.objects.exists()
    m = do_record_measurement(
        child_xichu, {**GOOD, "peso_kg": "30"}, health_worker_xichu, accept_flagged=True, today=TODAY
    )
    assert "wfa" in m.flags and m.underweight is None and m.overweight is None


def test_a_good_measurement_stores_z_scores_and_classes(child_xichu, health_worker_xichu):
    m = attempt(child_xichu, health_worker_xichu)
    assert m.age_days == 365 and m.z_wfa == pytest.approx(-0.04, abs=0.005)
    assert (m.stunted, m.wasted, m.underweight, m.overweight, m.obese) == (False, False, False, False, False)
    assert GrowthAccessLog.objects.get().action == "WRITE"


def test_the_api_answers_a_unit_mix_up_with_a_400_naming_the_parameter(
    client, child_xichu, health_worker_xichu
):
    client.force_login(health_worker_xichu)
    url = reverse("growth:api-measurement", args=[child_xichu.pk])
    body = {**GOOD, "fecha_medicion": dt.date.today().isoformat(), "peso_kg": 9600}
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    problem = response.json()
    assert problem["parameter"] == "peso_kg" and "gramos" in problem["detail"]
    assert client.post(url, "[1,", content_type="application/json").status_code == 400
    assert not Measurement.objects.exists()


def test_the_api_stores_a_good_measurement(client, child_xichu, health_worker_xichu):
    client.force_login(health_worker_xichu)
    url = reverse("growth:api-measurement", args=[child_xichu.pk])
    response = client.post(
        url,
        json.dumps({**GOOD, "fecha_medicion": dt.date.today().isoformat(), "peso_kg": 10}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert set(response.json()["z"]) == {"wfa", "lhfa", "wflh", "bmi"}


def test_the_staff_form_shows_the_error_page_with_a_400(client, child_xichu, health_worker_xichu):
    client.force_login(health_worker_xichu)
    response = client.post(reverse("growth:measure", args=[child_xichu.pk]), {**GOOD, "talla_cm": "0.76"})
    assert response.status_code == 400
    assert "metros" in response.content.decode()
    assert not Measurement.objects.exists()
