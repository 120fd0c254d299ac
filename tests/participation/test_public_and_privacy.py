"""What the public reads (work page, cards, agency page, API, OpenAPI) and what it never reads: the
reporter's e-mail, the place they stood, a photo's GPS, the original text, unpublished reports. ARCO
erasure removes everything a citizen sent."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.urls import reverse
from django.utils import timezone

from participation import actions
from participation.models import ArcoErasure, CitizenReport, ReportPhoto, SubmissionMark
from tests.participation.conftest import jpeg
from tests.participation.test_moderation import login

EMAIL = "vecina@example.net"
PRIVATE_MARKS = (EMAIL, "21.10833", "-101.66667", "21.108", "101.666")


@pytest.fixture
def answered_report(received_report, moderator_leon, sop):
    """The received report, approved, edited, answered by SOP 2 days after it arrived."""
    report = actions.do_approve_report(received_report, acting_user=moderator_leon)
    report = actions.do_edit_report_text(
        report, text="El pavimento tiene grietas.", acting_user=moderator_leon
    )
    report = actions.do_answer_report(
        report,
        answer="Se reparará.",
        agency=sop,
        tracking_url="http://testserver/x",
        acting_user=moderator_leon,
    )
    CitizenReport.objects.filter(pk=report.pk).update(
        received_at=timezone.now() - dt.timedelta(days=2), answered_at=timezone.now()
    )
    return report


def public_bodies(client, report) -> dict[str, str]:
    work = report.work
    urls = {
        "work": reverse("works_map:work", args=[work.pk]),
        "reports": reverse("participation:work-reports", args=[work.pk]),
        "track": reverse("participation:track", args=[report.code]),
        "municipio": reverse("works_map:municipio", args=[work.municipio.cvegeo]),
        "api-list": reverse("participation:report-api-list"),
        "api-detail": reverse("participation:report-api-detail", args=[report.pk]),
        "schema": reverse("api:schema"),
        "works-geojson": "/api/export/works.geojson",
        "works-csv": "/api/export/works.csv",
        "ogc": "/ogc/collections/works/items?f=json",
    }
    bodies = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        bodies[name] = (
            b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
        )
    return bodies


def test_public_pages_and_api_carry_no_email_location_gps_or_original_text(client, answered_report, caplog):
    answered_report.location = None
    with caplog.at_level(logging.DEBUG):
        bodies = public_bodies(client, answered_report)
    for name, body in bodies.items():
        for mark in PRIVATE_MARKS:
            assert mark not in body, (name, mark)
        assert "El pavimento ya tiene grietas." not in body, name  # the original, before the edit
    assert "El pavimento tiene grietas." in bodies["work"]
    assert EMAIL not in caplog.text


def test_submitting_logs_no_email(client, submit, work_road_leon, caplog, settings):
    settings.PARTICIPATION_RATE_PER_EMAIL = 1
    with caplog.at_level(logging.DEBUG):
        submit(work_road_leon, email=EMAIL)
        submit(work_road_leon, email=EMAIL)  # the 429 too
        submit(work_road_leon, email=EMAIL, photos=[jpeg(name="x.jpg")], text="<b>x</b> no")  # the 400 too
    assert EMAIL not in caplog.text


def test_the_api_lists_published_reports_only_with_named_fields(client, answered_report, work_road_leon):
    hidden = actions.do_submit_report(
        work_road_leon, kind="OTRO", text="Sin moderar todavía.", address="192.0.2.8"
    )
    data = client.get(reverse("participation:report-api-list"), {"work": work_road_leon.pk}).json()
    assert [r["id"] for r in data["results"]] == [answered_report.pk]
    [row] = data["results"]
    assert set(row) == {
        "id", "work", "kind", "kind_label", "text", "state", "state_label", "received_at",
        "published_at", "answer", "answered_at", "answered_by", "photos",
    }  # fmt: skip
    assert row["answered_by"] == "SOP" and row["state"] == "ATENDIDO"
    assert row["photos"][0]["url"].startswith("/participa/fotos/")
    assert client.get(reverse("participation:report-api-detail", args=[hidden.pk])).status_code == 404


def test_the_api_refuses_bad_parameters_with_a_problem(client, db):
    url = reverse("participation:report-api-list")
    for params, name in (({"kind": "NADA"}, "kind"), ({"work": "x"}, "work"), ({"email": "a"}, "email")):
        response = client.get(url, params)
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
        assert name in response.json()["detail"]


def test_the_openapi_schema_documents_the_reports_api_without_private_fields(client, db):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    assert "/api/participacion/reportes" in schema["paths"]
    assert "/api/participacion/reportes/{id}" in schema["paths"]
    fields = schema["components"]["schemas"]["PublicReport"]["properties"]
    assert "email" not in fields and "location" not in fields and "original_text" not in fields


def test_cards_and_agency_page_show_received_answered_and_median_days(
    client, answered_report, work_road_leon, sop
):
    actions.do_submit_report(work_road_leon, kind="OTRO", text="Otro reporte más.", address="192.0.2.9")
    from works_map.models import WorkAgency

    WorkAgency.objects.create(work=work_road_leon, agency=sop, role="EJECUTORA")
    for url in (
        reverse("works_map:municipio", args=[work_road_leon.municipio.cvegeo]),
        reverse("participation:agency", args=[sop.pk]),
        reverse("works_map:work", args=[work_road_leon.pk]),
    ):
        html = client.get(url).content.decode()
        assert "<dt>Recibidos</dt><dd>2</dd>" in html, url
        assert "<dt>Atendidos</dt><dd>1</dd>" in html, url
        assert "<dt>Mediana de días para responder</dt><dd>2.0</dd>" in html, url


def test_arco_erasure_removes_everything_the_citizen_sent(
    client, moderator_leon, answered_report, submit, work_road_leon
):
    from outbox.models import Message

    submit(work_road_leon, email=EMAIL.upper(), photos=[jpeg()])
    assert CitizenReport.objects.filter(email__iexact=EMAIL).count() == 2
    assert Message.objects.filter(recipient=EMAIL).exists()
    login(client, moderator_leon)
    response = client.post(reverse("participation-staff:arco"), {"reference": "ARCO-2026-17", "email": EMAIL})
    assert response.status_code == 302
    assert not CitizenReport.objects.exists()
    assert not ReportPhoto.objects.exists()
    assert not Message.objects.exists()
    assert not SubmissionMark.objects.filter(key=actions.mark_key("email", EMAIL)).exists()
    erasure = ArcoErasure.objects.get()
    assert (erasure.actor, erasure.reports_erased, erasure.photos_erased) == (moderator_leon, 2, 2)


def test_arco_needs_a_reference_and_a_match_and_the_moderator_role(
    client, moderator_leon, planner_leon, received_report
):
    login(client, moderator_leon)
    url = reverse("participation-staff:arco")
    response = client.post(url, {"reference": "", "email": EMAIL})
    assert response.status_code == 400
    response = client.post(url, {"reference": "R1", "email": "nadie@example.net"})
    assert response.status_code == 400 and "No hay reportes con ese correo" in response.content.decode()
    login(client, planner_leon)
    assert client.post(url, {"reference": "R1", "email": EMAIL}).status_code == 403
    assert CitizenReport.objects.filter(pk=received_report.pk).exists()


def test_arco_outside_the_moderators_scope_is_refused_whole(
    client, moderator_leon, received_report, work_well_xichu
):
    actions.do_submit_report(
        work_well_xichu, kind="OTRO", text="Reporte en Xichú.", email=EMAIL, address="192.0.2.3"
    )
    login(client, moderator_leon)
    response = client.post(reverse("participation-staff:arco"), {"reference": "R2", "email": EMAIL})
    assert response.status_code == 403
    assert CitizenReport.objects.count() == 2


def test_the_work_panel_costs_five_queries_whatever_the_number_of_reports(
    answered_report, work_road_leon, django_assert_num_queries
):
    from participation import summaries
    from works_map.models import Committee

    committee = Committee.objects.create(
        kind="CONTRALORIA_SOCIAL", name="Comité", constituted_on=dt.date(2025, 1, 1), members_count=5
    )
    committee.works.add(work_road_leon)
    for i in range(5):
        r = actions.do_submit_report(
            work_road_leon, kind="OTRO", text=f"Reporte {i} de prueba.", address=f"10.0.0.{i}"
        )
        actions.do_approve_report(r, acting_user=None)
    # the tally with the counts by kind; latest reports; their visible photos; committees; their cédulas
    with django_assert_num_queries(5):
        panel = summaries.work_participation(work_road_leon)
    assert len(panel["latest"]) == 6


def test_a_queue_page_costs_two_queries(moderator_leon, received_report, django_assert_num_queries):
    from participation import queue

    moderator_leon._territorio_roles = None
    queue.page(moderator_leon)  # reads the role and scope once per request object
    with django_assert_num_queries(2):  # the count; the page joined to works and municipios
        page = queue.page(moderator_leon)
    assert [r.pk for r in page.rows] == [received_report.pk]
