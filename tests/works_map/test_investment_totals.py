"""The all-zones investment table comes from running totals kept by triggers (investment_totals.sql).

Every check compares investment_by_zone, for every kind and several years, with the same table
computed from the works and zones themselves (a spatial join of the representative points, the
outside row by NOT EXISTS), after every kind of write the triggers must follow.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon
from django.db import connection

from priority_zones.actions import do_create_zone, do_update_zone
from priority_zones.models import Zone
from works_map.actions import do_create_work, do_update_work
from works_map.models import Work
from works_map.summaries import investment_by_zone, zone_table_rows

KINDS = (None, "ZAP_RURAL", "ZAP_URBANA", "ZONA_IMPULSO", "DRAWN")
YEARS = (None, 2024, 2025, 2026)
XICHU = (-100.06, 21.29)  # centre of the Xichú patch of works
LEON = (-101.68, 21.12)  # centre of the León patch

# The same table, from the works and zones themselves: no membership table, no totals.
SPATIAL_TABLE = """
WITH zones AS (
    SELECT z.id, z.kind, z.fiscal_year, z.cvegeo, z.name, z.geom,
           coalesce(z.population, a.population_2020, m.population_2020) AS population
    FROM priority_zones_zone z
    LEFT JOIN priority_zones_ageb a ON z.kind = 'ZAP_URBANA' AND a.cvegeo = z.cvegeo
    LEFT JOIN priority_zones_municipio m ON z.kind = 'ZAP_RURAL' AND m.cvegeo = z.cvegeo
    WHERE z.status = 'PUBLISHED'
      AND (%(kind)s::text IS NULL OR z.kind = %(kind)s::text)
      AND (%(year)s::int IS NULL OR z.fiscal_year = %(year)s::int)
), works AS (
    SELECT w.id, w.point, w.amount_approved, w.amount_exercised
    FROM works_map_work w
    WHERE w.published AND (%(year)s::int IS NULL OR w.fiscal_year = %(year)s::int)
)
SELECT z.id, z.kind, z.fiscal_year, z.cvegeo, z.name, false,
       count(w.id), coalesce(sum(w.amount_approved), 0), coalesce(sum(w.amount_exercised), 0), z.population
FROM zones z LEFT JOIN works w ON ST_Intersects(z.geom, w.point)
GROUP BY z.id, z.kind, z.fiscal_year, z.cvegeo, z.name, z.population
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, true,
       count(*), coalesce(sum(w.amount_approved), 0), coalesce(sum(w.amount_exercised), 0), NULL
FROM works w WHERE NOT EXISTS (SELECT FROM zones z WHERE ST_Intersects(z.geom, w.point))
ORDER BY 6, 1
"""


def spatial_table(kind: str | None, year: int | None) -> list[dict[str, Any]]:
    return zone_table_rows(SPATIAL_TABLE, kind, year)


def assert_tables_exact() -> int:
    """The fast table equals the spatial one for every filter; returns how many works it counted."""
    counted = 0
    for kind in KINDS:
        for year in YEARS:
            fast = investment_by_zone(kind=kind, year=year)
            assert fast == spatial_table(kind, year), (kind, year)
            counted += sum(row["works"] for row in fast)
    return counted


def square(x: float, y: float, half: float) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((x - half, y - half, x + half, y + half)), srid=4326)


def near(rng: random.Random, centre: tuple[float, float], r: float) -> Point:
    return Point(centre[0] + rng.uniform(-r, r), centre[1] + rng.uniform(-r, r), srid=4326)


def new_works(prefix: str, n: int, *, seed: int, municipios: tuple, category) -> list[Work]:
    """n unsaved works over both patches: three years, points and lines, a few drafts."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    works = []
    for i in range(n):
        centre, r = (XICHU, 0.08) if i % 2 == 0 else (LEON, 0.25)
        p = near(rng, centre, r)
        geom = LineString((p.x, p.y), (p.x + 0.01, p.y + 0.005), srid=4326) if i % 7 == 0 else p
        works.append(
            Work(
                folio=f"{prefix}-{i:04d}",
                fiscal_year=rng.choice((2024, 2025, 2026)),
                name=f"Obra {prefix} {i}",
                category=category,
                geom=geom,
                municipio=municipios[i % 2],
                amount_approved=Decimal(rng.randint(1, 10_000_000)) / 100,
                amount_exercised=Decimal(rng.randint(0, 5_000_000)) / 100,
                published=i % 13 != 0,
            )
        )
    return works


