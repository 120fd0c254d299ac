"""The moderation queue over real HTTP: scope, approve, edit (original kept), reject with a reason,
route, answer (the reporter gets an e-mail through the outbox, received by a real SMTP server), and
every step recorded with who and when."""

from __future__ import annotations

import pytest
from django.urls import reverse

from outbox import dispatch
from participation.models import CitizenReport, ReportEvent
from tests.actors import PASSWORD

Step = ReportEvent.Step


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def step(client, report, name, **data):
    """POST one moderation step; the forms of the page are prefixed with the step's name."""
    if name in ("editar", "rechazar", "turnar", "responder"):
        data = {f"{name}-{key}": value for key, value in data.items()}
    return client.post(reverse("participation-staff:step", args=[report.pk, name]), data)


@pytest.fixture
def report_xichu(work_well_xichu):
    from participation.actions import do_submit_report

    return do_submit_report(
        work_well_xichu, kind="RIESGO", text="Zanja abierta sin señalización.", address="192.0.2.5"
    )


def test_the_queue_shows_reports_in_the_moderators_scope_only(
    client, moderator_leon, received_report, report_xichu
):
    html = login(client, moderator_leon).get(reverse("participation-staff:queue")).content.decode()
    assert received_report.code in html
    assert report_xichu.code not in html
    response = client.get(reverse("participation-staff:report", args=[report_xichu.pk]))
    assert response.status_code == 404


def test_an_agency_moderator_sees_the_reports_on_its_agencys_works(
    client, moderator_sop, received_report, report_xichu
):
    html = login(client, moderator_sop).get(reverse("participation-staff:queue")).content.decode()
    assert report_xichu.code in html  # SOP executes the well in Xichú
    assert received_report.code not in html


def test_the_queue_pages_by_keyset(client, moderator_leon, work_road_leon):
    from participation import queue
    from participation.actions import do_submit_report

    for i in range(5):
        do_submit_report(work_road_leon, kind="OTRO", text=f"Reporte número {i}", address=f"192.0.2.{i}")
    first = queue.page(moderator_leon, size=2)
    assert first.total == 5 and len(first.rows) == 2
    second = queue.page(moderator_leon, size=2, before=first.next_before)
    assert [r.pk for r in second.rows] == sorted((r.pk for r in second.rows), reverse=True)
    assert not {r.pk for r in first.rows} & {r.pk for r in second.rows}
    html = login(client, moderator_leon).get(reverse("participation-staff:queue"), {"estado": "BOGUS"})
    assert html.status_code == 400 and "Estado desconocido" in html.content.decode()


def test_planners_and_citizens_cannot_moderate(client, planner_leon, citizen, received_report):
    for user in (planner_leon, citizen):
        login(client, user)
        assert client.get(reverse("participation-staff:queue")).status_code == 403
        assert step(client, received_report, "aprobar").status_code == 403
    received_report.refresh_from_db()
    assert not received_report.published
    client.logout()
    assert client.get(reverse("participation-staff:queue")).status_code == 302  # to the login


def test_opening_a_report_starts_its_review_and_shows_gps_distance_and_email(
    client, moderator_leon, received_report
):
    html = (
        login(client, moderator_leon)
        .get(reverse("participation-staff:report", args=[received_report.pk]))
        .content.decode()
    )
    received_report.refresh_from_db()
    assert received_report.state == "EN_REVISION"
    assert "vecina@example.net" in html  # the moderator reads the private fields
    assert "GPS de la foto: 21.10833, -101.66667" in html
    assert "m de la obra" in html


