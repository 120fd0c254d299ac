"""The six carencias sociales and the poverty class, per CONEVAL/INEGI's 2020 calculation program.

Pure Python: no database access. Callers build `HouseholdInput`/`PersonInput` from rows and a
`Line` from the PovertyLine in force; `diagnose()` returns everything a Diagnostic stores.

Three-valued logic throughout: a rule answers True (has the carencia), False, or None when an input
it needs is missing and the known inputs do not settle it. A missing answer is never read as "no".

Household level: the unit of analysis is the person (domestic workers and guests excluded);
person-level carencias (rezago educativo, salud, seguridad social) are lifted to the household as
"some member has it" (True if any member has it; False if every member is known not to; otherwise
None). Dwelling and food carencias are household-level and apply to every member.

Where shared/DOMAIN.md §3.2 is terser than the official program, the program wins:
- rezago educativo, first criterion: ages 3-21 (born 1998 or later), *not attending school and*
  without educación obligatoria (media superior). Reading it as "or" would flag every pupil.
- the cohort rules use the birth year; when it is missing it is the survey year minus the age,
  as the program does with ENIGH's `anac_e`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

METHODOLOGY_VERSION = "CONEVAL-2020"
INCOME_METHOD = "CUIS-ingreso-parcial"

# Monthly amount of a pensión para adultos mayores above which a person aged 65+ counts as covered
# (the 2020 program's threshold).
ELDER_PROGRAMME_THRESHOLD = Decimal("1500.79")

EDUCATION_RANK = {
    "NINGUNO": 0,
    "PREESCOLAR": 0,
    "PRIMARIA": 1,
    "SECUNDARIA": 2,
    "MEDIA_SUPERIOR": 3,
    "SUPERIOR": 4,
}
# niv_ed in the program: 0 below primaria completa, 1 primaria completa, 2 secundaria completa,
# 3 media superior completa or more.
PRIMARIA, SECUNDARIA, MEDIA_SUPERIOR = 1, 2, 3

HEALTH_INSTITUTIONS = frozenset(
    {
        "IMSS",
        "ISSSTE",
        "ISSSTE_ESTATAL",
        "PEMEX",
        "DEFENSA",
        "MARINA",
        "IMSS_BIENESTAR",
        "INSABI",
        "PRIVADO",
        "OTRA",
    }
)

EXCLUDED_RELATIONSHIPS = frozenset({"TRABAJADOR_DOMESTICO", "HUESPED"})

BAD_FLOORS = frozenset({"TIERRA"})
BAD_ROOFS = frozenset({"CARTON", "DESECHO"})
BAD_WALLS = frozenset({"EMBARRO", "CARRIZO", "CARTON", "LAMINA", "DESECHO"})
OVERCROWDING = Decimal("2.5")
BAD_WATER = frozenset({"POZO", "RIO", "PIPA", "OTRA_VIVIENDA", "LLAVE_PUBLICA"})
BAD_DRAINAGE = frozenset({"NINGUNO", "RIO", "BARRANCA"})
NO_ELECTRICITY = frozenset({"NINGUNA"})
SMOKY_FUELS = frozenset({"LENA", "CARBON"})

ADULT_ITEMS = tuple(f"a{i}" for i in range(1, 7))
MINOR_ITEMS = tuple(f"m{i}" for i in range(1, 7))
# Moderate-or-severe food insecurity starts at these many affirmative answers.
EMSA_THRESHOLD_ADULTS = 3  # of 6: 0 seguro, 1-2 leve, 3-4 moderada, 5-6 severa
EMSA_THRESHOLD_MINORS = 4  # of 12: 0, 1-3 leve, 4-7 moderada, 8-12 severa
# Weighted food-consumption score (days per week x weight); limited consumption when <= 42.
FOOD_GROUP_WEIGHTS = {
    "cereales": Decimal("2"),
    "verduras": Decimal("1"),
    "frutas": Decimal("1"),
    "leguminosas": Decimal("3"),
    "carne_huevo": Decimal("4"),
    "lacteos": Decimal("4"),
    "grasas": Decimal("0.5"),
}
OPTIONAL_FOOD_GROUPS = {"azucar": Decimal("0.5")}  # not in the CUIS; counted when present
LIMITED_CONSUMPTION_MAX = Decimal("42")


def equivalence_weight(age: int) -> Decimal:
    if age <= 5:
        return Decimal("0.7031")
    if age <= 12:
        return Decimal("0.7382")
    if age <= 18:
        return Decimal("0.7057")
    return Decimal("0.9945")


@dataclass(frozen=True)
class PersonInput:
    number: int
    relationship: str
    age: int | None = None
    birth_year: int | None = None
    education_level: str | None = None
    education_completed: bool | None = None
    attends_school: bool | None = None
    health_affiliations: Sequence[str] | None = None
    health_other_route: bool | None = None
    works: bool | None = None
    job_type: str | None = None
    has_medical_benefit: bool | None = None
    has_sick_leave: bool | None = None
    has_retirement_savings: bool | None = None
    is_pensioner: bool | None = None
    elder_programme_amount: Decimal | None = None
    monthly_income: Decimal | None = None


@dataclass(frozen=True)
class HouseholdInput:
    survey_year: int
    ambito: str
    persons: Sequence[PersonInput] = ()
    floor: str | None = None
    roof: str | None = None
    wall: str | None = None
    rooms: int | None = None
    residents: int | None = None
    water: str | None = None
    drainage: str | None = None
    electricity: str | None = None
    cooking_fuel: str | None = None
    has_chimney: bool | None = None
    food_security: dict = field(default_factory=dict)
    food_groups: dict = field(default_factory=dict)
    partial_income: bool = True


@dataclass(frozen=True)
class Line:
    """The income lines in force (monthly, per person) and the row they come from."""

    extreme: Decimal
    poverty: Decimal
    row_id: int | None = None


@dataclass(frozen=True)
class PersonResult:
    number: int
    rezago_educativo: bool | None
    acceso_salud: bool | None
    seguridad_social: bool | None


@dataclass(frozen=True)
class Result:
    rezago_educativo: bool | None
    acceso_salud: bool | None
    seguridad_social: bool | None
    calidad_vivienda: bool | None
    servicios_basicos: bool | None
    alimentacion: bool | None
    carencias_count: int | None
    income_per_capita: Decimal | None
    income_estimated: bool
    poverty_class: str
    persons: tuple[PersonResult, ...]
    methodology_version: str = METHODOLOGY_VERSION

    @property
    def carencias(self) -> tuple[bool | None, ...]:
        return (
            self.rezago_educativo,
            self.acceso_salud,
            self.seguridad_social,
            self.calidad_vivienda,
            self.servicios_basicos,
            self.alimentacion,
        )


# --- three-valued helpers ------------------------------------------------------------------------


def any3(values: Iterable[bool | None]) -> bool | None:
    """Kleene OR: True if any is True, False if all are False, else None."""
    unknown = False
    for v in values:
        if v is True:
            return True
        if v is None:
            unknown = True
    return None if unknown else False


def all3(values: Iterable[bool | None]) -> bool | None:
    """Kleene AND."""
    unknown = False
    for v in values:
        if v is False:
            return False
        if v is None:
            unknown = True
    return None if unknown else True


def not3(value: bool | None) -> bool | None:
    return None if value is None else not value


def member_of(value: str | None, bad: frozenset[str]) -> bool | None:
    return None if value is None else value in bad


# --- rezago educativo ----------------------------------------------------------------------------


def education_rank(p: PersonInput) -> int | None:
    """niv_ed: the highest level *completed* (an unfinished level counts as the one below)."""
    if p.education_level is None:
        return None
    rank = EDUCATION_RANK[p.education_level]
    if p.education_level in ("NINGUNO", "PREESCOLAR"):
        return 0
    if p.education_completed is None:
        return None
    return min(rank, MEDIA_SUPERIOR) if p.education_completed else rank - 1


def birth_year(p: PersonInput, survey_year: int) -> int | None:
    if p.birth_year is not None:
        return p.birth_year
    if p.age is None:
        return None
    return survey_year - p.age


def rezago_educativo(p: PersonInput, survey_year: int) -> bool | None:
    age = p.age
    if age is None:
        return None
    if age <= 2:
        return False
    born = birth_year(p, survey_year)
    if born is None:
        return None
    level = education_rank(p)
    if born >= 1998:
        if age >= 22:
            return None if level is None else level < MEDIA_SUPERIOR
        # 3 to 21: carencia when without media superior and not attending school.
        if level is not None and level >= MEDIA_SUPERIOR:
            return False
        if p.attends_school is True:
            return False
        if p.attends_school is None or level is None:
            return None
        return True
    if age < 16:
        # Born before 1998 and younger than 16: only possible for surveys before 2014.
        if p.attends_school is True:
            return False
        needed = SECUNDARIA if born >= 1982 else PRIMARIA
        if level is not None and level >= needed:
            return False
        if p.attends_school is None or level is None:
            return None
        return True
    needed = SECUNDARIA if born >= 1982 else PRIMARIA
    return None if level is None else level < needed


# --- salud and seguridad social --------------------------------------------------------------------


def direct_health_access(p: PersonInput) -> bool | None:
    """sa_dir: medical care as a labour benefit (or, for independents, contracted voluntarily)."""
    if p.works is False:
        return False
    return all3([p.works, p.has_medical_benefit])


def direct_social_security(p: PersonInput) -> bool | None:
    """ss_dir: a subordinate worker needs medical care, paid sick leave and SAR/Afore; an independent
    worker medical care and Afore; a retiree or pensioner is covered."""
    if p.is_pensioner is True:
        return True
    if p.works is False:
        return False if p.is_pensioner is False else None
    if p.job_type == "SUBORDINADO":
        working = all3([p.works, p.has_medical_benefit, p.has_sick_leave, p.has_retirement_savings])
    elif p.job_type == "INDEPENDIENTE":
        working = all3([p.works, p.has_medical_benefit, p.has_retirement_savings])
    else:
        working = None if p.works is None or p.job_type is None else False
    if working is True:
        return True
    return any3([working, p.is_pensioner])


def covered_through_relatives(p: PersonInput, members: Sequence[PersonInput], direct) -> bool:
    """CONEVAL's kinship rules: head <-> spouse; head or spouse not working <- a child;
    children under 16, or 16-25 at school <- head or spouse; a parent of the head not working
    <- head; a parent-in-law not working <- spouse.

    Like the official program (where a missing value never satisfies a condition), a relative
    covers only when every condition is known to hold; otherwise this route simply does not apply.
    """

    def any_with(relationship: str) -> bool | None:
        return any3(direct(m) for m in members if m.relationship == relationship and m is not p)

    rel = p.relationship
    routes: list[bool | None] = []
    if rel == "JEFE":
        routes.append(any_with("CONYUGE"))
        routes.append(all3([not3(p.works), any_with("HIJO")]))
    elif rel == "CONYUGE":
        routes.append(any_with("JEFE"))
        routes.append(all3([not3(p.works), any_with("HIJO")]))
    elif rel == "HIJO" and p.age is not None:
        parents = any3([any_with("JEFE"), any_with("CONYUGE")])
        if p.age < 16:
            routes.append(parents)
        elif p.age <= 25:
            routes.append(all3([p.attends_school, parents]))
    elif rel == "PADRE":
        routes.append(all3([not3(p.works), any_with("JEFE")]))
    elif rel == "SUEGRO":
        routes.append(all3([not3(p.works), any_with("CONYUGE")]))
    return any3(routes) is True


def other_route(p: PersonInput) -> bool | None:
    """Affiliated through another family nucleus or an own contract. Someone who reports no
    affiliation at all has no such route; someone affiliated without saying how is unknown."""
    if p.health_affiliations == []:
        return False
    return p.health_other_route


def acceso_salud(p: PersonInput, members: Sequence[PersonInput]) -> bool | None:
    """Carencia unless affiliated to some institution (any route) or covered through a relative."""
    if p.health_affiliations:
        return False
    if covered_through_relatives(p, members, direct_health_access):
        return False
    return None if p.health_affiliations is None else True


def elder_programme_covers(p: PersonInput) -> bool | None:
    if p.age is not None and p.age < 65:
        return False
    if p.elder_programme_amount is None:
        return None if p.age is None or p.age >= 65 else False
    if p.age is None:
        return None
    return p.elder_programme_amount > ELDER_PROGRAMME_THRESHOLD


def seguridad_social(p: PersonInput, members: Sequence[PersonInput]) -> bool | None:
    if covered_through_relatives(p, members, direct_social_security):
        return False
    covered = any3([direct_social_security(p), other_route(p), elder_programme_covers(p)])
    return not3(covered)


# --- dwelling ------------------------------------------------------------------------------------


def residents_of(h: HouseholdInput) -> int | None:
    if h.residents is not None:
        return h.residents
    return len(h.persons) or None


def overcrowded(h: HouseholdInput) -> bool | None:
    residents = residents_of(h)
    if residents is None or h.rooms is None:
        return None
    return Decimal(residents) / Decimal(h.rooms) > OVERCROWDING


def calidad_vivienda(h: HouseholdInput) -> bool | None:
    return any3(
        [
            member_of(h.floor, BAD_FLOORS),
            member_of(h.roof, BAD_ROOFS),
            member_of(h.wall, BAD_WALLS),
            overcrowded(h),
        ]
    )


def smoke_without_chimney(h: HouseholdInput) -> bool | None:
    if h.cooking_fuel is None:
        return None
    if h.cooking_fuel not in SMOKY_FUELS:
        return False
    return not3(h.has_chimney)


def servicios_basicos(h: HouseholdInput) -> bool | None:
    return any3(
        [
            member_of(h.water, BAD_WATER),
            member_of(h.drainage, BAD_DRAINAGE),
            member_of(h.electricity, NO_ELECTRICITY),
            smoke_without_chimney(h),
        ]
    )


# --- food ----------------------------------------------------------------------------------------


def has_minors(h: HouseholdInput) -> bool | None:
    ages = [p.age for p in h.persons if p.relationship not in EXCLUDED_RELATIONSHIPS]
    return any3(None if a is None else a < 18 for a in ages) if ages else None


def emsa_moderate_or_severe(answers: dict, items: Sequence[str], threshold: int) -> bool | None:
    yes = sum(1 for k in items if answers.get(k) is True)
    unknown = sum(1 for k in items if answers.get(k) is None)
    if yes >= threshold:
        return True
    if yes + unknown < threshold:
        return False
    return None


def food_insecure(h: HouseholdInput) -> bool | None:
    adults = emsa_moderate_or_severe(h.food_security, ADULT_ITEMS, EMSA_THRESHOLD_ADULTS)
    with_minors = emsa_moderate_or_severe(h.food_security, ADULT_ITEMS + MINOR_ITEMS, EMSA_THRESHOLD_MINORS)
    minors = has_minors(h)
    if minors is True:
        return with_minors
    if minors is False:
        return adults
    return adults if adults == with_minors else None


def limited_consumption(food_groups: dict) -> bool | None:
    """Weighted consumption score <= 42; None (not answered) when no food group was reported."""
    if not food_groups:
        return None
    low = high = Decimal(0)
    for group, weight in FOOD_GROUP_WEIGHTS.items():
        days = food_groups.get(group)
        if days is None:
            high += 7 * weight
        else:
            low += days * weight
            high += days * weight
    for group, weight in OPTIONAL_FOOD_GROUPS.items():
        days = food_groups.get(group) or 0
        low += days * weight
        high += days * weight
    if high <= LIMITED_CONSUMPTION_MAX:
        return True
    if low > LIMITED_CONSUMPTION_MAX:
        return False
    return None


def alimentacion(h: HouseholdInput) -> bool | None:
    scale = food_insecure(h)
    if not h.food_groups:
        return scale  # the limited-consumption criterion applies only when groups were asked
    return any3([scale, limited_consumption(h.food_groups)])


# --- income and class ----------------------------------------------------------------------------


def income_per_capita(members: Sequence[PersonInput]) -> tuple[Decimal | None, bool]:
    """Equivalised monthly income per person and whether any member's income was missing."""
    if not members or all(m.monthly_income is None for m in members):
        return None, True
    if any(m.age is None for m in members):
        return None, True
    total = sum((m.monthly_income or Decimal(0) for m in members), Decimal(0))
    missing = any(m.monthly_income is None for m in members)
    size = Decimal(1) if len(members) == 1 else sum((equivalence_weight(m.age) for m in members), Decimal(0))  # type: ignore[arg-type]
    return (total / size).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), missing


