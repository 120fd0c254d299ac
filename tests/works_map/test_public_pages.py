"""The citizen pages rendered by Django: a work's page, report cards, the place search and MXN figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse

from tests.places import make_work
from works_map.templatetags.mx import mxn, mxnum, pct


@pytest.fixture
def hidden_work(leon, water_category):
    """An unpublished work: the public never sees it, staff do."""
    from works_map.actions import do_create_work

    return do_create_work(
        folio="LEO-2026-900",
        fiscal_year=2026,
        name="Obra en revisión",
        category=water_category,
        geom=Point(-101.6, 21.1, srid=4326),
        municipio=leon,
        published=False,
    )


def test_mxn_writes_pesos_the_mexican_way():
    assert mxn(Decimal("1234567.891")) == "$1,234,567.89"
    assert mxn("2500000", 0) == "$2,500,000"
    assert mxn(Decimal("-5")) == "-$5.00"
    assert mxn(None) == "—"
    assert mxn("no es número") == "—"
    assert mxnum(1721215) == "1,721,215"
    assert pct(Decimal("45.5"), 1) == "45.5 %"


def test_the_work_page_shows_who_how_much_and_where(client, work_well_xichu, zap_xichu_2026):
    from works_map.actions import do_record_progress, do_review_progress

    approved = do_record_progress(
        work_well_xichu,
        reported_on=dt.date(2026, 3, 1),
        physical_pct=Decimal("30"),
        financial_pct=Decimal("20"),
    )
    do_review_progress(approved, approve=True)
    do_record_progress(  # pending: never on the public chart
        work_well_xichu,
        reported_on=dt.date(2026, 5, 1),
        physical_pct=Decimal("90"),
        financial_pct=Decimal("90"),
    )
    response = client.get(reverse("works_map:work", args=[work_well_xichu.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="page-title">Red de agua potable en Xichú</h1>' in html
    assert "SOP" in html and "Secretaría de Obra Pública" in html
    assert "$2,500,000.00" in html  # approved amount and the FISMDF share
    assert "FAIS municipal" in html
    assert reverse("works_map:zone", args=[zap_xichu_2026.pk]) in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and "01/03/2026" in html
    assert "01/05/2026" not in html
    assert "navigator" not in html  # the share script is a static file, not inline
    assert f"/obras/{work_well_xichu.pk}/" in html  # permanent link


def test_an_unpublished_work_is_a_404_for_the_public_and_visible_to_staff(client, admin_user, hidden_work):
    url = reverse("works_map:work", args=[hidden_work.pk])
    assert client.get(url).status_code == 404
    client.force_login(admin_user)
    response = client.get(url)
    assert response.status_code == 200
    assert "no publicada" in response.content.decode()


def test_the_municipio_card_counts_only_published_works_with_per_inhabitant_investment(
    client, leon, work_road_leon, hidden_work
):
    response = client.get(reverse("works_map:municipio", args=["11020"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["report"]["works"] == 1
    # 800,000 approved / 1,721,215 people = $0.46 per inhabitant
    assert "$0.46" in html
    assert "1,721,215" in html
    assert "Línea de conducción en León" in html and "Obra en revisión" not in html
    assert response.context["need"]["households"] is None  # no household: withheld, not zero


def test_an_unknown_municipio_or_zone_is_a_404(client, db):
    assert client.get(reverse("works_map:municipio", args=["99999"])).status_code == 404
    assert client.get(reverse("works_map:zone", args=[123456])).status_code == 404


def test_the_zone_card_lists_the_works_inside_the_zone(
    client, zap_xichu_2026, work_well_xichu, work_road_leon
):
    response = client.get(reverse("works_map:zone", args=[zap_xichu_2026.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Red de agua potable en Xichú" in html
    assert "Línea de conducción en León" not in html
    assert "DOF 5773718" in html


def test_a_draft_zone_has_no_public_card(client, zap_xichu_2026):
    from priority_zones.models import Zone

    Zone.objects.filter(pk=zap_xichu_2026.pk).update(status="DRAFT")
    assert client.get(reverse("works_map:zone", args=[zap_xichu_2026.pk])).status_code == 404


def test_report_card_works_are_paginated(client, leon, water_category):
    from works_map.actions import do_create_work
    from works_map.pages import PAGE_SIZE

    for i in range(PAGE_SIZE + 3):
        do_create_work(
            folio=f"P-{i:03d}",
            fiscal_year=2025,
            name=f"Obra {i:03d}",
            category=water_category,
            geom=Point(-101.6, 21.1, srid=4326),
            municipio=leon,
        )
    first = client.get(reverse("works_map:municipio", args=["11020"]))
    second = client.get(reverse("works_map:municipio", args=["11020"]) + "?pagina=2")
    assert len(first.context["page"].object_list) == PAGE_SIZE
    assert len(second.context["page"].object_list) == 3
    assert 'rel="next"' in first.content.decode()


def test_the_place_search_finds_municipios_without_accents(client, leon, xichu):
    results = client.get(reverse("works_map:place-search"), {"q": "xichu"}).json()["results"]
    assert [(r["kind"], r["cvegeo"]) for r in results] == [("municipio", "11045")]
    assert -100.2 <= results[0]["lon"] <= -99.9 and 21.2 <= results[0]["lat"] <= 21.4
    assert client.get(reverse("works_map:place-search"), {"q": "x"}).json()["results"] == []


def test_a_postal_code_finds_its_municipio(client, leon, xichu):
    results = client.get(reverse("works_map:place-search"), {"q": " 37930 "}).json()["results"]
    assert [(r["kind"], r["cvegeo"], r["cp"]) for r in results] == [("cp", "11045", "37930")]
    assert results[0]["name"] == "C.P. 37930, Xichú"
    assert -100.2 <= results[0]["lon"] <= -99.9 and 21.2 <= results[0]["lat"] <= 21.4


def test_an_unknown_postal_code_finds_nothing_without_error(client, leon, xichu):
    for code in ("99999", "01000"):  # not a code at all; a Mexico City code
        response = client.get(reverse("works_map:place-search"), {"q": code})
        assert response.status_code == 200
        assert response.json() == {"results": []}


def test_every_committed_postal_code_is_a_guanajuato_code_of_a_known_municipio():
    from priority_zones.reference_data import POPULATION_CSV
    from works_map.pages import postal_codes

    codes = postal_codes()
    lines = [line for line in POPULATION_CSV.read_text().splitlines() if not line.startswith("#")]
    municipios = {line.split(",")[0] for line in lines[1:]}
    assert len(municipios) == 46
    assert len(codes) == 1414
    assert all(cp.isdigit() and 36000 <= int(cp) <= 38999 for cp in codes)
    assert {m for served in codes.values() for m in served} <= municipios


def test_the_home_page_offers_every_filter_and_the_english_switch(client, work_well_xichu, zap_xichu_2026):
    html = client.get("/").content.decode()
    for name in ("year", "status", "category", "municipio", "agency", "source"):
        assert f'name="{name}"' in html
    assert '<option value="GTO-SOP">' in html
    assert '<option value="2026">2026</option>' in html  # years are not written "2,026"
    assert 'value="en"' in html and reverse("set_language") in html


def test_the_home_page_choices_are_cached_until_the_works_change(
    client,
    work_well_xichu,
    leon,
    water_category,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    from gis_core.versions import bump_layers
    from priority_zones.models import Municipio

    client.get("/")  # fills the cache: years, zone years, rubros, agencies, sources, municipios
    with django_assert_max_num_queries(3):  # the three layer versions, when not cached themselves
        html = client.get("/").content.decode()
    assert '<option value="2026">2026</option>' in html and '<option value="2019">' not in html
    with django_capture_on_commit_callbacks(execute=True):  # the layer version is bumped on commit
        make_work(
            leon, water_category, folio="LEO-2019-001", published=True, point=(-101.6, 21.1), fiscal_year=2019
        )
    assert '<option value="2019">2019</option>' in client.get("/").content.decode()
    # The municipios' own version is in the key too (load_municipios bumps it when a name changes).
    Municipio.objects.filter(pk=leon.pk).update(name="León de los Aldama (renombrado)")
    with django_capture_on_commit_callbacks(execute=True):
        bump_layers("municipios")
    assert "León de los Aldama (renombrado)" in client.get("/").content.decode()


def test_the_pages_speak_english_after_the_switch(client, work_well_xichu):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("works_map:work", args=[work_well_xichu.pk])).content.decode()
    assert '<html lang="en">' in html
    assert "How much and from where" in html and "Under way" in html
    assert "$2,500,000.00" in html


def test_the_work_page_costs_seven_queries(client, work_well_xichu, django_assert_num_queries):
    # work (with category, parent, municipio, localidad), agencies, funding, approved reports, zones;
    # citizen reports (counts, by kind, median days; none published, so no list), committees
    with django_assert_num_queries(7):
        assert client.get(reverse("works_map:work", args=[work_well_xichu.pk])).status_code == 200


def test_a_report_card_costs_a_fixed_number_of_queries(client, work_road_leon, django_assert_max_num_queries):
    # municipio; breakdown (3); household need (1); page count + rows (2); zones (1); citizen reports (1);
    # child growth section: growth units (1), related investment (1)
    with django_assert_max_num_queries(11):
        assert client.get(reverse("works_map:municipio", args=["11020"])).status_code == 200


def test_a_missing_page_is_a_friendly_404_in_the_site_layout(client, db, settings):
    settings.DEBUG = False
    response = client.get("/obras/987654/")
    assert response.status_code == 404
    assert "Página no encontrada" in response.content.decode()
    assert "Volver al mapa" in response.content.decode()
