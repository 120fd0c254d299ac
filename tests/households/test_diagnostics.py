"""Diagnostics are computed in bulk, versioned, immutable in the database, and pick the right line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from priority_zones.actions import do_compute_diagnostics
from priority_zones.models import Diagnostic, Household
from tests.places import HEAD_WITH_IMSS, make_household


def test_it_records_methodology_and_the_poverty_line_row(household_xichu, poverty_lines):
    do_compute_diagnostics(Household.objects.all())
    d = Diagnostic.objects.get(household=household_xichu)
    assert d.version == 1
    assert d.methodology_version == "CONEVAL-2020"
    assert d.poverty_line == poverty_lines[(dt.date(2025, 12, 1), "U")]
    assert d.poverty_class == "NO_POBRE"
    assert d.carencias_count == 0
    assert d.income_per_capita == Decimal("12000.00")
    assert d.income_estimated is True  # CUIS income is partial
    assert d.person_results == {"1": [False, False, False]}


def test_it_uses_the_latest_line_on_or_before_the_survey_date_for_the_ambito(xichu, poverty_lines):
    rural_2025 = make_household(xichu, -100.1, 21.3, ambito="R", survey_date=dt.date(2025, 11, 30))
    too_early = make_household(xichu, -100.1, 21.31, survey_date=dt.date(2020, 7, 31))
    do_compute_diagnostics([rural_2025, too_early])
    assert (
        Diagnostic.objects.get(household=rural_2025).poverty_line == poverty_lines[(dt.date(2025, 7, 1), "R")]
    )
    undecided = Diagnostic.objects.get(household=too_early)
    assert undecided.poverty_line is None
    assert undecided.poverty_class == "INDETERMINADO"


def test_recomputing_makes_a_new_version_and_moves_latest(household_xichu):
    do_compute_diagnostics(Household.objects.all())
    do_compute_diagnostics(Household.objects.all())
    versions = list(Diagnostic.objects.filter(household=household_xichu).values_list("version", flat=True))
    assert sorted(versions) == [1, 2]
    household_xichu.refresh_from_db()
    assert household_xichu.latest_diagnostic.version == 2


def test_the_database_refuses_to_update_a_diagnostic(household_xichu):
    do_compute_diagnostics([household_xichu])
    d = Diagnostic.objects.get(household=household_xichu)
    with pytest.raises(IntegrityError, match="inmutables"), transaction.atomic():
        Diagnostic.objects.filter(pk=d.pk).update(poverty_class="POBREZA_EXTREMA")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE priority_zones_diagnostic SET version = 9")  # noqa: S608 - test of the trigger
    assert Diagnostic.objects.get(pk=d.pk).poverty_class == "NO_POBRE"


def test_saving_a_stale_household_keeps_the_latest_diagnostic(household_xichu):
    stale = Household.objects.get(pk=household_xichu.pk)
    do_compute_diagnostics([household_xichu])
    stale.rooms = 4
    stale.save()
    stale.refresh_from_db()
    assert stale.latest_diagnostic is not None


def test_a_poor_household_with_three_carencias_is_in_extreme_poverty(xichu, poverty_lines):
    poor_head = {
        **HEAD_WITH_IMSS,
        "age": 50,
        "education_level": "PRIMARIA",
        "education_completed": False,
        "health_affiliations": [],
        "works": True,
        "job_type": "INDEPENDIENTE",
        "has_medical_benefit": False,
        "has_retirement_savings": False,
        "monthly_income": Decimal("1500"),
    }
    h = make_household(xichu, -100.05, 21.31, persons=[poor_head], ambito="R", floor="TIERRA")
    do_compute_diagnostics([h])
    d = Diagnostic.objects.get(household=h)
    assert (d.rezago_educativo, d.acceso_salud, d.seguridad_social, d.calidad_vivienda) == (
        True,
        True,
        True,
        True,
    )
    assert d.carencias_count == 4
    assert d.poverty_class == "POBREZA_EXTREMA"


def test_a_missing_answer_is_stored_as_null_not_false(xichu, poverty_lines):
    h = make_household(xichu, -100.05, 21.32, water=None, food_security={})
    do_compute_diagnostics([h])
    d = Diagnostic.objects.get(household=h)
    assert d.servicios_basicos is None
    assert d.alimentacion is None
    assert d.carencias_count is None
    assert d.poverty_class == "INDETERMINADO"


def test_the_computation_reads_households_and_persons_set_based(
    xichu, poverty_lines, django_assert_max_num_queries
):
    households = [make_household(xichu, -100.05, 21.3 + i / 1000) for i in range(30)]
    # ids, lines, persons, households, insert (+trigger), refresh units: bounded, not per household
    with django_assert_max_num_queries(12):
        assert do_compute_diagnostics(households) == 30


def test_a_household_with_diagnostics_can_still_be_deleted(household_xichu):
    do_compute_diagnostics([household_xichu])
    do_compute_diagnostics([household_xichu])
    household_xichu.delete()
    with connection.cursor() as cursor:  # check the deferred foreign keys now, as a commit would
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert not Diagnostic.objects.exists()
