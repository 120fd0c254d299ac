"""A planner records progress with photos; a supervisor approves or rejects; only approved figures show."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.places import make_work

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def work_leon(leon, water_category):
    """A published work in León at 0 % (León's planner and supervisor act on it)."""
    return make_work(leon, water_category, folio="LEO-AV-1", published=True, point=(-101.65, 21.15))


def record(client, work, **extra):
    data = {
        "reported_on": "2026-03-01",
        "physical_pct": "60",
        "financial_pct": "45",
        "note": "Zanja terminada",
    }
    data.update(extra)
    return client.post(reverse("planning:progress", args=[work.pk]), data)


def test_a_planner_records_a_pending_report_with_photos(
    client, planner_leon, work_leon, media_root, django_capture_on_commit_callbacks
):
    from gis_core.versions import layer_version

    client.force_login(planner_leon)
    before = layer_version("works")
    photos = [SimpleUploadedFile("a.png", PNG, "image/png"), SimpleUploadedFile("b.jpeg", JPEG, "image/jpeg")]
    with django_capture_on_commit_callbacks(execute=True):
        response = record(client, work_leon, photos=photos)
    assert response.status_code == 302
    report = work_leon.progress_reports.get()
    assert report.state == "PENDING" and report.author == planner_leon
    stored = sorted((p.content_type, p.file.name.rsplit(".", 1)[1]) for p in report.photos.all())
    assert stored == [("image/jpeg", "jpg"), ("image/png", "png")]
    assert all((media_root / p.file.name).is_file() for p in report.photos.all())
    work_leon.refresh_from_db()
    assert work_leon.physical_progress == 0  # pending: nothing public changes
    assert layer_version("works") == before


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("x.png", b"<script>alert(1)</script>", "image/png"), "no es una foto"),
        (SimpleUploadedFile("big.jpg", JPEG + b"\x00" * (5 * 1024 * 1024), "image/jpeg"), "pesa más de 5 MB"),
    ],
    ids=["not_an_image", "too_big"],
)
def test_it_refuses_a_photo_that_is_not_a_small_image(
    client, planner_leon, work_leon, media_root, upload, message
):
    client.force_login(planner_leon)
    response = record(client, work_leon, photos=[upload])
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not work_leon.progress_reports.exists()
    assert not any(media_root.rglob("*.*")) if media_root.exists() else True


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("physical_pct", "120", "100"),
        ("reported_on", "2999-01-01", "futuro"),
        ("financial_pct", "", "financial_pct"),
    ],
)
def test_it_refuses_impossible_figures(client, planner_leon, work_leon, field, value, message):
    client.force_login(planner_leon)
    response = record(client, work_leon, **{field: value})
    assert response.status_code == 400 and message in response.content.decode()


def test_only_an_approved_report_reaches_the_public_page_tiles_and_summaries(
    client, planner_leon, supervisor_leon, work_leon, media_root, django_capture_on_commit_callbacks
):
    from gis_core.versions import layer_version
    from works_map.models import Work
    from works_map.summaries import works_breakdown

    client.force_login(planner_leon)
    record(client, work_leon)
    report = work_leon.progress_reports.get()

    public = client.get(reverse("works_map:work", args=[work_leon.pk]))
    assert public.context["reports"] == [] and public.context["work"].physical_progress == 0

    client.force_login(supervisor_leon)
    before = layer_version("works")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("planning:progress-review", args=[report.pk]), {"decision": "approve"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == "APPROVED" and report.reviewer == supervisor_leon
    work_leon.refresh_from_db()
    assert (work_leon.physical_progress, work_leon.financial_progress) == (60, 45)
    assert layer_version("works") > before  # tiles show it at once
    public = client.get(reverse("works_map:work", args=[work_leon.pk]))
    assert public.context["reports"] == [report]
    summary = works_breakdown(Work.objects.filter(pk=work_leon.pk))
    assert "60" in str(summary)


def test_a_rejection_needs_a_reason_and_changes_nothing_public(
    client, planner_leon, supervisor_leon, work_leon
):
    client.force_login(planner_leon)
    record(client, work_leon)
    report = work_leon.progress_reports.get()
    client.force_login(supervisor_leon)
    url = reverse("planning:progress-review", args=[report.pk])
    refused = client.post(url, {"decision": "reject", "reason": "  "})
    assert refused.status_code == 400 and "motivo" in refused.content.decode()
    assert (
        client.post(url, {"decision": "reject", "reason": "Las fotos no muestran la zanja"}).status_code
        == 302
    )
    report.refresh_from_db()
    work_leon.refresh_from_db()
    assert report.state == "REJECTED" and report.review_reason == "Las fotos no muestran la zanja"
    assert work_leon.physical_progress == 0
    again = client.post(url, {"decision": "approve"})
    assert again.status_code == 400 and "ya fue revisado" in again.content.decode()


def test_a_supervisor_cannot_approve_their_own_report(client, supervisor_leon, work_leon):
    client.force_login(supervisor_leon)
    record(client, work_leon)
    report = work_leon.progress_reports.get()
    assert (
        client.post(
            reverse("planning:progress-review", args=[report.pk]), {"decision": "approve"}
        ).status_code
        == 403
    )


def test_the_supervisor_queue_lists_pending_reports_in_scope_only(
    client, planner_leon, supervisor_leon, work_leon, xichu, water_category
):
    from tests.places import make_report

    far = make_work(xichu, water_category, folio="XIC-AV-1", published=True, point=(-100.05, 21.3))
    make_report(work_leon, planner_leon)
    make_report(far, planner_leon)
    client.force_login(supervisor_leon)
    page = client.get(reverse("planning:workspace")).content.decode()
    assert "LEO-AV-1" in page and "XIC-AV-1" not in page


def test_the_workspace_lists_the_planners_works_with_their_progress_link(
    client, planner_leon, work_leon, xichu, water_category
):
    far = make_work(xichu, water_category, folio="XIC-LIST-1", published=True, point=(-100.05, 21.3))
    client.force_login(planner_leon)
    page = client.get(reverse("planning:workspace")).content.decode()
    assert reverse("planning:progress", args=[work_leon.pk]) in page
    assert far.folio not in page
