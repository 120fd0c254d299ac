"""A citizen reports on a work over real HTTP: the happy path, the tracking page, and every refusal
(non-image, too big, too many photos, honeypot, oversized or HTML text, rate limits) as a 4xx that
names the problem."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from participation.models import CitizenReport, ReportEvent
from tests.participation.conftest import GPS_LAT, GPS_LON, jpeg


def test_a_citizen_report_is_received_with_a_tracking_code(client, submit, work_road_leon):
    response = submit(work_road_leon, photos=[jpeg()], email="vecina@example.net", lon="-101.65", lat="21.12")
    assert response.status_code == 302
    report = CitizenReport.objects.get()
    assert response["Location"] == reverse("participation:track", args=[report.code]) + "?nuevo=1"
    assert report.state == "RECIBIDO" and not report.published
    assert report.email == "vecina@example.net"
    assert report.location.coords == pytest.approx((-101.65, 21.12))
    assert list(report.events.values_list("step", "actor")) == [(ReportEvent.Step.RECEIVED, None)]
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert report.code in page.content.decode()
    assert "Recibido" in page.content.decode()
    assert "vecina@example.net" not in page.content.decode()


def test_a_photo_is_resized_and_stored_without_exif_but_its_gps_is_kept_for_moderators(
    submit, work_road_leon
):
    submit(work_road_leon, photos=[jpeg(4000, 3000)])
    photo = CitizenReport.objects.get().photos.get()
    stored = Image.open(io.BytesIO(bytes(photo.image)))
    assert stored.format == "JPEG"
    assert max(stored.size) == 1600 and (photo.width, photo.height) == stored.size
    assert len(stored.getexif()) == 0
    assert b"CamaraDePrueba" not in bytes(photo.image) and b"Nombre Apellido" not in bytes(photo.image)
    assert photo.gps.y == pytest.approx(GPS_LAT, abs=1e-5)
    assert photo.gps.x == pytest.approx(GPS_LON, abs=1e-5)


def test_a_photo_without_gps_is_accepted_with_no_position(submit, work_road_leon):
    submit(work_road_leon, photos=[jpeg(gps=False)])
    assert CitizenReport.objects.get().photos.get().gps is None


def test_a_text_file_named_jpg_is_refused_by_its_content(submit, work_road_leon):
    fake = SimpleUploadedFile("foto.jpg", b"<html>no soy una foto</html>" * 20, content_type="image/jpeg")
    response = submit(work_road_leon, photos=[fake])
    assert response.status_code == 400
    assert "«foto.jpg» no es una imagen JPEG, PNG o WebP válida." in response.content.decode()
    assert not CitizenReport.objects.exists()


def test_a_photo_over_the_size_limit_is_refused(submit, work_road_leon, settings):
    settings.PARTICIPATION_PHOTO_MAX_BYTES = 20_000
    response = submit(work_road_leon, photos=[jpeg(name="grande.jpg")])
    assert response.status_code == 400
    assert "La foto «grande.jpg» pesa más de" in response.content.decode()


def test_four_photos_are_refused(submit, work_road_leon):
    response = submit(work_road_leon, photos=[jpeg(200, 150, name=f"{i}.jpg") for i in range(4)])
    assert response.status_code == 400
    assert "A lo más 3 fotos por reporte (envió 4)." in response.content.decode()
    assert not CitizenReport.objects.exists()


def test_a_filled_honeypot_is_refused(submit, work_road_leon):
    response = submit(work_road_leon, sitio_web="http://spam.example")
    assert response.status_code == 400
    assert "Este campo debe quedar vacío." in response.content.decode()
    assert not CitizenReport.objects.exists()


def test_oversized_text_is_refused(submit, work_road_leon):
    response = submit(work_road_leon, text="a" * 2001)
    assert response.status_code == 400
    assert "2000" in response.content.decode()
    assert not CitizenReport.objects.exists()


def test_html_in_the_text_is_refused_and_never_rendered(submit, work_road_leon):
    response = submit(work_road_leon, text="Miren esto <script>alert(1)</script> en la obra")
    assert response.status_code == 400
    assert "no admite etiquetas HTML" in response.content.decode()
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_an_unknown_kind_is_refused(submit, work_road_leon):
    response = submit(work_road_leon, kind="INVENTADO")
    assert response.status_code == 400
    assert "INVENTADO" in response.content.decode()


def test_too_many_reports_from_one_address_get_a_429(submit, work_road_leon, settings):
    settings.PARTICIPATION_RATE_PER_ADDRESS = 2
    assert submit(work_road_leon).status_code == 302
    assert submit(work_road_leon).status_code == 302
    response = submit(work_road_leon)
    assert response.status_code == 429
    assert response["Retry-After"] == str(settings.PARTICIPATION_RATE_WINDOW)
    assert "demasiados reportes desde esta dirección de red" in response.content.decode()
    assert submit(work_road_leon, address="192.0.2.99").status_code == 302  # another address is fine


def test_too_many_reports_for_one_email_get_a_429_from_any_address(submit, work_road_leon, settings):
    settings.PARTICIPATION_RATE_PER_EMAIL = 1
    assert submit(work_road_leon, email="A@Example.net", address="192.0.2.1").status_code == 302
    response = submit(work_road_leon, email="a@example.net", address="192.0.2.2")
    assert response.status_code == 429
    assert "demasiados reportes desde este correo" in response.content.decode()


def test_rate_marks_store_no_address_or_email(submit, work_road_leon):
    from participation.models import SubmissionMark

    submit(work_road_leon, email="vecina@example.net")
    keys = " ".join(SubmissionMark.objects.values_list("key", flat=True))
    assert "203.0.113.7" not in keys and "vecina" not in keys and len(keys) > 64


def test_a_draft_work_cannot_be_reported(client, unpublished_work_leon):
    response = client.get(reverse("participation:report", args=[unpublished_work_leon.pk]))
    assert response.status_code == 404


def test_the_form_is_served_with_a_hidden_honeypot_and_labels(client, work_road_leon):
    html = client.get(reverse("participation:report", args=[work_road_leon.pk])).content.decode()
    assert 'class="hp-field" aria-hidden="true"' in html
    assert 'for="id_text"' in html and 'for="id_photos"' in html and 'for="id_email"' in html


def test_a_point_on_the_map_lists_the_nearest_works_to_report(client, work_road_leon):
    response = client.get(reverse("participation:report-from-map"), {"lon": "-101.69", "lat": "21.1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert work_road_leon.name in html
    assert reverse("participation:report", args=[work_road_leon.pk]) + "?lon=-101.69&amp;lat=21.1" in html


def test_a_point_outside_the_state_is_a_400(client, db):
    response = client.get(reverse("participation:report-from-map"), {"lon": "-90", "lat": "21"})
    assert response.status_code == 400
    assert "fuera de Guanajuato" in response.content.decode()


def test_an_unknown_tracking_code_is_a_404(client, db):
    assert client.get(reverse("participation:track", args=["NOEXISTE22"])).status_code == 404
    assert client.get(reverse("participation:track-lookup"), {"codigo": "<x>"}).status_code == 400