@pytest.fixture
def zones(xichu, leon, dof_zap_2026) -> dict[str, Zone]:
    """Overlapping zones of every kind, three years and both statuses over the two patches."""
    x, y = XICHU
    lx, ly = LEON
    specs = [
        # (key, kind, year, cvegeo, geometry, status)
        # Two years of rural ZAP over Xichú, overlapping: a work can be covered in one year only.
        ("rural_2026", "ZAP_RURAL", 2026, "11045", square(x, y, 0.05), "PUBLISHED"),
        ("rural_2025", "ZAP_RURAL", 2025, "11045", square(x + 0.04, y, 0.05), "PUBLISHED"),
        # Two urban ZAP of one kind and year overlapping in León: a work in both is covered once.
        ("urban_a", "ZAP_URBANA", 2026, "110200001001A", square(lx, ly, 0.1), "PUBLISHED"),
        ("urban_b", "ZAP_URBANA", 2026, "110200001002A", square(lx + 0.08, ly, 0.1), "PUBLISHED"),
        # Another kind over the same works, and a draft that must count nowhere.
        ("impulso_2024", "ZONA_IMPULSO", 2024, None, square(lx, ly + 0.05, 0.12), "PUBLISHED"),
        ("drawn_draft", "DRAWN", 2026, None, square(lx - 0.1, ly, 0.1), "DRAFT"),
    ]
    return {
        key: do_create_zone(
            name=key,
            kind=kind,
            fiscal_year=year,
            cvegeo=cvegeo,
            geom=geom,
            status=status,
            source=dof_zap_2026 if kind.startswith("ZAP") else None,
        )
        for key, kind, year, cvegeo, geom, status in specs
    }


@pytest.fixture
def works(zones, xichu, leon, water_category) -> list[Work]:
    """400 works inserted in one statement (bulk_create), as an import or COPY would."""
    Work.objects.bulk_create(new_works("TOT", 400, seed=3, municipios=(xichu, leon), category=water_category))
    return list(Work.objects.filter(folio__startswith="TOT-").order_by("pk"))


def test_the_table_from_the_totals_equals_the_spatial_join(works):
    assert assert_tables_exact() > 400


def test_the_totals_follow_works_saved_one_by_one(works, leon, water_category):
    inside = [w for w in works if w.published and abs(w.geom.centroid.x - XICHU[0]) < 0.04]
    first, second, third, fourth, fifth = inside[:5]
    do_update_work(first, geom=Point(LEON[0], LEON[1], srid=4326), municipio=leon)  # into the urban ZAP
    do_update_work(second, amount_approved=Decimal("123.45"), amount_exercised=Decimal("6.78"))
    do_update_work(third, published=False)
    do_update_work(next(w for w in works if not w.published), published=True)  # a draft published
    do_update_work(fourth, fiscal_year=2025 if fourth.fiscal_year != 2025 else 2026)
    do_update_work(fifth, name="Sólo cambia el nombre")
    do_update_work(works[1], geom=Point(-100.9, 20.9, srid=4326))  # out of every zone
    assert_tables_exact()
    do_create_work(
        folio="NUEVA",
        fiscal_year=2026,
        name="Obra nueva en dos ZAP urbanas",
        category=water_category,
        geom=Point(LEON[0] + 0.04, LEON[1], srid=4326),
        municipio=leon,
        amount_approved=Decimal("10.00"),
    )
    assert_tables_exact()


def test_the_totals_follow_bulk_updates_and_deletes(works):
    ids = [w.pk for w in works]
    Work.objects.filter(pk__in=ids[0:80]).update(fiscal_year=2024)
    Work.objects.filter(pk__in=ids[80:120]).update(amount_approved=Decimal("1.00"), published=True)
    moved_and_paid = {"geom": Point(LEON[0], LEON[1], srid=4326), "amount_exercised": Decimal("9.99")}
    Work.objects.filter(pk__in=ids[120:160]).update(**moved_and_paid)  # memberships and amounts at once
    Work.objects.filter(pk__in=ids[160:170]).update(published=False)
    assert_tables_exact()
    works[200].delete()
    Work.objects.filter(pk__in=ids[210:260]).delete()
    assert_tables_exact()


