"""Staff follow-up pages (growth chart, due list, referral log) and the report card's growth section."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from growth.actions import do_record_measurement, refresh_units
from growth.models import Measurement, Referral

from .conftest import make_child

PURPOSE = {"proposito": "seguimiento del control mensual"}


def test_the_child_page_draws_the_growth_chart_against_the_who_curves(
    client, child_xichu, health_worker_xichu
):
    for day, w, h in (("2026-01-05", "7.9", "67.0"), ("2026-04-02", "8.9", "71.8")):
        do_record_measurement(
            child_xichu,
            {"fecha_medicion": day, "peso_kg": w, "talla_cm": h, "posicion": "L"},
            health_worker_xichu,
            today=dt.date(2026, 6, 30),
        )
    client.force_login(health_worker_xichu)
    html = client.get(reverse("growth:child", args=[child_xichu.pk]), PURPOSE).content.decode()
    assert html.count('class="growth-chart"') == 2
    assert html.count('<circle class="child"') == 4  # two measurements on each chart
    assert html.count('class="who z0"') == 2 and "style=" not in html.split('class="growth-chart"')[1][:5000]


def test_due_list_shows_children_without_a_recent_measurement(
    client, xichu, centre_xichu, health_worker_xichu
):
    due = make_child(xichu, code="DUE-1")
    fresh = make_child(xichu, code="FRESH-1")
    Measurement.objects.create(
        child=fresh,
        measured_on=dt.date.today(),
        age_days=(dt.date.today() - fresh.birth_date).days,
        weight_kg=9,
        height_cm=74,
        position="L",
    )
    client.force_login(health_worker_xichu)
    html = client.get(reverse("growth:staff"), PURPOSE).content.decode()
    assert due.code in html and fresh.code not in html


def test_severe_wasting_opens_a_referral_that_the_log_shows_and_staff_update(
    client, child_xichu, health_worker_xichu, centre_xichu
):
    do_record_measurement(
        child_xichu,
        {"fecha_medicion": "2026-06-30", "peso_kg": "6.9", "talla_cm": "75.7", "posicion": "L"},
        health_worker_xichu,
        today=dt.date(2026, 6, 30),
    )
    referral = Referral.objects.get()
    assert "emaciación severa" in referral.reason
    client.force_login(health_worker_xichu)
    html = client.get(reverse("growth:referrals"), PURPOSE).content.decode()
    assert child_xichu.code in html
    client.post(reverse("growth:referral-status", args=[referral.pk]), {"estado": "ATTENDED", **PURPOSE})
    referral.refresh_from_db()
    assert referral.status == "ATTENDED"


def test_the_municipio_report_card_shows_growth_next_to_related_investment(client, xichu, centre_xichu):
    children = [make_child(xichu, at=(-100.05 + i * 1e-5, 21.3)) for i in range(15)]
    for i, c in enumerate(children):
        Measurement.objects.create(
            child=c,
            measured_on=dt.date(2026, 6, 1),
            age_days=300,
            weight_kg=9,
            height_cm=72,
            position="L",
            stunted=i < 5,
            wasted=False,
            underweight=False,
            overweight=False,
            obese=False,
        )
    refresh_units()
    html = client.get(reverse("works_map:municipio", args=["11045"])).content.decode()
    assert (
        'id="growth-card"' in html
        and "Agua potable" in html
        and "carencia por acceso a la alimentación" in html
    )
    assert "Baja talla" in html and children[0].code not in html
