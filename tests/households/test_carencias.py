"""Each CONEVAL 2020 rule at its edges (priority_zones/carencias.py), without the database."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from priority_zones.carencias import (
    HouseholdInput,
    Line,
    PersonInput,
    acceso_salud,
    alimentacion,
    calidad_vivienda,
    diagnose,
    income_per_capita,
    poverty_class,
    rezago_educativo,
    seguridad_social,
    servicios_basicos,
)

LINE_2025_URBAN = Line(extreme=Decimal("2467.15"), poverty=Decimal("4818.14"), row_id=7)


def person(**kw) -> PersonInput:
    base = {"number": 1, "relationship": "JEFE"}
    base.update(kw)
    return PersonInput(**base)


# --- rezago educativo --------------------------------------------------------------------------


def test_a_child_of_two_never_has_rezago():
    assert rezago_educativo(person(age=2, education_level="NINGUNO", attends_school=False), 2026) is False


@pytest.mark.parametrize("age", [3, 15, 16, 21])
def test_it_flags_ages_3_to_21_out_of_school_without_media_superior(age):
    p = person(age=age, education_level="PRIMARIA", education_completed=True, attends_school=False)
    assert rezago_educativo(p, 2026) is True


@pytest.mark.parametrize("age", [3, 15, 16, 21])
def test_pupils_aged_3_to_21_have_no_rezago(age):
    p = person(age=age, education_level="PRIMARIA", education_completed=False, attends_school=True)
    assert rezago_educativo(p, 2026) is False


def test_at_22_born_1998_or_later_attending_school_does_not_excuse_missing_media_superior():
    p = person(
        age=22, birth_year=2004, education_level="SECUNDARIA", education_completed=True, attends_school=True
    )
    assert rezago_educativo(p, 2026) is True
    p21 = replace(p, age=21, birth_year=2005)
    assert rezago_educativo(p21, 2026) is False


def test_at_22_with_media_superior_complete_there_is_no_rezago():
    p = person(age=22, education_level="MEDIA_SUPERIOR", education_completed=True, attends_school=False)
    assert rezago_educativo(p, 2026) is False


@pytest.mark.parametrize(
    ("born", "level", "completed", "expected"),
    [
        (1981, "PRIMARIA", True, False),  # born 1981: primaria completa is enough
        (1981, "PRIMARIA", False, True),
        (1982, "PRIMARIA", True, True),  # born 1982: needs secundaria
        (1982, "SECUNDARIA", True, False),
        (1997, "SECUNDARIA", False, True),
        (1997, "SECUNDARIA", True, False),  # born 1997: secundaria is enough
        (1998, "SECUNDARIA", True, True),  # born 1998: needs media superior
        (1998, "MEDIA_SUPERIOR", True, False),
    ],
)
def test_the_norm_depends_on_the_birth_cohort(born, level, completed, expected):
    p = person(age=2026 - born, birth_year=born, education_level=level, education_completed=completed)
    assert rezago_educativo(p, 2026) is expected


def test_the_birth_year_defaults_to_survey_year_minus_age():
    # 44 in 2026 -> born 1982 -> needs secundaria.
    assert (
        rezago_educativo(person(age=44, education_level="PRIMARIA", education_completed=True), 2026) is True
    )
    # 45 in 2026 -> born 1981 -> primaria completa is enough.
    assert (
        rezago_educativo(person(age=45, education_level="PRIMARIA", education_completed=True), 2026) is False
    )


def test_a_missing_schooling_answer_gives_a_missing_rezago():
    assert rezago_educativo(person(age=40), 2026) is None
    assert rezago_educativo(person(age=None, education_level="NINGUNO"), 2026) is None
    assert (
        rezago_educativo(person(age=10, education_level="PRIMARIA", education_completed=False), 2026) is None
    )


# --- salud and seguridad social ------------------------------------------------------------------


def test_any_reported_affiliation_means_access_to_health():
    assert acceso_salud(person(health_affiliations=["IMSS_BIENESTAR"]), []) is False


def test_no_affiliation_and_no_relative_means_the_health_carencia():
    p = person(age=40, health_affiliations=[], works=False)
    assert acceso_salud(p, [p]) is True


def test_an_unanswered_affiliation_gives_a_missing_health_carencia():
    p = person(age=40, health_affiliations=None, works=False)
    assert acceso_salud(p, [p]) is None


def insured_head(**kw):
    base = {
        "age": 45,
        "works": True,
        "job_type": "SUBORDINADO",
        "has_medical_benefit": True,
        "has_sick_leave": True,
        "has_retirement_savings": True,
        "health_affiliations": ["IMSS"],
    }
    base.update(kw)
    return person(number=1, relationship="JEFE", **base)


def test_the_spouse_is_covered_through_the_head():
    head = insured_head()
    spouse = person(
        number=2,
        relationship="CONYUGE",
        age=44,
        health_affiliations=[],
        works=True,
        job_type="INDEPENDIENTE",
        has_medical_benefit=False,
        has_retirement_savings=False,
    )
    assert acceso_salud(spouse, [head, spouse]) is False
    assert seguridad_social(spouse, [head, spouse]) is False


@pytest.mark.parametrize(
    ("age", "studies", "expected"),
    [(15, False, False), (16, True, False), (16, False, True), (25, True, False), (26, True, True)],
)
def test_children_are_covered_under_16_or_16_to_25_at_school(age, studies, expected):
    head = insured_head()
    child = person(
        number=3,
        relationship="HIJO",
        age=age,
        attends_school=studies,
        health_affiliations=[],
        works=False,
        is_pensioner=False,
    )
    assert acceso_salud(child, [head, child]) is expected
    assert seguridad_social(child, [head, child]) is expected


def test_a_working_parent_of_the_head_is_not_covered_through_the_head():
    head = insured_head()
    working = person(
        number=4,
        relationship="PADRE",
        age=60,
        health_affiliations=[],
        works=True,
        job_type="INDEPENDIENTE",
        has_medical_benefit=False,
        has_retirement_savings=False,
        is_pensioner=False,
    )
    retired = replace(working, works=False, job_type=None)
    assert acceso_salud(working, [head, working]) is True
    assert acceso_salud(retired, [head, retired]) is False


def test_a_subordinate_worker_needs_medical_care_sick_leave_and_afore():
    p = insured_head(health_affiliations=[])
    assert seguridad_social(p, [p]) is False
    no_leave = replace(p, has_sick_leave=False, is_pensioner=False, health_other_route=False)
    assert seguridad_social(no_leave, [no_leave]) is True


def test_an_independent_worker_needs_medical_care_and_afore_only():
    p = insured_head(job_type="INDEPENDIENTE", has_sick_leave=False)
    assert seguridad_social(p, [p]) is False


def test_a_pensioner_has_social_security():
    p = person(age=70, works=False, is_pensioner=True)
    assert seguridad_social(p, [p]) is False


@pytest.mark.parametrize(("amount", "expected"), [("1500.79", True), ("1500.80", False)])
def test_the_elder_programme_covers_above_the_threshold(amount, expected):
    p = person(
        age=65,
        works=False,
        is_pensioner=False,
        health_other_route=False,
        elder_programme_amount=Decimal(amount),
    )
    assert seguridad_social(p, [p]) is expected


def test_the_elder_programme_does_not_cover_under_65():
    p = person(
        age=64,
        works=False,
        is_pensioner=False,
        health_other_route=False,
        elder_programme_amount=Decimal("3000"),
    )
    assert seguridad_social(p, [p]) is True


def test_a_missing_job_answer_gives_a_missing_social_security_carencia():
    p = person(age=40, works=None, is_pensioner=False, health_other_route=False)
    assert seguridad_social(p, [p]) is None


# --- dwelling and services --------------------------------------------------------------------------

SOUND_HOUSE = {"floor": "CEMENTO", "roof": "LOSA", "wall": "TABIQUE", "rooms": 2, "residents": 5}
SERVED_HOUSE = {"water": "DENTRO", "drainage": "RED_PUBLICA", "electricity": "RED", "cooking_fuel": "GAS"}


def house(**kw) -> HouseholdInput:
    base = {"survey_year": 2026, "ambito": "U", **SOUND_HOUSE, **SERVED_HOUSE}
    base.update(kw)
    return HouseholdInput(**base)


def test_exactly_2_5_persons_per_room_is_not_overcrowding():
    assert calidad_vivienda(house(rooms=2, residents=5)) is False
    assert calidad_vivienda(house(rooms=2, residents=6)) is True


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("floor", "TIERRA", True),
        ("roof", "CARTON", True),
        ("roof", "DESECHO", True),
        ("roof", "LAMINA", False),
        ("wall", "EMBARRO", True),
        ("wall", "CARRIZO", True),
        ("wall", "LAMINA", True),
        ("wall", "ADOBE", False),
    ],
)
def test_dwelling_materials(field, value, expected):
    assert calidad_vivienda(house(**{field: value})) is expected


def test_a_missing_material_gives_a_missing_dwelling_carencia_unless_another_settles_it():
    assert calidad_vivienda(house(roof=None)) is None
    assert calidad_vivienda(house(roof=None, floor="TIERRA")) is True


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("DENTRO", False),
        ("TERRENO", False),
        ("LLUVIA", False),
        ("PIPA", True),
        ("POZO", True),
        ("RIO", True),
        ("OTRA_VIVIENDA", True),
        ("LLAVE_PUBLICA", True),
    ],
)
def test_water_sources(value, expected):
    assert servicios_basicos(house(water=value)) is expected


def test_solar_panel_counts_as_electricity():
    assert servicios_basicos(house(electricity="PANEL")) is False
    assert servicios_basicos(house(electricity="NINGUNA")) is True


def test_drainage_to_a_ravine_is_a_carencia():
    assert servicios_basicos(house(drainage="BARRANCA")) is True
    assert servicios_basicos(house(drainage="FOSA")) is False


def test_wood_with_a_chimney_is_not_a_carencia_and_without_one_it_is():
    assert servicios_basicos(house(cooking_fuel="LENA", has_chimney=True)) is False
    assert servicios_basicos(house(cooking_fuel="LENA", has_chimney=False)) is True
    assert servicios_basicos(house(cooking_fuel="CARBON", has_chimney=None)) is None
    assert servicios_basicos(house(cooking_fuel="GAS", has_chimney=None)) is False


# --- food ----------------------------------------------------------------------------------------

ADULTS = (person(number=1, age=40), person(number=2, relationship="CONYUGE", age=38))
WITH_CHILD = (*ADULTS, person(number=3, relationship="HIJO", age=8))


def answers(adult_yes: int, minor_yes: int = 0) -> dict:
    out = {f"a{i}": i <= adult_yes for i in range(1, 7)}
    out.update({f"m{i}": i <= minor_yes for i in range(1, 7)})
    return out


@pytest.mark.parametrize(("yes", "expected"), [(0, False), (2, False), (3, True), (6, True)])
def test_adults_only_scale_is_moderate_from_3_of_6(yes, expected):
    assert alimentacion(house(persons=ADULTS, food_security=answers(yes))) is expected


@pytest.mark.parametrize(
    ("adult_yes", "minor_yes", "expected"), [(3, 0, False), (2, 1, False), (3, 1, True), (6, 2, True)]
)
def test_with_minors_the_12_item_scale_is_moderate_from_4(adult_yes, minor_yes, expected):
    assert alimentacion(house(persons=WITH_CHILD, food_security=answers(adult_yes, minor_yes))) is expected


def test_unanswered_items_give_a_missing_food_carencia_when_they_could_tip_it():
    partial = {"a1": True, "a2": True}
    assert alimentacion(house(persons=ADULTS, food_security=partial)) is None
    assert alimentacion(house(persons=ADULTS, food_security={**partial, "a3": True})) is True


def test_limited_consumption_at_42_or_less_is_a_carencia_even_when_the_scale_is_secure():
    groups = {
        "cereales": 7,
        "verduras": 7,
        "frutas": 0,
        "leguminosas": 7,
        "carne_huevo": 0,
        "lacteos": 0,
        "grasas": 0,
    }
    assert alimentacion(house(persons=ADULTS, food_security=answers(0), food_groups=groups)) is True  # 42
    richer = {**groups, "frutas": 1}
    assert alimentacion(house(persons=ADULTS, food_security=answers(0), food_groups=richer)) is False  # 43


# --- income and poverty class --------------------------------------------------------------------------


def test_equivalence_scale_weights_by_age_and_a_single_person_counts_one():
    alone = [person(age=30, monthly_income=Decimal("5000"))]
    assert income_per_capita(alone)[0] == Decimal("5000.00")
    family = [
        person(age=30, monthly_income=Decimal("6000")),
        person(number=2, relationship="HIJO", age=4, monthly_income=Decimal("0")),
    ]
    assert income_per_capita(family)[0] == (Decimal("6000") / Decimal("1.6976")).quantize(Decimal("0.01"))


@pytest.mark.parametrize(
    ("known", "unknown", "income", "expected"),
    [
        (3, 0, "2000", "POBREZA_EXTREMA"),
        (2, 0, "2000", "POBREZA_MODERADA"),
        (3, 0, "3000", "POBREZA_MODERADA"),
        (1, 0, "5000", "VULNERABLE_CARENCIAS"),
        (0, 0, "3000", "VULNERABLE_INGRESOS"),
        (0, 0, "4818.14", "NO_POBRE"),
        (0, 1, "5000", "INDETERMINADO"),
        (2, 1, "2000", "INDETERMINADO"),
        (1, 1, "2000", "POBREZA_MODERADA"),
    ],
)
def test_each_poverty_class(known, unknown, income, expected):
    assert poverty_class(known, unknown, Decimal(income), LINE_2025_URBAN) == expected


def test_without_income_or_line_the_class_is_indeterminate():
    assert poverty_class(3, 0, None, LINE_2025_URBAN) == "INDETERMINADO"
    assert poverty_class(3, 0, Decimal("100"), None) == "INDETERMINADO"


def test_domestic_workers_and_guests_are_outside_the_unit_of_analysis():
    head = insured_head(monthly_income=Decimal("9000"), education_level="SUPERIOR", education_completed=True)
    maid = person(number=2, relationship="TRABAJADOR_DOMESTICO", age=30, health_affiliations=[], works=True)
    result = diagnose(house(persons=(head, maid), food_security=answers(0)), LINE_2025_URBAN)
    assert [p.number for p in result.persons] == [1]
    assert result.income_per_capita == Decimal("9000.00")
    assert result.carencias == (False, False, False, False, False, False)
    assert result.carencias_count == 0
    assert result.poverty_class == "NO_POBRE"
    assert result.methodology_version == "CONEVAL-2020"


def test_a_missing_carencia_leaves_the_count_missing_never_zero():
    head = insured_head(monthly_income=Decimal("9000"), education_level=None)
    result = diagnose(house(persons=(head,), food_security=answers(0)), LINE_2025_URBAN)
    assert result.rezago_educativo is None
    assert result.carencias_count is None
    assert result.poverty_class == "INDETERMINADO"
