"""The register import inserts the first versions of the works it creates together, and sets the
approved progress figures together, at the end of its writes (inside its one transaction): the
same versions and figures as one by one, and a row refused leaves no version behind."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from gis_core.history import first_versions_together, versions_of
from gis_core.models import Version
from planning.import_writers import write_rows
from tests.planning.test_import_speed import new_work, register
from works_map.actions import do_create_work
from works_map.models import Work


def test_each_created_work_has_its_first_version_and_its_approved_progress(
    db, tmp_path, leon, water_category, fismdf, sop
):
    outcome, options = register(tmp_path, 12)
    write_rows(outcome, options)
    assert outcome.created == 12, outcome.rejected
    for work in Work.objects.filter(folio__startswith="Q-"):
        (version,) = versions_of(Work, work.pk)
        assert (version.number, version.change, version.state["folio"]) == (1, "CREATE", work.folio)
        report = work.progress_reports.get()
        assert report.state == "APPROVED"
        assert (work.physical_progress, work.financial_progress) == (
            report.physical_pct,
            report.financial_pct,
        )
        assert work.physical_progress == Decimal("45.50")


def test_a_dry_run_leaves_no_version(db, tmp_path, leon, water_category, fismdf, sop):
    outcome, options = register(tmp_path, 5)
    write_rows(outcome, options, dry_run=True)
    assert not Work.objects.exists()
    assert not Version.objects.filter(model="works_map.work").exists()


def test_a_row_rolled_back_drops_the_versions_it_gathered(db, leon, water_category):
    with first_versions_together() as versions:
        kept = do_create_work(bulk=True, **new_work(leon, water_category, folio="KEPT"))
        mark = versions.mark()
        with pytest.raises(RuntimeError), transaction.atomic():
            do_create_work(bulk=True, **new_work(leon, water_category, folio="GONE"))
            raise RuntimeError("the row fails after its version was recorded")
        versions.drop_since(mark)
        assert not Version.objects.filter(model="works_map.work").exists()  # held until the end
    assert list(Version.objects.filter(model="works_map.work").values_list("object_id", flat=True)) == [
        kept.pk
    ]
    assert not Work.objects.filter(folio="GONE").exists()
