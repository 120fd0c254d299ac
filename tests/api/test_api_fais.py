"""FAIS money against the ZAP declared for the same fiscal year and the rule in force that year."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon


@pytest.fixture
def fais_rules(db):
    """The rule table of works_map/data/fais_rules.csv (re-loaded: transactional tests flush seeded
    rows), with the FISMDF rule in force in 2026 given the 2016 percentages as if verified, so the
    checks have limits to test against. Returns that rule."""
    from works_map.fais_rules import load_fais_rules
    from works_map.models import FaisRule

    load_fais_rules(FaisRule)
    rule = FaisRule.objects.get(fund="FAIS-FISMDF", year_from=2024)
    FaisRule.objects.filter(pk=rule.pk).update(
        min_direct_pct=70, max_complementary_pct=30, max_special_pct=15, max_roads_pct=15, verified=True
    )
    rule.refresh_from_db()
    return rule


@pytest.fixture
def paving_category(db):
    """Pavimentación: FAIS complementaria and counted against the roads cap."""
    from works_map.models import Category

    rubro = Category.objects.create(code="URBANIZACION", name="Urbanización", level="RUBRO")
    return Category.objects.create(
        code="URBANIZACION.PAVIMENTACION",
        name="Pavimentación de calles",
        level="TEMA",
        parent=rubro,
        fais_incidence="COMPLEMENTARIA",
    )


@pytest.fixture
def zap_urbana_leon_2026(leon, dof_zap_2026):
    """An urban ZAP (one AGEB) in León declared for 2026, in the north-west of the León square."""
    from priority_zones.models import Zone

    return Zone.objects.create(
        kind="ZAP_URBANA",
        fiscal_year=2026,
        cvegeo="110200001234A",
        name="AGEB 234-A",
        municipio=leon,
        geom=MultiPolygon(Polygon.from_bbox((-101.8, 21.2, -101.7, 21.3)), srid=4326),
        source=dof_zap_2026,
        status="PUBLISHED",
    )


@pytest.fixture
def zap_rural_leon_2025(leon, dof_zap_2026):
    """A ZAP declared for 2025 only: 2026 money there must not count as ZAP money."""
    from priority_zones.models import Zone

    return Zone.objects.create(
        kind="ZAP_RURAL",
        fiscal_year=2025,
        cvegeo="11020",
        name="León 2025",
        municipio=leon,
        geom=leon.geom,
        source=dof_zap_2026,
        status="PUBLISHED",
    )


@pytest.fixture
def fais_works_2026(work_well_xichu, leon, paving_category, water_category, fismdf):
    """2.5 M in rural ZAP (directa), 1 M paving in the urban ZAP, 0.5 M directa outside any ZAP."""
    from works_map.actions import do_create_work

    do_create_work(
        folio="LEO-2026-PAV",
        fiscal_year=2026,
        name="Pavimentación en la colonia",
        category=paving_category,
        geom=Point(-101.75, 21.25, srid=4326),
        municipio=leon,
        amount_approved=Decimal("1000000"),
        funding=[(fismdf, {"amount_approved": Decimal("1000000")})],
    )
    do_create_work(
        folio="LEO-2026-AGUA",
        fiscal_year=2026,
        name="Red de agua fuera de ZAP",
        category=water_category,
        geom=Point(-101.6, 21.05, srid=4326),
        municipio=leon,
        amount_approved=Decimal("900000"),
        funding=[(fismdf, {"amount_approved": Decimal("500000")})],  # FAIS pays only part of it
    )


def test_it_splits_fais_money_by_the_zap_of_that_year_and_checks_the_rule(
    client,
    fais_rules,
    zap_xichu_2026,
    zap_urbana_leon_2026,
    zap_rural_leon_2025,
    fais_works_2026,
    django_assert_num_queries,
):
    with django_assert_num_queries(3):  # rule; zones declared that year; the grouped aggregate
        body = client.get("/api/summaries/fais?year=2026").json()
    assert body["works"] == 3
    assert body["fais_aprobado"] == "4000000.00"
    assert body["in_zap_rural"] == {"aprobado": "2500000.00", "pct": "62.50"}
    assert body["in_zap_urbana"] == {"aprobado": "1000000.00", "pct": "25.00"}
    assert body["outside_zap"] == {"aprobado": "500000.00", "pct": "12.50"}  # the 2025 ZAP does not count
    assert body["zones_declared"] == {"ZAP_URBANA": 1, "ZAP_RURAL": 1}
    assert body["rule"]["year_from"] == 2024 and body["rule"]["fund"] == "FAIS-FISMDF"
    checks = {c["rule"]: c for c in body["checks"]}
    assert checks["min_direct_pct"] == {
        "rule": "min_direct_pct",
        "limit": "70.00",
        "value": "75.00",
        "ok": True,
    }
    assert checks["max_roads_pct"]["ok"] is False and checks["max_roads_pct"]["value"] == "25.00"
    # PIZU depends on each municipio's poverty: not evaluable state-wide, and it says so.
    assert (
        checks["min_zap_urbana_pct"]["ok"] is None and "municipio" in checks["min_zap_urbana_pct"]["reason"]
    )
    assert body["compliant"] is False


def test_it_filters_fais_by_municipio(client, fais_rules, zap_urbana_leon_2026, fais_works_2026):
    body = client.get("/api/summaries/fais?year=2026&municipio=11020").json()
    assert body["fais_aprobado"] == "1500000.00" and body["municipio"] == "11020"
    assert body["in_zap_urbana"]["pct"] == "66.67"


def test_it_has_no_rule_before_the_2014_lineamientos(client, fais_rules, work_well_xichu):
    body = client.get("/api/summaries/fais?year=2013").json()
    assert body["rule"] is None and body["checks"] == [] and body["compliant"] is None


def test_a_newer_rule_entered_as_data_replaces_the_old_one_from_its_year(client, fais_rules, work_well_xichu):
    from works_map.models import FaisRule

    fais_rules.year_to = 2025
    fais_rules.save()
    FaisRule.objects.create(
        fund="FAIS-FISMDF",
        year_from=2026,
        min_direct_pct=60,
        max_complementary_pct=40,
        max_special_pct=10,
        max_roads_pct=15,
        source="Regla de prueba",
    )
    assert client.get("/api/summaries/fais?year=2026").json()["rule"]["min_direct_pct"] == "60.00"
    assert client.get("/api/summaries/fais?year=2025").json()["rule"]["min_direct_pct"] == "70.00"
    # 2020: the 2019 Lineamientos, whose percentages are not verified: nothing is invented.
    body = client.get("/api/summaries/fais?year=2020").json()
    assert body["rule"]["year_from"] == 2019 and body["rule"]["min_direct_pct"] is None
    assert body["rule"]["verified"] is False and body["compliant"] is None


@pytest.mark.parametrize(
    "query", ["", "year=abc", "year=2026&municipio=99999", "year=2026&zone=1", "year=2026&fund=FAIS"]
)
def test_it_refuses_bad_fais_parameters(client, db, query):
    assert client.get(f"/api/summaries/fais?{query}").status_code == 400


def test_a_missing_year_is_a_400_that_names_it(client, db):
    response = client.get("/api/summaries/fais")
    assert response.status_code == 400
    assert response.json()["detail"] == "year: Falta el parámetro «year»."
