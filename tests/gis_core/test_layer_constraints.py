"""Every constraint on the layers app refuses a bad row, in the model and in PostgreSQL."""

from __future__ import annotations

from tests.gis_core.constraint_sweep import (
    Case,
    ConstraintSweepTests,
    Sweep,
    message_of,
    project_constraints,
    pytest_generate_tests,  # noqa: F401 - the hook that runs the sweep once per case
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


def test_a_zoom_above_22_is_refused(db):
    sweep = Sweep(*CONSTRAINTS["rasterlayer_zoom_range"], Case(RASTER, {"maxzoom": 23}), lambda name: None)
    assert sweep.create_error() == message_of(sweep.constraint)


class TestConstraints(ConstraintSweepTests):
    APP = APP
    CASES = CASES
