"""The window in business days: weekends and Mexican federal holidays are not counted, the opening
day is not counted, and the consultation closes at the end of its last day (Mexico City time)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from consultations import business_days
from consultations.models import Consultation


def test_twenty_business_days_skip_independence_day():
    # Tue 1 Sep 2026: the 20 business days after it run to Wed 30 Sep; without the 16 Sep holiday
    # (a Wednesday) they would end on Tue 29 Sep.
    assert business_days.add_business_days(dt.date(2026, 9, 1), 20) == dt.date(2026, 9, 30)


def test_twenty_business_days_skip_revolution_day_on_its_monday():
    # Revolution Day 2026 is observed on Monday 16 Nov (third Monday). From Mon 2 Nov: 3..6 (4),
    # 9..13 (9), 17..20 (13), 23..27 (18), 30 Nov (19), 1 Dec (20).
    assert business_days.add_business_days(dt.date(2026, 11, 2), 20) == dt.date(2026, 12, 1)
    assert not business_days.is_business_day(dt.date(2026, 11, 16))
    assert business_days.is_business_day(dt.date(2026, 11, 20))  # the date itself is a working Friday


def test_a_window_ending_before_christmas_jumps_it_and_new_year():
    # From Fri 18 Dec 2026, 5 business days: 21, 22, 23, 24, (25 holiday), 28.
    assert business_days.add_business_days(dt.date(2026, 12, 18), 5) == dt.date(2026, 12, 28)


def test_the_holidays_skipped_are_named_for_the_page():
    skipped = business_days.holidays_between(dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    assert [day for day, _name in skipped] == [dt.date(2026, 9, 16)]
    assert "Independencia" in skipped[0][1]


def test_zero_days_is_refused():
    with pytest.raises(ValueError):
        business_days.add_business_days(dt.date(2026, 9, 1), 0)


def _at(day: dt.date, hour: int, minute: int = 0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def test_the_consultation_is_open_until_the_last_minute_of_its_closing_day():
    consultation = Consultation(opens_on=dt.date(2026, 9, 1), closes_on=dt.date(2026, 9, 30))
    assert consultation.state_on(_at(dt.date(2026, 8, 31), 23, 59)) == Consultation.State.UPCOMING
    assert consultation.state_on(_at(dt.date(2026, 9, 1), 0, 0)) == Consultation.State.OPEN
    assert consultation.state_on(_at(dt.date(2026, 9, 30), 23, 59)) == Consultation.State.OPEN
    assert consultation.state_on(_at(dt.date(2026, 10, 1), 0, 0)) == Consultation.State.CLOSED
    # The day is Mexico City's: 05:30 UTC on 1 Oct is still 30 Sep, 23:30, in Guanajuato.
    utc_moment = dt.datetime(2026, 10, 1, 5, 30, tzinfo=dt.UTC)
    assert consultation.state_on(utc_moment) == Consultation.State.OPEN


@pytest.mark.django_db
def test_opening_a_consultation_stores_its_closing_date(planner_leon, draft_zone_leon):
    from consultations.actions import do_open_consultation

    opened = do_open_consultation(
        acting_user=planner_leon,
        title="Consulta de septiembre",
        question="¿Está de acuerdo con el trazo de la zona?",
        subject="ZONE",
        zone=draft_zone_leon,
        opens_on=timezone.localdate(),
    )
    assert opened.closes_on == business_days.add_business_days(opened.opens_on, 20)
    assert opened.state == Consultation.State.OPEN
