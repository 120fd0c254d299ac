"""The works layer's low zooms come from per-cell running totals (layers_workcell, kept by triggers).

Every check compares the tile from the cells with the tile the same request makes from the points
(the pyramid switched off): the same clusters, counts, amounts, status and ids, after every kind
of write the triggers must follow.
"""

from __future__ import annotations

import dataclasses
import random
from decimal import Decimal

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import Point
from django.db import connection

from gis_core.tile_sources import GridClusters
from gis_core.tiles import TILE_SETTINGS, TileCoord, build_query
from layers.registry import LAYERS

WORKS = LAYERS["works"]
PYRAMID = WORKS.handling_at(5).pyramid  # type: ignore[union-attr]
STATUSES = ("PLANEACION", "EN_EJECUCION", "TERMINADA", "CANCELADA")
# Two patches: one dense around Xichú, one around León, far apart at every zoom.
PATCHES = ((-100.06, 21.29, 0.08), (-101.68, 21.12, 0.25))


def _mvt(sql: str, params: dict) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(TILE_SETTINGS + sql, params)
        cursor.nextset()
        cursor.nextset()
        row = cursor.fetchone()
    body = bytes(row[0]) if row and row[0] is not None else b""
    return mapbox_vector_tile.decode(body).get("works", {}).get("features", []) if body else []


def _tile(coord: TileCoord, filters: dict, *, pyramid: bool) -> list[dict]:
    handling = WORKS.handling_at(coord.z)
    assert isinstance(handling, GridClusters)
    if not pyramid:
        handling = dataclasses.replace(handling, pyramid=None)
    sql, params = build_query(WORKS.source, handling, coord, filters)
    assert ("layers_workcell" in sql) is pyramid
    return _mvt(sql, params)


def _key(feature: dict) -> tuple:
    (x, y) = feature["geometry"]["coordinates"]
    return (x, y)


def assert_same_tile(coord: TileCoord, filters: dict | None = None) -> int:
    """The pyramid's tile equals the points' tile; returns how many clusters it holds."""
    filters = filters or {}
    from_points = sorted(_tile(coord, filters, pyramid=False), key=_key)
    from_cells = sorted(_tile(coord, filters, pyramid=True), key=_key)
    assert len(from_cells) == len(from_points), (coord, filters)
    unmatched = list(from_cells)
    for want in from_points:
        wx, wy = _key(want)
        # Sums of coordinates add up in another order: the mean may move by one tile unit.
        match = [f for f in unmatched if abs(_key(f)[0] - wx) <= 1 and abs(_key(f)[1] - wy) <= 1]
        assert len(match) == 1, (coord, filters, want, match)
        got = match[0]
        unmatched.remove(got)
        wp, gp = want["properties"], got["properties"]
        assert gp["count"] == wp["count"]
        assert gp["status"] == wp["status"]
        assert gp.get("id") == wp.get("id")
        assert gp["amount"] == pytest.approx(wp["amount"], rel=1e-12)
        assert gp["exercised"] == pytest.approx(wp["exercised"], rel=1e-12)
    return len(from_points)


