"""The questionnaire is a versioned data file; results and the nearest centre; the caregiver page
stores nothing; staff screenings are stored and a "refer" opens a referral."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from growth import screening
from growth.actions import do_record_screening
from growth.models import GrowthAccessLog, GuidanceText, Referral, Screening


def answers(band, value=None):
    """Every item answered `value`, or (None) with its best answer (0 points)."""
    return {item["id"]: value or min(item["points"], key=item["points"].get) for item in band["items"]}


def test_the_questionnaire_file_is_versioned_and_covers_0_to_59_months():
    q = screening.questionnaire()
    assert q["version"] == "2026.1"
    assert [b["min_months"] for b in q["bands"]][0] == 0 and q["bands"][-1]["max_months"] == 59


def test_a_malformed_questionnaire_is_refused(tmp_path):
    data = json.loads((screening.DATA_DIR / "tamizaje-2026.1.json").read_text())
    data["bands"][1]["min_months"] = 7  # a gap at 6 months
    with pytest.raises(ValueError, match="follow on"):
        screening._check(data)


@pytest.mark.parametrize(
    ("months", "band"), [(0, "0-5m"), (5, "0-5m"), (6, "6-11m"), (23, "12-23m"), (59, "36-59m")]
)
def test_age_picks_the_band(months, band):
    assert screening.band_for(months)["id"] == band


def test_over_five_years_is_refused():
    with pytest.raises(screening.ScreeningError, match="menores de 5"):
        screening.band_for(60)


def test_scoring_follows_the_file():
    band = screening.band_for(30)
    assert screening.score(band, answers(band)).result == "ON_TRACK"
    some = answers(band) | {"botanas": "si"}  # 2 points on a feeding item
    assert screening.score(band, some).result == "FOLLOW_UP"
    alert = answers(band) | {"frases": "no"}  # the band's alert item
    outcome = screening.score(band, alert)
    assert outcome.result == "REFER" and outcome.alerts == ["frases"]
    with pytest.raises(screening.ScreeningError) as err:
        screening.score(band, {})
    assert err.value.parameter == band["items"][0]["id"]


def test_the_caregiver_page_answers_with_guidance_and_the_nearest_centre_and_stores_nothing(
    client, xichu, centre_xichu
):
    GuidanceText.objects.create(result="REFER", title="Acuda a su centro", body="Lleve su cartilla.")
    birth = (dt.date.today() - dt.timedelta(days=800)).isoformat()
    page = client.get(reverse("growth:screening"), {"fecha_nacimiento": birth})
    assert page.status_code == 200 and "frases" in page.content.decode()
    band = screening.band_for(screening.age_months(dt.date.fromisoformat(birth), dt.date.today()))
    form = {"fecha_nacimiento": birth, "municipio": "11045", **answers(band), band["items"][0]["id"]: "no"}
    html = client.post(reverse("growth:screening"), form).content.decode()
    assert "Acuda a su centro" in html and centre_xichu.name in html
    assert not Screening.objects.exists() and not GrowthAccessLog.objects.exists()


def test_the_caregiver_page_names_a_missing_answer_with_a_400(client, db):
    birth = (dt.date.today() - dt.timedelta(days=400)).isoformat()
    response = client.post(reverse("growth:screening"), {"fecha_nacimiento": birth})
    assert response.status_code == 400 and "Falta la respuesta" in response.content.decode()
    assert client.get(reverse("growth:screening"), {"fecha_nacimiento": "ayer"}).status_code == 400
    assert client.get(reverse("growth:screening"), {"fecha_nacimiento": "2019-01-01"}).status_code == 400


def test_a_staff_screening_is_stored_with_its_version_and_refer_opens_a_referral(
    child_xichu, health_worker_xichu, centre_xichu
):
    band = screening.band_for(screening.age_months(child_xichu.birth_date, dt.date(2026, 6, 30)))
    record = do_record_screening(
        child_xichu, answers(band, "no"), health_worker_xichu, answered_on=dt.date(2026, 6, 30)
    )
    assert (
        record.result == "REFER"
        and record.questionnaire_version == "2026.1"
        and record.centre == centre_xichu
    )
    referral = Referral.objects.get()
    assert referral.screening == record and referral.centre == centre_xichu


def test_guidance_texts_are_edited_by_staff(client, health_worker_xichu):
    text = GuidanceText.objects.create(result="ON_TRACK", title="Va bien", body="Siga así.")
    client.force_login(health_worker_xichu)
    assert (
        client.post(reverse("growth:guidance"), {"id": text.pk, "titulo": "", "texto": "x"}).status_code
        == 400
    )
    assert (
        client.post(
            reverse("growth:guidance"), {"id": text.pk, "titulo": "Todo bien", "texto": "Juegue y platique."}
        ).status_code
        == 302
    )
    text.refresh_from_db()
    assert (text.title, text.updated_by) == ("Todo bien", health_worker_xichu)
