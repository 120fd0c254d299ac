"""Machinery for the constraint sweeps in tests/<app>/test_constraints.py.

Each model constraint gets one Case: a valid row, and what to change to break exactly that rule.
The sweep then proves both layers refuse it with the constraint's own message: the model's
full_clean() (what forms and actions run) and the database itself (create, bulk_create, update),
whose IntegrityError gis_core.http.describe_db_error turns back into the same human message.
A completeness test fails as soon as a model gains a constraint without a case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from gis_core.http import describe_db_error

Values = dict[str, Any] | Callable[[Callable[[str], Any]], dict[str, Any]]

# A bow-tie: the ring's edges cross at (-100.05, 21.3), inside Xichú. PostGIS's ST_IsValid refuses it.
BOWTIE = Polygon(
    ((-100.1, 21.25), (-100.0, 21.35), (-100.0, 21.25), (-100.1, 21.35), (-100.1, 21.25)), srid=4326
)
BOWTIE_MULTI = MultiPolygon(BOWTIE, srid=4326)


@dataclass
class Case:
    """How to break one constraint.

    valid: kwargs of a row that satisfies every rule (a callable gets `fixture(name)`).
    bad: changes that break only this constraint (check constraints), or for a unique constraint
        the changes that make a second row that differs in anything but the key (often {}).
    other_key: unique constraints only: changes giving a second row a different key, which the
        update test then sets back to the first row's key.
    bad_update: check constraints only, when editing a stored row must differ from inserting `bad`
        (it gets the stored row, e.g. to point a row at itself); used by full_clean and update.
    update: False where the row cannot be updated at all (e.g. immutable rows guarded by a trigger).
    """

    valid: Values
    bad: Values = field(default_factory=dict)
    other_key: Values | None = None
    bad_update: Callable[[models.Model], dict[str, Any]] | None = None
    update: bool = True


def resolve(values: Values | None, fixture: Callable[[str], Any]) -> dict[str, Any]:
    if values is None:
        return {}
    return values(fixture) if callable(values) else dict(values)


def project_constraints(app_label: str) -> dict[str, tuple[type[models.Model], models.BaseConstraint]]:
    found = {}
    for model in apps.get_app_config(app_label).get_models():
        for constraint in model._meta.constraints:
            found[constraint.name] = (model, constraint)
    return found


def assert_every_constraint_has_a_case(app_label: str, cases: dict[str, Case]) -> None:
    declared = set(project_constraints(app_label))
    missing = sorted(declared - set(cases))
    stale = sorted(set(cases) - declared)
    assert not missing, f"add a Case to tests/{app_label}/test_constraints.py for: {missing}"
    assert not stale, f"these cases name constraints that no longer exist: {stale}"


def message_of(constraint: models.BaseConstraint) -> str:
    return str(constraint.get_violation_error_message())


def _raises_integrity(action: Callable[[], Any]) -> IntegrityError:
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        action()
    return caught.value


@dataclass
class Sweep:
    """Runs one Case against one constraint, in the four ways a bad row can arrive."""

    model: type[models.Model]
    constraint: models.BaseConstraint
    case: Case
    fixture: Callable[[str], Any]

    @property
    def is_unique(self) -> bool:
        return isinstance(self.constraint, models.UniqueConstraint)

    def bad_kwargs(self) -> dict[str, Any]:
        """A row that breaks the rule; for a unique constraint, after storing its twin."""
        valid = resolve(self.case.valid, self.fixture)
        if self.is_unique:
            self.model.objects.create(**valid)
        return {**valid, **resolve(self.case.bad, self.fixture)}

    def full_clean_messages(self) -> list[str]:
        if self.case.bad_update is not None:
            # A rule about the stored row itself (e.g. its own pk): edit a stored row.
            row = self.model.objects.create(**resolve(self.case.valid, self.fixture))
            for name, value in self.case.bad_update(row).items():
                setattr(row, name, value)
        else:
            row = self.model(**self.bad_kwargs())
        with pytest.raises(ValidationError) as caught:
            row.full_clean()
        return caught.value.messages

    def create_error(self) -> str:
        kwargs = self.bad_kwargs()
        return describe_db_error(_raises_integrity(lambda: self.model.objects.create(**kwargs)))

    def bulk_create_error(self) -> str:
        row = self.model(**self.bad_kwargs())
        return describe_db_error(_raises_integrity(lambda: self.model.objects.bulk_create([row])))

    def update_error(self) -> str:
        if not self.case.update:
            pytest.skip("rows of this model are never updated")
        valid = resolve(self.case.valid, self.fixture)
        if self.is_unique:
            first = self.model.objects.create(**valid)
            second = self.model.objects.create(**{**valid, **resolve(self.case.other_key, self.fixture)})
            changes = {
                f: getattr(first, self.model._meta.get_field(f).attname) for f in self.constraint.fields
            }
            target = second
        else:
            target = self.model.objects.create(**valid)
            if self.case.bad_update is not None:
                changes = self.case.bad_update(target)
            else:
                changes = resolve(self.case.bad, self.fixture)
        rows = self.model.objects.filter(pk=target.pk)
        return describe_db_error(_raises_integrity(lambda: rows.update(**changes)))


class ConstraintSweepTests:
    """The four ways every constraint of APP must refuse a bad row, one test per case of CASES.

    Subclass it in an app's test module as `class TestConstraints(ConstraintSweepTests)` with APP
    and CASES set, and import `pytest_generate_tests` from here into that module so each test runs
    once per case. Case fixtures are looked up by name, so they may live in the app's module.
    """

    APP: str = ""
    CASES: dict[str, Case] = {}

    @pytest.fixture
    def sweep(self, request, db) -> Sweep:
        model, constraint = project_constraints(self.APP)[request.param]
        return Sweep(model, constraint, self.CASES[request.param], request.getfixturevalue)

    def test_every_constraint_has_a_case(self):
        assert_every_constraint_has_a_case(self.APP, self.CASES)

    def test_full_clean_refuses_with_the_constraints_message(self, sweep):
        assert message_of(sweep.constraint) in sweep.full_clean_messages()

    def test_the_database_refuses_a_create_with_the_constraints_message(self, sweep):
        assert sweep.create_error() == message_of(sweep.constraint)

    def test_the_database_refuses_a_bulk_create_with_the_constraints_message(self, sweep):
        assert sweep.bulk_create_error() == message_of(sweep.constraint)

    def test_the_database_refuses_an_update_with_the_constraints_message(self, sweep):
        assert sweep.update_error() == message_of(sweep.constraint)


def pytest_generate_tests(metafunc) -> None:
    """Run each ConstraintSweepTests test once per case of its class (imported by the test modules)."""
    cls = metafunc.cls
    if cls is not None and issubclass(cls, ConstraintSweepTests) and "sweep" in metafunc.fixturenames:
        metafunc.parametrize("sweep", sorted(cls.CASES), indirect=True)