def tiles_over_patches() -> list[TileCoord]:
    tiles = []
    for z in range(PYRAMID.minzoom, PYRAMID.maxzoom + 1):
        for lon, lat, _r in PATCHES:
            c = TileCoord.containing(lon, lat, z)
            tiles += [TileCoord(z, c.x + dx, c.y + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
    return tiles


def assert_all_tiles_same() -> int:
    clusters = 0
    for coord in tiles_over_patches():
        clusters += assert_same_tile(coord)
    for filters in (
        {"year": [2025]},
        {"status": ["TERMINADA", "CANCELADA"]},
        {"year": [2026], "status": ["PLANEACION"]},
    ):
        for coord in tiles_over_patches()[::4]:
            assert_same_tile(coord, filters)
    return clusters


@pytest.fixture
def many_works(db, leon, xichu, water_category):
    """600 works scattered over two patches: years, statuses, modified amounts, a few drafts."""
    from works_map.models import Work

    rng = random.Random(11)  # noqa: S311 - test data, not secrets
    works = []
    for i in range(600):
        lon0, lat0, r = PATCHES[i % 2]
        works.append(
            Work(
                folio=f"CEL-{i:04d}",
                fiscal_year=rng.choice((2024, 2025, 2026)),
                name=f"Obra {i}",
                category=water_category,
                geom=Point(lon0 + rng.uniform(-r, r), lat0 + rng.uniform(-r, r), srid=4326),
                municipio=xichu if i % 2 == 0 else leon,
                status=rng.choice(STATUSES),
                amount_approved=Decimal(rng.randint(1, 10_000_000)) / 100,
                amount_modified=Decimal(rng.randint(1, 10_000_000)) / 100 if i % 3 == 0 else None,
                amount_exercised=Decimal(rng.randint(0, 5_000_000)) / 100,
                published=i % 17 != 0,
            )
        )
    Work.objects.bulk_create(works)
    return list(Work.objects.filter(folio__startswith="CEL-").order_by("pk"))


def test_low_zoom_clusters_from_the_cells_equal_those_from_the_points(many_works):
    assert assert_all_tiles_same() > 50


def test_the_cells_follow_saves_moves_unpublishing_and_deletes(many_works, water_category):
    from works_map.actions import do_update_work
    from works_map.models import Work

    first, second, third, fourth = many_works[:4]
    do_update_work(first, geom=Point(-100.5, 21.0, srid=4326))  # moved out of its patch
    do_update_work(second, amount_modified=Decimal("123.45"), status="CANCELADA")
    do_update_work(third, published=False)
    do_update_work(many_works[17 * 3], published=True)  # a draft published
    do_update_work(fourth, name="Sólo cambia el nombre")
    Work.objects.filter(pk__in=[w.pk for w in many_works[10:60]]).update(fiscal_year=2023)
    Work.objects.filter(pk__in=[w.pk for w in many_works[60:90]]).delete()
    assert_all_tiles_same()
    assert_same_tile(TileCoord.containing(-100.5, 21.0, 9))


def test_a_single_work_cell_keeps_the_work_id(db, xichu, water_category):
    from works_map.actions import do_create_work

    work = do_create_work(
        folio="SOLA-1",
        fiscal_year=2026,
        name="Obra sola",
        category=water_category,
        geom=Point(-100.3, 21.4, srid=4326),
        municipio=xichu,
        amount_approved=Decimal("10.00"),
    )
    [feature] = _tile(TileCoord.containing(-100.3, 21.4, 8), {}, pyramid=True)
    assert feature["properties"]["id"] == work.pk
    assert feature["properties"]["count"] == 1


def test_emptied_cells_draw_nothing(many_works):
    from works_map.models import Work

    Work.objects.filter(folio__startswith="CEL-").delete()
    for coord in tiles_over_patches():
        assert _tile(coord, {}, pyramid=True) == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), coalesce(sum(n), 0) FROM layers_workcell WHERE n <> 0")
        assert cursor.fetchone() == (0, 0)


def test_truncating_the_works_empties_the_cells(many_works):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending on the table
        cursor.execute("TRUNCATE works_map_work CASCADE")
        cursor.execute("SELECT count(*) FROM layers_workcell")
        assert cursor.fetchone() == (0,)


def test_other_filters_read_the_points_and_give_the_same_clusters(many_works, water_category, sop):
    coord = TileCoord.containing(-100.06, 21.29, 8)
    for filters in (
        {"category": [water_category.pk]},
        {"year": [2025], "municipio": [many_works[0].municipio_id]},
    ):
        sql, _params = build_query(WORKS.source, WORKS.handling_at(8), coord, filters)
        assert "layers_workcell" not in sql
    by_category = _tile(coord, {"category": [water_category.pk]}, pyramid=False)
    unfiltered = _tile(coord, {}, pyramid=False)

    def shape(features):  # sums of floats may add up in another order
        return sorted(
            (_key(f), f["properties"]["count"], round(f["properties"]["amount"], 2)) for f in features
        )

    assert shape(by_category) == shape(unfiltered)


def test_a_low_zoom_tile_over_http_is_drawn_from_the_cells(client, many_works, django_assert_num_queries):
    coord = TileCoord.containing(-100.06, 21.29, 7)
    client.get(f"/tiles/works/{coord.z}/0/0.mvt")  # versions and catalogues warm
    with django_assert_num_queries(1) as captured:
        response = client.get(f"/tiles/works/{coord.z}/{coord.x}/{coord.y}.mvt")
    assert "layers_workcell" in captured.captured_queries[0]["sql"]
    decoded = mapbox_vector_tile.decode(response.content)["works"]["features"]
    expected = sum(1 for w in many_works if w.published and abs(w.geom.x + 100.06) < 1)
    assert sum(f["properties"]["count"] for f in decoded) == expected
