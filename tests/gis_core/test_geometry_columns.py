"""PostGIS column types (typmods) are the last guard: EPSG:4326 and the declared geometry type only."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.geos import Point
from django.db import DataError, connection, transaction

from gis_core.http import describe_db_error
from priority_zones.models import Zone

GEOMETRY_FIELDS = [
    (model, field)
    for app in ("priority_zones", "works_map", "layers")
    for model in apps.get_app_config(app).get_models()
    if model._meta.managed
    for field in model._meta.concrete_fields
    if isinstance(field, GeometryField)
]


def raw(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize(
    "model, field", GEOMETRY_FIELDS, ids=lambda v: getattr(v, "name", "") or v._meta.label
)
def test_every_geometry_column_is_typed_4326_with_its_geometry_type(db, model, field):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT srid, type FROM geometry_columns WHERE f_table_name = %s AND f_geometry_column = %s",
            [model._meta.db_table, field.column],
        )
        assert cursor.fetchone() == (4326, field.geom_type)


def test_a_raw_write_in_another_srid_is_refused_by_the_column_type(zap_xichu_2026):
    with pytest.raises(DataError) as caught:
        raw(
            "UPDATE priority_zones_zone SET geom = ST_SetSRID(geom, 3857) WHERE id = %s",
            [zap_xichu_2026.pk],
        )
    assert describe_db_error(caught.value) == "Geometry SRID (3857) does not match column SRID (4326)"


def test_a_raw_insert_in_web_mercator_is_refused_by_the_column_type(db):
    with pytest.raises(DataError) as caught:
        raw(
            "INSERT INTO priority_zones_municipio (cvegeo, name, frame_version, geom)"
            " VALUES ('11020', 'León', 'TEST',"
            " ST_Multi(ST_Transform(ST_MakeEnvelope(-101.8, 21.0, -101.5, 21.3, 4326), 3857)))",
            [],
        )
    assert describe_db_error(caught.value) == "Geometry SRID (3857) does not match column SRID (4326)"


def test_a_raw_write_without_srid_takes_the_columns_4326(zap_xichu_2026):
    # PostGIS's rule for SRID 0 ("unknown"): it takes the column's SRID; any other SRID is refused.
    raw(
        "UPDATE priority_zones_zone SET geom = ST_Multi(ST_GeomFromText("
        "'POLYGON((-100.1 21.3, -100 21.3, -100 21.35, -100.1 21.3))')) WHERE id = %s",
        [zap_xichu_2026.pk],
    )
    zap_xichu_2026.refresh_from_db()
    assert zap_xichu_2026.geom.srid == 4326


def test_a_raw_point_in_a_polygon_column_is_refused(zap_xichu_2026):
    with pytest.raises(DataError) as caught:
        raw(
            "UPDATE priority_zones_zone SET geom = ST_SetSRID(ST_MakePoint(-100, 21.3), 4326) WHERE id = %s",
            [zap_xichu_2026.pk],
        )
    assert (
        describe_db_error(caught.value) == "Geometry type (Point) does not match column type (MultiPolygon)"
    )


def test_the_orm_transforms_a_foreign_srid_instead_of_storing_it(work_well_xichu):
    from works_map.models import Work

    mercator = Point(-100.05, 21.3, srid=4326).transform(3857, clone=True)
    Work.objects.filter(pk=work_well_xichu.pk).update(geom=mercator)
    stored = Work.objects.get(pk=work_well_xichu.pk).geom
    assert stored.srid == 4326
    assert stored.distance(Point(-100.05, 21.3, srid=4326)) < 1e-9


def test_zone_geometry_stays_4326_after_an_orm_save(zap_xichu_2026):
    Zone.objects.filter(pk=zap_xichu_2026.pk).update(name="Xichú 2026")
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_SRID(geom) FROM priority_zones_zone WHERE id = %s", [zap_xichu_2026.pk])
        assert cursor.fetchone() == (4326,)
