"""The demo: real geography and catalogues, and a synthetic set that keeps the domain's invariants."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Max, OuterRef, Subquery, Sum

from gis_core.geometry import GTO_BOUNDS
from priority_zones.models import Household, Municipio, Person, PovertyLine, SourceDocument, Zone
from priority_zones.reference_data import (
    POPULATION_CSV,
    ZAP_RURAL_2026_CSV,
    load_municipios,
    load_poverty_lines,
    load_zap_rural_2026,
)
from works_map.catalogs import leaf_category_codes, load_catalogs
from works_map.demo import delete_synthetic, generate_all
from works_map.models import (
    Agency,
    Category,
    Committee,
    FundingSource,
    ProgressReport,
    Work,
    WorkAgency,
    WorkFunding,
)
from works_map.synthetic import PROFILES

DEMO_TABLES = [Municipio, Zone, SourceDocument, PovertyLine, Agency, FundingSource, Category, Work,
               WorkFunding, WorkAgency, ProgressReport, Household, Person, Committee]  # fmt: skip


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, tuple[int, int | None]]:
    return {m.__name__: (m.objects.count(), m.objects.aggregate(top=Max("pk"))["top"]) for m in DEMO_TABLES}


@pytest.fixture
def reference(db):
    """Real municipios, the 2026 rural ZAP and the catalogues, without any synthetic rows."""
    load_municipios()
    load_zap_rural_2026()
    load_poverty_lines()
    load_catalogs()


@pytest.fixture
def small_synthetic(reference):
    """A small synthetic set (seed 5) for checking invariants quickly."""
    generate_all(works=400, households=300, zones=40, seed=5, report=lambda _: None)


def content(seed_prefix: str = "SINT-S5-") -> dict[str, list]:
    works = Work.objects.filter(folio__startswith=seed_prefix).order_by("folio")
    households = Household.objects.filter(folio__startswith=seed_prefix).order_by("folio")
    return {
        "works": [
            (w.folio, w.name, w.status, w.amount_approved, w.physical_progress, w.geom.wkt, w.category.code)
            for w in works.select_related("category")
        ],
        "funding": list(
            WorkFunding.objects.filter(work__in=works)
            .order_by("work__folio", "source__code")
            .values_list("work__folio", "source__code", "amount_approved")
        ),
        "reports": list(
            ProgressReport.objects.filter(work__in=works)
            .order_by("work__folio", "reported_on")
            .values_list("work__folio", "reported_on", "physical_pct", "state")
        ),
        "households": [(h.folio, h.location.wkt, h.floor, h.water, h.food_security) for h in households],
        "persons": list(
            Person.objects.filter(household__in=households)
            .order_by("household__folio", "number")
            .values_list(
                "household__folio", "number", "relationship", "age", "education_level", "monthly_income"
            )
        ),
        "zones": sorted(
            Zone.objects.filter(synthetic=True).values_list("kind", "fiscal_year", "name", "cvegeo")
        ),
    }


# --- the full demo ---------------------------------------------------------------------------------


def test_load_demo_creates_real_geography_zap_2026_and_a_large_synthetic_set(db):
    output = run("load_demo")

    municipios = Municipio.objects.all()
    assert municipios.count() == 46
    assert all(m.geom.valid and m.geom.srid == 4326 for m in municipios)
    x0, y0, x1, y1 = _extent()
    bx0, by0, bx1, by1 = GTO_BOUNDS
    assert bx0 <= x0 and x1 <= bx1 and by0 <= y0 and y1 <= by1
    assert municipios.get(cvegeo="11020").population_2020 == 1721215

    rural = Zone.objects.filter(kind="ZAP_RURAL")
    assert rural.count() == 30
    assert set(rural.values_list("fiscal_year", "status", "source__reference", "synthetic")) == {
        (2026, "PUBLISHED", "DOF 5773718", False)
    }
    assert rural.get(cvegeo="11045").geom.equals_exact(Municipio.objects.get(cvegeo="11045").geom, 1e-9)

    assert Work.objects.filter(synthetic=True).count() >= 2000
    assert Zone.objects.filter(synthetic=True).count() >= 100
    assert Household.objects.filter(synthetic=True).count() >= 5000
    assert Person.objects.count() > Household.objects.count()
    assert Committee.objects.filter(synthetic=True).count() >= 3
    assert "filas/s" in output
    # Every demo household is diagnosed, so the public need figures have something to aggregate.
    assert not Household.objects.filter(latest_diagnostic__isnull=True).exists()


def _extent() -> tuple[float, float, float, float]:
    from django.contrib.gis.db.models import Extent

    return Municipio.objects.aggregate(e=Extent("geom"))["e"]


def test_a_second_load_demo_changes_nothing(db):
    run("load_demo")
    before = snapshot()

    output = run("load_demo")

    assert snapshot() == before
    assert "ya cargados" in output
    assert "0 nuevos, 0 actualizados" in output


def test_load_demo_force_rebuilds_the_same_synthetic_content(db):
    run("load_demo")
    before = content("SINT-S2026-")

    run("load_demo", "--force")

    assert content("SINT-S2026-") == before
    assert Zone.objects.filter(kind="ZAP_RURAL").count() == 30


# --- reference data ----------------------------------------------------------------------------------


def test_catalogues_version_agencies_and_classify_funding_by_conac(reference):
    assert Agency.objects.get(code="GTO-SENCO").predecessor.acronym == "SEDESHU"
    assert Agency.objects.get(code="GTO-SOP").predecessor.acronym == "SICOM"
    assert Agency.objects.filter(level="MUNICIPAL", municipio__isnull=True).count() == 0
    assert FundingSource.objects.get(code="FAIS-FISMDF").conac_code == "25"
    assert FundingSource.objects.get(code="MUN-RECURSOS-PROPIOS").conac_code == "14"
    assert Category.objects.get(code="AGUA_POTABLE.RED").parent.code == "AGUA_POTABLE"
    assert PovertyLine.objects.count() == 6


def test_every_leaf_category_has_a_synthetic_profile():
    assert set(leaf_category_codes()) == set(PROFILES)


def test_loading_the_catalogues_twice_reports_everything_unchanged(reference):
    second = load_catalogs()

    assert all(counts["created"] == counts["updated"] == 0 for counts in second.values())


def _data_rows(path):
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def test_committed_population_adds_up_to_the_2020_census_state_total():
    rows = _data_rows(POPULATION_CSV)
    assert len(rows) == 46
    assert sum(int(r["population_2020"]) for r in rows) == 6_166_934


def test_committed_facts_match_the_shared_source_files(shared_data):
    census = {
        r["region"]: int(r["pop"])
        for r in csv.DictReader((shared_data / "mx_municipios_censo2020.csv").open(encoding="utf-8"))
        if r["state_code"] == "11"
    }
    zap = {r["cvegeo_mun"] for r in csv.DictReader((shared_data / "zap_rural_2026_guanajuato.csv").open())}
    assert {r["cvegeo"]: int(r["population_2020"]) for r in _data_rows(POPULATION_CSV)} == census
    assert {r["cvegeo"] for r in _data_rows(ZAP_RURAL_2026_CSV)} == zap


# --- the generator ---------------------------------------------------------------------------------


def test_the_generator_is_deterministic_for_a_seed(small_synthetic):
    first = content()

    delete_synthetic()
    generate_all(works=400, households=300, zones=40, seed=5, report=lambda _: None)

    assert content() == first
    assert len(first["works"]) == 400 and len(first["households"]) == 300


def test_another_seed_gives_other_data(small_synthetic):
    generate_all(works=50, households=0, zones=0, seed=6, report=lambda _: None)

    geoms5 = [w[5] for w in content()["works"][:50]]
    geoms6 = [w[5] for w in content("SINT-S6-")["works"]]
    assert geoms5 != geoms6


def test_every_generated_work_lies_inside_its_municipio(small_synthetic):
    works = Work.objects.filter(synthetic=True)

    assert works.filter(point__isnull=True).count() == 0
    assert works.exclude(point__coveredby=F("municipio__geom")).count() == 0
    assert works.exclude(geom__coveredby=F("municipio__geom")).count() == 0
    kinds = {w.geom.geom_type for w in works}
    assert kinds == {"Point", "LineString", "Polygon"}


def test_every_physical_progress_equals_its_latest_approved_report(small_synthetic):
    latest = ProgressReport.objects.filter(work=OuterRef("pk"), state="APPROVED").order_by("-reported_on")
    works = Work.objects.filter(synthetic=True).annotate(
        reported=Subquery(latest.values("physical_pct")[:1]),
        reported_fin=Subquery(latest.values("financial_pct")[:1]),
    )

    for work in works:
        assert work.physical_progress == (work.reported or 0), work.folio
        assert work.financial_progress == (work.reported_fin or 0), work.folio
    states = set(ProgressReport.objects.values_list("state", flat=True))
    assert states == {"APPROVED", "PENDING", "REJECTED"}


def test_progress_reports_never_go_backwards(small_synthetic):
    previous: dict[int, float] = {}
    for work_id, pct in ProgressReport.objects.order_by("work_id", "reported_on").values_list(
        "work_id", "physical_pct"
    ):
        assert pct >= previous.get(work_id, 0)
        previous[work_id] = pct


def test_funding_splits_add_up_to_the_work_amounts(small_synthetic):
    sums = Work.objects.filter(synthetic=True).annotate(
        funded=Sum("funding__amount_approved"), exercised=Sum("funding__amount_exercised")
    )

    assert all(w.funded == w.amount_approved and w.exercised == w.amount_exercised for w in sums)
    assert set(WorkAgency.objects.values_list("role", flat=True)) >= {"EJECUTORA", "NORMATIVA"}


def test_the_whole_lifecycle_and_all_years_appear(small_synthetic):
    statuses = set(Work.objects.values_list("status", flat=True))
    years = set(Work.objects.values_list("fiscal_year", flat=True))

    assert {"PLANEACION", "EN_EJECUCION", "SUSPENDIDA", "CERRADA", "CANCELADA"} <= statuses
    assert years == set(range(2019, 2027))


def test_agencies_follow_the_2024_renaming(small_synthetic):
    executors = WorkAgency.objects.filter(role="EJECUTORA", agency__level="ESTATAL")

    assert not executors.filter(
        agency__acronym__in=["SENCO", "SOP", "SAMA"], work__fiscal_year__lte=2024
    ).exists()
    assert not executors.filter(
        agency__acronym__in=["SEDESHU", "SICOM"], work__fiscal_year__gte=2025
    ).exists()


def test_synthetic_urban_zap_are_well_formed_and_cite_a_fictitious_list(small_synthetic):
    urban = Zone.objects.filter(kind="ZAP_URBANA").select_related("municipio", "source")

    assert urban.exists()
    for zone in urban:
        assert zone.synthetic and len(zone.cvegeo) == 13 and zone.cvegeo.startswith(zone.municipio.cvegeo)
        assert zone.source.kind == "OTRO" and "ficticia" in zone.source.title
    assert set(Zone.objects.filter(kind="ZAP_RURAL").values_list("fiscal_year", "synthetic")) == {
        (2026, False)
    }
    assert Zone.objects.filter(synthetic=True).exclude(geom__coveredby=F("municipio__geom")).count() == 0


def test_households_have_one_person_per_resident_and_some_missing_answers(small_synthetic):
    households = Household.objects.annotate(n=Count("persons"))

    assert all(h.residents in (None, h.n) for h in households)
    assert households.filter(persons__number=1, persons__relationship="JEFE").count() == households.count()
    assert Household.objects.filter(water__isnull=True).exists()
    assert Person.objects.filter(monthly_income__isnull=True).exists()
    assert Household.objects.exclude(location__coveredby=F("municipio__geom")).count() == 0


def test_generate_synthetic_reports_its_rate(reference):
    output = run("generate_synthetic", "--works", "30", "--households", "20", "--zones", "5", "--seed", "9")

    assert "filas/s" in output
    assert Work.objects.filter(folio__startswith="SINT-S9-").count() == 30


def test_generate_synthetic_appends_when_run_twice_with_the_same_seed(reference):
    run("generate_synthetic", "--works", "20", "--seed", "9")
    run("generate_synthetic", "--works", "20", "--seed", "9")

    assert Work.objects.filter(folio__startswith="SINT-S9-").count() == 40


def test_it_refuses_to_generate_before_the_reference_data_exist(db):
    with pytest.raises(CommandError, match="load_demo"):
        run("generate_synthetic", "--works", "10")


def test_it_rejects_negative_sizes(reference):
    with pytest.raises(CommandError, match="negativos"):
        run("generate_synthetic", "--works", "-1")


def test_replace_removes_previous_synthetic_rows_but_not_real_ones(small_synthetic):
    run("generate_synthetic", "--replace", "--works", "10", "--seed", "11")

    assert Work.objects.filter(synthetic=True).count() == 10
    assert Household.objects.filter(synthetic=True).count() == 0
    assert Zone.objects.filter(kind="ZAP_RURAL").count() == 30