def poverty_class(known_true: int, unknown: int, income: Decimal | None, line: Line | None) -> str:
    if income is None or line is None:
        return "INDETERMINADO"
    if income >= line.poverty:
        if known_true >= 1:
            return "VULNERABLE_CARENCIAS"
        return "NO_POBRE" if unknown == 0 else "INDETERMINADO"
    if known_true == 0:
        return "VULNERABLE_INGRESOS" if unknown == 0 else "INDETERMINADO"
    if income >= line.extreme or known_true + unknown < 3:
        return "POBREZA_MODERADA"
    if known_true >= 3:
        return "POBREZA_EXTREMA"
    return "INDETERMINADO"


def diagnose(h: HouseholdInput, line: Line | None) -> Result:
    members = [p for p in h.persons if p.relationship not in EXCLUDED_RELATIONSHIPS]
    persons = tuple(
        PersonResult(
            number=p.number,
            rezago_educativo=rezago_educativo(p, h.survey_year),
            acceso_salud=acceso_salud(p, members),
            seguridad_social=seguridad_social(p, members),
        )
        for p in members
    )

    def lift(name: str) -> bool | None:
        return any3(getattr(r, name) for r in persons) if persons else None

    carencias = (
        lift("rezago_educativo"),
        lift("acceso_salud"),
        lift("seguridad_social"),
        calidad_vivienda(h),
        servicios_basicos(h),
        alimentacion(h),
    )
    known_true = sum(1 for c in carencias if c is True)
    unknown = sum(1 for c in carencias if c is None)
    income, missing_income = income_per_capita(members)
    return Result(
        *carencias,
        carencias_count=known_true if unknown == 0 else None,
        income_per_capita=income,
        income_estimated=h.partial_income or missing_income,
        poverty_class=poverty_class(known_true, unknown, income, line),
        persons=persons,
    )
