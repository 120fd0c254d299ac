"""Contraloría social committees of a work: created with their acta (a PDF kept for staff), their
cédulas de vigilancia recorded, and both shown on the public work page without members' data."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from participation.models import CommitteeActa, VigilanceReport
from tests.participation.test_moderation import login
from works_map.models import Committee

PDF = b"%PDF-1.4\n% acta con nombres y firmas de Juana Perez\n%%EOF\n"


def create(client, work, **fields):
    data = {
        "name": "Comité de contraloría social de la línea",
        "constituted_on": "2026-01-15",
        "members_count": "7",
        "acta": SimpleUploadedFile("acta.pdf", PDF, content_type="application/pdf"),
        **fields,
    }
    return client.post(reverse("participation-staff:committee", args=[work.pk]), data)


def test_a_moderator_creates_a_committee_and_records_a_cedula_shown_on_the_work_page(
    client, moderator_leon, work_road_leon
):
    login(client, moderator_leon)
    response = create(client, work_road_leon)
    assert response.status_code == 302
    committee = Committee.objects.get()
    assert committee.kind == "CONTRALORIA_SOCIAL" and list(committee.works.all()) == [work_road_leon]
    assert CommitteeActa.objects.get(committee=committee).uploaded_by == moderator_leon
    url = reverse("participation-staff:vigilance", args=[committee.pk, work_road_leon.pk])
    response = client.post(
        url,
        {
            "kind": "INTERMEDIO",
            "filed_on": "2026-02-10",
            "findings": "Falta señalización.",
            "irregularities": "on",
        },
    )
    assert response.status_code == 302
    assert VigilanceReport.objects.get().recorded_by == moderator_leon
    client.logout()
    html = client.get(reverse("works_map:work", args=[work_road_leon.pk])).content.decode()
    assert "Comité de contraloría social de la línea" in html
    assert "<dt>Integrantes</dt><dd>7</dd>" in html
    assert "Falta señalización." in html and "con irregularidades" in html
    assert "acta.pdf" not in html and "Juana" not in html
    assert reverse("participation-staff:acta", args=[committee.pk]) not in html


def test_the_acta_is_for_staff_of_the_work_only(
    client, moderator_leon, planner_leon, citizen, work_road_leon
):
    login(client, moderator_leon)
    create(client, work_road_leon)
    url = reverse("participation-staff:acta", args=[Committee.objects.get().pk])
    response = client.get(url)
    assert response.status_code == 200 and response.content == PDF
    assert response["Cache-Control"] == "private, no-store"
    login(client, planner_leon)  # a planner who may change the work
    assert client.get(url).status_code == 200
    login(client, citizen)
    assert client.get(url).status_code == 403


def test_a_non_pdf_acta_a_future_date_or_a_cedula_before_constitution_are_refused(
    client, moderator_leon, work_road_leon
):
    login(client, moderator_leon)
    response = create(client, work_road_leon, acta=SimpleUploadedFile("acta.pdf", b"MZ\x90\x00 not a pdf"))
    assert response.status_code == 400 and "El acta debe ser un PDF." in response.content.decode()
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    response = create(client, work_road_leon, constituted_on=future)
    assert response.status_code == 400 and "no puede ser futura" in response.content.decode()
    response = create(client, work_road_leon, members_count="0")
    assert response.status_code == 400
    assert not Committee.objects.exists()
    create(client, work_road_leon)
    url = reverse("participation-staff:vigilance", args=[Committee.objects.get().pk, work_road_leon.pk])
    response = client.post(url, {"kind": "INICIAL", "filed_on": "2025-01-01", "findings": "x"})
    assert response.status_code == 400 and "anterior a la constitución" in response.content.decode()


def test_a_moderator_of_another_municipio_cannot_create_committees(client, moderator_leon, work_well_xichu):
    login(client, moderator_leon)
    assert create(client, work_well_xichu).status_code == 403
    assert not Committee.objects.exists()


def test_existing_committees_of_a_work_appear_on_its_page(client, work_road_leon):
    """The synthetic rows of the demo (works_map.demo) were shown nowhere: a work's page lists them."""
    committee = Committee.objects.create(
        kind="DE_OBRA", name="Comité de obra sintético", constituted_on=dt.date(2025, 3, 1), members_count=11,
        synthetic=True,
    )  # fmt: skip
    committee.works.add(work_road_leon)
    html = client.get(reverse("works_map:work", args=[work_road_leon.pk])).content.decode()
    assert "Comité de obra sintético" in html and "<dt>Integrantes</dt><dd>11</dd>" in html
