"""Every constraint on the layers app refuses a bad row, in the model and in PostgreSQL."""

from __future__ import annotations

import pytest

from tests.gis_core.constraint_sweep import (
    Case,
    Sweep,
    assert_every_constraint_has_a_case,
    message_of,
    project_constraints,
)

APP = "layers"

RASTER = {
    "name": "poblacion",
    "title": "Población 2020",
    "source_name": "poblacion.tif",
    "cog_path": "poblacion.tif",
    "source_crs": "EPSG:4326",
    "west": -102.1,
    "south": 19.9,
    "east": -99.6,
    "north": 21.9,
    "minzoom": 6,
    "maxzoom": 14,
}

CASES: dict[str, Case] = {
    "rasterlayer_zoom_range": Case(RASTER, {"minzoom": 15}),
    "rasterlayer_bounds_ordered": Case(RASTER, {"west": -99.0}),
}

CONSTRAINTS = project_constraints(APP)


@pytest.fixture
def sweep(request, db):
    name = request.param
    model, constraint = CONSTRAINTS[name]
    return Sweep(model, constraint, CASES[name], request.getfixturevalue)


sweep_each = pytest.mark.parametrize("sweep", sorted(CASES), indirect=True)


def test_every_constraint_has_a_case():
    assert_every_constraint_has_a_case(APP, CASES)


def test_a_zoom_above_22_is_refused(db):
    sweep = Sweep(*CONSTRAINTS["rasterlayer_zoom_range"], Case(RASTER, {"maxzoom": 23}), lambda name: None)
    assert sweep.create_error() == message_of(sweep.constraint)


@sweep_each
def test_full_clean_refuses_with_the_constraints_message(sweep):
    assert message_of(sweep.constraint) in sweep.full_clean_messages()


@sweep_each
def test_the_database_refuses_a_create_with_the_constraints_message(sweep):
    assert sweep.create_error() == message_of(sweep.constraint)


@sweep_each
def test_the_database_refuses_a_bulk_create_with_the_constraints_message(sweep):
    assert sweep.bulk_create_error() == message_of(sweep.constraint)


@sweep_each
def test_the_database_refuses_an_update_with_the_constraints_message(sweep):
    assert sweep.update_error() == message_of(sweep.constraint)