def test_the_totals_follow_zones_created_moved_and_deleted(works, zones):
    drawn = do_create_zone(
        kind="DRAWN", fiscal_year=2025, name="Trazada", geom=square(*XICHU, 0.03), status="PUBLISHED"
    )
    assert_tables_exact()
    do_update_zone(drawn, geom=square(*LEON, 0.06), fiscal_year=2026)  # reshaped and re-yeared at once
    do_update_zone(zones["rural_2025"], geom=square(XICHU[0] - 0.04, XICHU[1], 0.03))
    assert_tables_exact()
    zones["urban_a"].delete()
    drawn.delete()
    assert_tables_exact()


def test_the_totals_follow_zone_status_kind_and_year(works, zones):
    do_update_zone(zones["drawn_draft"], status="PUBLISHED")
    do_update_zone(zones["rural_2026"], status="DRAFT")
    assert_tables_exact()
    do_update_zone(zones["impulso_2024"], kind="DRAWN")
    do_update_zone(zones["rural_2025"], fiscal_year=2026, cvegeo="11046")  # now both 2026
    Zone.objects.filter(pk=zones["rural_2025"].pk).update(fiscal_year=2024)  # no ORM save
    assert_tables_exact()
    Zone.objects.filter(kind="ZAP_URBANA").update(status="DRAFT")
    Zone.objects.update(name="Renombradas")  # nothing counted changes
    assert_tables_exact()


def test_the_totals_follow_a_second_bulk_insert_and_its_deletion(works, xichu, leon, water_category):
    Work.objects.bulk_create(new_works("MAS", 300, seed=4, municipios=(xichu, leon), category=water_category))
    assert_tables_exact()
    Work.objects.filter(folio__startswith="TOT-").delete()
    assert_tables_exact()


def test_truncating_the_works_or_the_zones_keeps_the_totals_exact(works, xichu, leon, water_category):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending on the tables
        cursor.execute("TRUNCATE priority_zones_zone CASCADE")
    assert Zone.objects.count() == 0
    assert assert_tables_exact() > 0  # every published work in the outside row
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE works_map_work CASCADE")
        cursor.execute(
            "SELECT (SELECT count(*) FROM works_map_worktotal) + (SELECT count(*) FROM works_map_zonetotal)"
            " + (SELECT count(*) FROM works_map_zonework)"
            " + (SELECT count(*) FROM works_map_workcover) + (SELECT count(*) FROM works_map_covertotal)"
        )
        assert cursor.fetchone() == (0,)
    assert assert_tables_exact() == 0
    do_create_zone(
        kind="DRAWN", fiscal_year=2026, name="Después", geom=square(*XICHU, 0.05), status="PUBLISHED"
    )
    Work.objects.bulk_create(
        new_works("DESP", 100, seed=5, municipios=(xichu, leon), category=water_category)
    )
    assert assert_tables_exact() > 0


def test_the_synthetic_generator_and_its_replacement_keep_the_totals_exact(db):
    """The path of `generate_synthetic --replace` and `load_demo --force`: COPY in, set-based purge out."""
    from priority_zones.reference_data import load_municipios, load_zap_rural_2026
    from works_map.catalogs import load_catalogs
    from works_map.demo import delete_synthetic, generate_all

    load_municipios()
    load_zap_rural_2026()
    load_catalogs()
    Zone.objects.filter(kind="ZAP_RURAL").update(status="PUBLISHED")
    generate_all(works=300, households=0, zones=30, seed=6, report=lambda _: None)
    assert assert_tables_exact() > 0
    delete_synthetic()
    assert Work.objects.count() == 0
    assert assert_tables_exact() == 0
    generate_all(works=200, households=0, zones=20, seed=7, report=lambda _: None)
    assert assert_tables_exact() > 0