def test_approval_publishes_the_report_and_its_photo_on_the_work_page(
    client, moderator_leon, received_report
):
    photo = received_report.photos.get()
    photo_url = reverse("participation:photo", args=[photo.token])
    assert client.get(photo_url).status_code == 404  # not before approval
    work_url = reverse("works_map:work", args=[received_report.work_id])
    assert "El pavimento ya tiene grietas." not in client.get(work_url).content.decode()

    login(client, moderator_leon)
    assert client.get(photo_url).status_code == 200  # the moderator sees it to decide
    response = step(client, received_report, "aprobar")
    assert response.status_code == 302
    client.logout()

    html = client.get(work_url).content.decode()
    assert "El pavimento ya tiene grietas." in html
    assert photo_url in html
    assert "Mala calidad: <strong>1</strong>" in html
    served = client.get(photo_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert [(e.step, e.actor) for e in received_report.events.all()] == [
        (Step.RECEIVED, None),
        (Step.APPROVED, moderator_leon),
    ]


def test_a_withdrawn_photo_is_no_longer_served(client, moderator_leon, received_report):
    photo = received_report.photos.get()
    login(client, moderator_leon)
    step(client, received_report, "aprobar")
    step(client, received_report, "ocultar-foto", foto=photo.pk)
    client.logout()
    assert client.get(reverse("participation:photo", args=[photo.token])).status_code == 404


def test_an_edit_keeps_the_original_visible_to_staff_only(client, moderator_leon, received_report):
    login(client, moderator_leon)
    step(client, received_report, "aprobar")
    assert (
        step(client, received_report, "editar", text="El pavimento tiene grietas (editado).").status_code
        == 302
    )
    staff_html = client.get(reverse("participation-staff:report", args=[received_report.pk])).content.decode()
    assert "El pavimento ya tiene grietas." in staff_html and "(editado)" in staff_html
    client.logout()
    public = client.get(reverse("works_map:work", args=[received_report.work_id])).content.decode()
    assert "(editado)" in public and "El pavimento ya tiene grietas." not in public
    received_report.refresh_from_db()
    assert received_report.original_text == "El pavimento ya tiene grietas."
    edit = received_report.events.get(step=Step.EDITED)
    assert edit.actor == moderator_leon and edit.note == "El pavimento ya tiene grietas." and edit.at


def test_a_rejection_needs_a_reason_and_the_citizen_reads_it(client, moderator_leon, received_report):
    login(client, moderator_leon)
    response = step(client, received_report, "rechazar", reason="")
    assert response.status_code == 400
    assert "Este campo es requerido" in response.content.decode()
    assert (
        step(client, received_report, "rechazar", reason="Duplicado del reporte anterior.").status_code == 302
    )
    client.logout()
    html = client.get(reverse("participation:track", args=[received_report.code])).content.decode()
    assert "No procede" in html and "Duplicado del reporte anterior." in html
    # A rejected report cannot be approved afterwards.
    login(client, moderator_leon)
    response = step(client, received_report, "aprobar")
    assert response.status_code == 400 and "no procede" in response.content.decode()


def test_routing_and_answering_email_the_reporter_through_a_real_smtp_server(
    client, moderator_leon, received_report, sop, smtp_server
):
    login(client, moderator_leon)
    step(client, received_report, "aprobar")
    assert step(client, received_report, "turnar", agency=sop.pk).status_code == 302
    received_report.refresh_from_db()
    assert received_report.state == "TURNADO" and received_report.routed_to == sop
    response = step(client, received_report, "responder", answer="Se programó la reparación para marzo.")
    assert response.status_code == 302
    assert not smtp_server.messages  # sent by the worker, not in the request
    assert dispatch.run_due() == 1
    [mail] = smtp_server.to("vecina@example.net")
    assert received_report.code in mail["Subject"]
    body = mail.get_content()
    assert "Se programó la reparación para marzo." in body
    assert f"/participa/seguimiento/{received_report.code}/" in body

    client.logout()
    track = client.get(reverse("participation:track", args=[received_report.code])).content.decode()
    assert "Atendido" in track and "Se programó la reparación para marzo." in track and "SOP" in track
    work_page = client.get(reverse("works_map:work", args=[received_report.work_id])).content.decode()
    assert "Se programó la reparación para marzo." in work_page
    steps = list(received_report.events.values_list("step", "actor__username"))
    assert steps == [
        (Step.RECEIVED, None),
        (Step.APPROVED, "moderador_leon"),
        (Step.ROUTED, "moderador_leon"),
        (Step.ANSWERED, "moderador_leon"),
    ]


def test_an_answer_without_an_email_sends_nothing(client, moderator_leon, report_xichu, admin_user):
    from outbox.models import Message

    login(client, admin_user)
    step(client, report_xichu, "responder", answer="Ya se colocó señalización.")
    assert CitizenReport.objects.get(pk=report_xichu.pk).state == "ATENDIDO"
    assert not Message.objects.exists()


def test_an_unknown_step_is_a_404(client, moderator_leon, received_report):
    assert step(login(client, moderator_leon), received_report, "borrar-todo").status_code == 404


def test_the_workspace_links_the_queue_for_moderators_only(client, moderator_leon, planner_leon):
    assert (
        reverse("participation-staff:queue")
        in login(client, moderator_leon).get("/planeacion/").content.decode()
    )
    assert (
        reverse("participation-staff:queue")
        not in login(client, planner_leon).get("/planeacion/").content.decode()
    )
