"""The investment cross-tab read from pre-summed cells kept by triggers (investment_cells.sql).

Every check compares the cross-tab from the cells with the live statement over the works themselves,
for both area kinds, the three dimensions, every zone kind and zone year, and each filter the cells
can express, after every kind of write the triggers must follow: single saves, bulk updates and
deletes, funding and agency rows, zones published, re-kinded, re-yeared, reshaped and deleted, a
deferred bulk import, the synthetic generator.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.db import connection

from priority_zones.actions import do_update_zone
from tests.works_map.test_investment_totals import (  # noqa: F401 (fixtures)
    KINDS,
    LEON,
    new_works,
    square,
    works,
    zones,
)
from works_map import analysis
from works_map.filters import filter_works
from works_map.models import Agency, Category, FundingSource, Work, WorkAgency, WorkFunding

YEARS = (None, 2024, 2026)


def live(filters: dict[str, str], **options):
    selected = filter_works(Work.objects.published(), filters) if filters else None
    return analysis.crosstab(selected, **options)


def filter_cases(by: str, dim: str, category: Category, municipio_code: str) -> list[dict[str, str]]:
    cases = [
        {},
        {"year": "2025,2026"},
        {"status": "EN_EJECUCION,TERMINADA"},
        {"year": "2024", "status": "PROGRAMADA"},
    ]
    if dim == "category":
        cases.append({"category": category.code, "year": "2026"})
    if by == "municipio":
        cases.append({"municipio": municipio_code})
    return cases


def assert_crosstabs_exact(category: Category, municipio_code: str = "11020") -> int:
    """The cross-tab from the cells equals the live one in every case; returns the works counted."""
    counted = 0
    for by, dim in itertools.product(analysis.AREAS, analysis.DIMENSIONS):
        areas = itertools.product(KINDS, YEARS) if by == "zone" else [(None, None)]
        for (kind, zone_year), filters in itertools.product(
            areas, filter_cases(by, dim, category, municipio_code)
        ):
            assert analysis.cell_filters(filters, by=by, dim=dim) is not None
            options = {"by": by, "dim": dim, "kind": kind, "zone_year": zone_year}
            fast = analysis.crosstab_for(filters, **options)
            assert fast == live(filters, **options), (options, filters)
            if not filters and by == "municipio" and dim == "category":
                counted = sum(row["works"] for row in fast)
    return counted


@pytest.fixture
def catalogues(db, xichu):
    """Two sources, two categories, two agencies (one the other's predecessor)."""
    federal = FundingSource.objects.create(
        code="FED-X", conac_code="25", name="Federal X", level="FEDERAL", fund="X"
    )
    state = FundingSource.objects.create(
        code="EST-X", conac_code="15", name="Estatal X", level="ESTATAL", fund="Propios"
    )
    roads = Category.objects.create(
        code="CAM", name="Caminos", level="RUBRO", fais_incidence="COMPLEMENTARIA"
    )
    old = Agency.objects.create(code="OLD-X", acronym="OLDX", name="Antigua", level="ESTATAL")
    new = Agency.objects.create(code="NEW-X", acronym="NEWX", name="Nueva", level="ESTATAL", predecessor=old)
    return {"federal": federal, "state": state, "roads": roads, "old": old, "new": new}


@pytest.fixture
def varied(works, catalogues):  # noqa: F811
    """The 400 works given statuses, a second category, funding splits and executing agencies."""
    statuses = ("PROGRAMADA", "EN_EJECUCION", "TERMINADA", "CERRADA")
    for i, work in enumerate(works):
        Work.objects.filter(pk=work.pk).update(
            status=statuses[i % 4], category=catalogues["roads"] if i % 3 == 0 else work.category
        )
    funding = []
    for i, work in enumerate(works):
        if i % 5 == 0:
            continue  # no funding row: the whole work under no source
        half = (work.amount_approved / 2).quantize(Decimal("0.01"))
        funding.append(WorkFunding(work=work, source=catalogues["federal"], amount_approved=half))
        if i % 2 == 0:
            funding.append(WorkFunding(work=work, source=catalogues["state"], amount_approved=half))
    WorkFunding.objects.bulk_create(funding)
    roles = []
    for i, work in enumerate(works):
        if i % 4 != 3:
            roles.append(WorkAgency(work=work, agency=catalogues["new"], role=WorkAgency.Role.EJECUTORA))
        if i % 6 == 0:
            roles.append(WorkAgency(work=work, agency=catalogues["old"], role=WorkAgency.Role.EJECUTORA))
    WorkAgency.objects.bulk_create(roles)
    return works


def test_the_cells_equal_the_live_crosstab_in_every_case(varied, catalogues):
    assert assert_crosstabs_exact(catalogues["roads"]) == sum(1 for w in Work.objects.published())


def test_the_cells_follow_saves_funding_and_agency_changes(varied, catalogues, xichu, leon):
    from works_map.actions import do_update_work

    published = [w for w in varied if w.published]
    do_update_work(published[0], status="CERRADA")
    do_update_work(published[1], category=catalogues["roads"])
    do_update_work(published[2], municipio=xichu if published[2].municipio_id == leon.pk else leon)
    do_update_work(published[3], published=False)
    do_update_work(published[4], amount_approved=Decimal("99.99"), fiscal_year=2025)
    do_update_work(published[5], geom=Point(LEON[0], LEON[1], srid=4326))  # into the urban ZAPs
    WorkFunding.objects.filter(work=published[6]).delete()
    WorkFunding.objects.filter(work=published[7]).update(amount_approved=Decimal("1.23"))
    single = next(w for w in published[11:] if w.funding.count() == 1)
    WorkFunding.objects.filter(work=single).update(source=catalogues["state"])
    WorkAgency.objects.filter(work=published[9]).delete()
    WorkAgency.objects.filter(work=published[10]).update(agency=catalogues["old"])
    assert_crosstabs_exact(catalogues["roads"])


def test_the_cells_follow_bulk_updates_and_deletes(varied, catalogues):
    ids = [w.pk for w in varied]
    Work.objects.filter(pk__in=ids[0:60]).update(status="SUSPENDIDA", fiscal_year=2024)
    Work.objects.filter(pk__in=ids[60:90]).update(published=True, amount_exercised=Decimal("5.00"))
    Work.objects.filter(pk__in=ids[90:120]).update(geom=Point(LEON[0], LEON[1], srid=4326))
    WorkFunding.objects.filter(work_id__in=ids[120:200]).delete()
    assert_crosstabs_exact(catalogues["roads"])
    varied[200].delete()
    Work.objects.filter(pk__in=ids[210:300]).delete()
    assert_crosstabs_exact(catalogues["roads"])


def test_the_cells_follow_zones_published_rekinded_reshaped_and_deleted(varied, zones, catalogues):  # noqa: F811
    from priority_zones.actions import do_create_zone
    from priority_zones.models import Zone

    do_update_zone(zones["drawn_draft"], status="PUBLISHED")
    do_update_zone(zones["rural_2026"], status="DRAFT")
    do_update_zone(zones["impulso_2024"], kind="DRAWN")
    Zone.objects.filter(pk=zones["rural_2025"].pk).update(fiscal_year=2024)
    assert_crosstabs_exact(catalogues["roads"])
    drawn = do_create_zone(
        kind="DRAWN", fiscal_year=2026, name="Trazada", geom=square(*LEON, 0.03), status="PUBLISHED"
    )
    do_update_zone(zones["urban_b"], geom=square(LEON[0] - 0.05, LEON[1], 0.05))
    assert_crosstabs_exact(catalogues["roads"])
    zones["urban_a"].delete()
    drawn.delete()
    assert_crosstabs_exact(catalogues["roads"])


def test_truncating_links_or_works_keeps_the_cells_exact(varied, catalogues):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE works_map_workfunding")
    assert_crosstabs_exact(catalogues["roads"])
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE works_map_work CASCADE")
        cursor.execute(
            "SELECT (SELECT count(*) FROM works_map_xtcell) + (SELECT count(*) FROM works_map_xtwork)"
            " + (SELECT count(*) FROM works_map_xtkey)"
        )
        assert cursor.fetchone() == (0,)
    assert assert_crosstabs_exact(catalogues["roads"]) == 0


def test_a_deferred_bulk_write_refreshes_the_cells_at_its_apply(
    varied, catalogues, xichu, leon, water_category
):
    from django.db import transaction

    from works_map.actions import apply_deferred_totals, defer_totals

    with transaction.atomic():
        defer_totals()
        Work.objects.bulk_create(
            new_works("DEF", 50, seed=9, municipios=(xichu, leon), category=water_category)
        )
        added = list(Work.objects.filter(folio__startswith="DEF-"))
        WorkFunding.objects.bulk_create(
            [
                WorkFunding(work=w, source=catalogues["state"], amount_approved=w.amount_approved)
                for w in added
            ]
        )
        Work.objects.filter(pk__in=[w.pk for w in varied[:40]]).update(status="ENTREGADA")
        WorkAgency.objects.filter(work__in=varied[40:80]).delete()
        apply_deferred_totals()
    assert_crosstabs_exact(catalogues["roads"])


def test_the_register_import_keeps_the_cells_exact(db, tmp_path, zones, fismdf, sop, water_category):  # noqa: F811
    from planning import imports
    from planning.import_writers import write_rows
    from tests.planning.test_import_register import leon_row, write_csv

    rows = [leon_row(f"X-{i:03d}", Longitud=f"{-101.75 + i * 0.005:.3f}", Latitud="21.12") for i in range(30)]
    path = write_csv(tmp_path / "registro.csv", rows)
    options = imports.Options(target="works", mode="valid", publish=True)
    outcome = imports.check_rows(imports.read_table(path, options), options, path.name)
    write_rows(outcome, options)
    assert outcome.created == 30, outcome.rejected
    assert assert_crosstabs_exact(water_category) >= 30


def test_filters_the_cells_cannot_express_run_live(db):
    assert analysis.cell_filters({"source": "FISMDF"}, by="zone", dim="source") is None
    assert analysis.cell_filters({"category": "AGUA"}, by="zone", dim="source") is None
    assert analysis.cell_filters({"municipio": "11020"}, by="zone", dim="category") is None
    assert analysis.cell_filters({"q": "pozo"}, by="municipio", dim="agency") is None
    assert analysis.cell_filters({"year": "2025", "q": " "}, by="zone", dim="agency") == {
        "years": [2025],
        "statuses": None,
        "keys": None,
        "municipios": None,
    }


def test_the_synthetic_generator_keeps_the_cells_exact(db):
    from priority_zones.models import Zone
    from priority_zones.reference_data import load_municipios, load_zap_rural_2026
    from works_map.catalogs import load_catalogs
    from works_map.demo import delete_synthetic, generate_all

    load_municipios()
    load_zap_rural_2026()
    load_catalogs()
    Zone.objects.filter(kind="ZAP_RURAL").update(status="PUBLISHED")
    generate_all(works=300, households=0, zones=30, seed=6, report=lambda _: None)
    category = Category.objects.filter(parent__isnull=False).first() or Category.objects.first()
    assert assert_crosstabs_exact(category) > 0
    delete_synthetic()
    assert assert_crosstabs_exact(category) == 0


def paged(filters: dict[str, str], size: int, **options) -> list[list[dict]]:
    """Every page of the cross-tab, following each page's cursor until there is none."""
    pages, after = [], None
    while True:
        page = analysis.crosstab_page(filters, after=after, size=size, **options)
        pages.append(page.rows)
        if page.next is None:
            return pages
        assert after is None or page.next > after  # the cursor only moves forward
        after = page.next
        assert analysis.decode_cursor(analysis.encode_cursor(after, (7, 9))) == (after, (7, 9))


def test_paging_through_every_page_gives_the_whole_crosstab(varied, catalogues):
    """From the cells (a page reads only its areas' cells) and live (a filter the cells cannot
    express: the whole answer cut by areas), for every area kind, dimension, zone kind and year: the
    pages put end to end are the whole cross-tab, no page holds more than `size` areas, and an area's
    rows are never split between two pages (two zones share CVEGEO 11045; two have none)."""
    checked = 0
    for by, dim in itertools.product(analysis.AREAS, analysis.DIMENSIONS):
        areas = itertools.product(KINDS, (None, 2026)) if by == "zone" else [(None, None)]
        cases = [{}, {"year": "2025,2026", "status": "EN_EJECUCION,TERMINADA"}, {"source": "FED-X"}]
        for (kind, zone_year), filters in itertools.product(areas, cases):
            options = {"by": by, "dim": dim, "kind": kind, "zone_year": zone_year}
            whole = analysis.crosstab_for(filters, **options)
            for size in (1, 2, analysis.PAGE_SIZE):
                pages = paged(filters, size, **options)
                assert [row for page in pages for row in page] == whole, (options, filters, size)
                keys = [{(r["outside"], r["area_id"]) for r in page} for page in pages]
                assert all(len(k) <= size for k in keys)
                assert sum(len(k) for k in keys) == len({(r["outside"], r["area_id"]) for r in whole})
                checked += len(pages)
    assert checked > 200


@pytest.mark.parametrize(
    "raw",
    [
        "x",
        "!!!!",
        "W10",  # base64 of "[]"
        "WzEsMiwzXQ",  # [1,2,3]
        "W2ZhbHNlLG51bGwsMV0",  # [false,null,1]: no data versions
        "W3RydWUsbnVsbCwxLDEsMV0",  # [true,null,1,1,1]: nothing follows the outside rows
        "W2ZhbHNlLG51bGwsLTEsMSwxXQ",  # [false,null,-1,1,1]
        "W2ZhbHNlLDEyLDEsMSwxXQ",  # [false,12,1,1,1]
        "W2ZhbHNlLG51bGwsMSwwLDFd",  # [false,null,1,0,1]: versions start at 1
        "W2ZhbHNlLG51bGwsMSwxLHRydWVd",  # [false,null,1,1,true]
        "a" * 300,
    ],
)
def test_a_cursor_this_api_did_not_write_is_refused_by_name(db, raw):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        analysis.decode_cursor(raw)
    assert "cursor" in refused.value.message_dict
