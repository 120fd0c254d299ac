"""Consultations over real HTTP: staff open one, citizens take part, staff answer and publish results."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consultations.models import Consultation, Opinion
from outbox.models import Message
from tests.actors import PASSWORD
from tests.consultations.conftest import close_window

pytestmark = pytest.mark.django_db


def _opinion(
    client: Client, consultation, text="Falta la calle Hidalgo, donde vivimos muchas familias.", **extra
):
    return client.post(reverse("consultations:opinion", args=[consultation.pk]), {"text": text, **extra})


def _staff_client(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_staff_open_a_consultation_on_a_draft_zone_and_see_its_closing_date(planner_leon, draft_zone_leon):
    client = _staff_client(planner_leon)
    response = client.post(
        reverse("consultations:staff-create"),
        {
            "title": "Zona Las Joyas",
            "question": "¿Qué calles faltan en la zona propuesta?",
            "subject": "ZONE",
            "zone": draft_zone_leon.pk,
            "opens_on": timezone.localdate().isoformat(),
            "days": 20,
        },
    )
    assert response.status_code == 302
    consultation = Consultation.objects.get()
    page = Client().get(reverse("consultations:detail", args=[consultation.pk]))
    assert page.status_code == 200
    closing = consultation.closes_on
    assert f'datetime="{closing:%Y-%m-%d}"' in page.content.decode()
    assert "Deje su opinión" in page.content.decode()


def test_a_published_zone_cannot_be_consulted(planner_leon, leon):
    from tests.places import make_zone

    published = make_zone(leon, name="Ya publicada", published=True)
    response = _staff_client(planner_leon).post(
        reverse("consultations:staff-create"),
        {
            "title": "Zona publicada",
            "question": "¿Le parece bien la zona?",
            "subject": "ZONE",
            "zone": published.pk,
            "opens_on": timezone.localdate().isoformat(),
            "days": 20,
        },
    )
    assert response.status_code == 400
    assert "borrador" in response.content.decode()
    assert not Consultation.objects.exists()


def test_a_planner_cannot_consult_on_a_zone_outside_their_scope(planner_leon, xichu):
    from tests.places import make_zone

    elsewhere = make_zone(xichu, name="Zona en Xichú", published=False)
    response = _staff_client(planner_leon).post(
        reverse("consultations:staff-create"),
        {
            "title": "Zona de Xichú",
            "question": "¿Le parece bien la zona?",
            "subject": "ZONE",
            "zone": elsewhere.pk,
            "opens_on": timezone.localdate().isoformat(),
            "days": 20,
        },
    )
    assert response.status_code == 400
    assert not Consultation.objects.exists()


def test_a_citizen_leaves_an_opinion_with_a_place_and_an_email_never_shown(open_consultation):
    client = Client()
    response = _opinion(client, open_consultation, lon="-101.7", lat="21.1", email="vecina@example.org")
    assert response.status_code == 302
    opinion = Opinion.objects.get()
    assert (opinion.point.x, opinion.point.y) == (-101.7, 21.1)
    assert opinion.email == "vecina@example.org"
    page = client.get(reverse("consultations:detail", args=[open_consultation.pk])).content.decode()
    assert "vecina@example.org" not in page
    # Published with its answer, not before.
    assert "Falta la calle Hidalgo" not in page
    assert 'id="received-count">1<' in page


def test_html_typed_in_an_opinion_is_shown_as_text(open_consultation, planner_leon):
    _opinion(Client(), open_consultation, text='<script>alert("x")</script> <b>negritas</b> en la calle')
    from consultations.actions import do_answer_opinions

    do_answer_opinions(
        open_consultation,
        list(Opinion.objects.all()),
        text="Gracias por su opinión.",
        acting_user=planner_leon,
    )
    page = Client().get(reverse("consultations:detail", args=[open_consultation.pk])).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &lt;b&gt;negritas&lt;/b&gt;" in page


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"text": "corto"}, 400, "al menos 10"),
        ({"text": "x" * 2001}, 400, "hasta 2000"),
        ({"website": "http://spam.example"}, 400, "No se pudo registrar"),
        ({"email": "no-es-correo"}, 400, "no es válido"),
        ({"lon": "abc", "lat": "21"}, 400, "número"),
        ({"lon": "-90.0", "lat": "21"}, 400, "Guanajuato"),
        ({"lon": "-101.7"}, 400, "longitud y latitud"),
        ({"lon": "nan", "lat": "nan"}, 400, "número"),
    ],
)
def test_bad_opinions_are_refused_with_the_reason(open_consultation, fields, status, message):
    response = _opinion(
        Client(), open_consultation, **{"text": "Una opinión suficientemente larga.", **fields}
    )
    assert response.status_code == status
    assert message in response.content.decode()
    assert not Opinion.objects.exists()


def test_an_opinion_after_the_closing_day_is_refused_on_the_server(open_consultation):
    close_window(open_consultation, days_ago=1)
    response = _opinion(Client(), open_consultation)
    assert response.status_code == 409
    assert "cerró" in response.content.decode()
    assert not Opinion.objects.exists()


def test_an_opinion_on_the_closing_day_itself_is_taken(open_consultation):
    close_window(open_consultation, days_ago=0)
    assert _opinion(Client(), open_consultation).status_code == 302


def test_an_upcoming_consultation_takes_no_opinion_yet(planner_leon, draft_zone_leon):
    from consultations.actions import do_open_consultation

    later = do_open_consultation(
        acting_user=planner_leon,
        title="Consulta futura",
        question="¿Le parece bien el trazo?",
        subject="ZONE",
        zone=draft_zone_leon,
        opens_on=timezone.localdate() + dt.timedelta(days=10),
    )
    response = _opinion(Client(), later)
    assert response.status_code == 409
    assert "aún no abre" in response.content.decode()


def test_opinions_are_rate_limited_per_address(open_consultation):
    client = Client()
    for _ in range(5):
        assert _opinion(client, open_consultation).status_code == 302
    response = _opinion(client, open_consultation)
    assert response.status_code == 429
    # Another address still gets in.
    assert _opinion(Client(REMOTE_ADDR="10.0.0.9"), open_consultation).status_code == 302


def test_opinions_are_rate_limited_per_email(open_consultation):
    for i in range(10):
        response = _opinion(Client(REMOTE_ADDR=f"10.0.1.{i}"), open_consultation, email="Misma@Example.org")
        assert response.status_code == 302
    response = _opinion(Client(REMOTE_ADDR="10.0.2.1"), open_consultation, email="misma@example.org")
    assert response.status_code == 429
    assert "correo" in response.content.decode()


def test_staff_answer_several_opinions_at_once_and_may_withhold_one(open_consultation, planner_leon):
    for i, text in enumerate(
        [
            "Falta la calle Morelos en el trazo.",
            "Falta también la calle Allende.",
            "Texto con insultos a alguien.",
        ]
    ):
        _opinion(Client(REMOTE_ADDR=f"10.1.0.{i}"), open_consultation, text=text)
    first, second, rude = Opinion.objects.order_by("pk")
    client = _staff_client(planner_leon)
    url = reverse("consultations:staff-answer", args=[open_consultation.pk])
    assert (
        client.post(
            url, {"opinion": [first.pk, second.pk], "text": "Las dos calles se incluyen en el trazo."}
        ).status_code
        == 302
    )
    response = client.post(
        url, {"opinion": [rude.pk], "withhold": [rude.pk], "text": "Se revisará el trazo."}
    )
    assert response.status_code == 400  # a withheld text needs its reason
    assert (
        client.post(
            url,
            {
                "opinion": [rude.pk],
                "withhold": [rude.pk],
                "reason": "Contiene insultos.",
                "text": "Se revisará el trazo.",
            },
        ).status_code
        == 302
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.answer_id == second.answer_id is not None
    page = Client().get(reverse("consultations:detail", args=[open_consultation.pk])).content.decode()
    assert "Falta la calle Morelos" in page and "Falta también la calle Allende" in page
    assert page.count("Las dos calles se incluyen en el trazo.") == 1
    assert "insultos a alguien" not in page
    assert "Opinión no publicada: Contiene insultos." in page
    # An opinion answered once cannot be answered again.
    assert client.post(url, {"opinion": [first.pk], "text": "Otra respuesta."}).status_code == 400


def test_a_citizen_or_an_analyst_cannot_answer(open_consultation, analyst):
    _opinion(Client(), open_consultation)
    url = reverse("consultations:staff-answer", args=[open_consultation.pk])
    opinion = Opinion.objects.get()
    assert Client().post(url, {"opinion": [opinion.pk], "text": "Respuesta."}).status_code == 302  # to login
    assert (
        _staff_client(analyst).post(url, {"opinion": [opinion.pk], "text": "Respuesta."}).status_code == 403
    )
    opinion.refresh_from_db()
    assert opinion.answer_id is None


def test_results_wait_for_the_close_and_for_every_answer_then_go_to_participants(
    open_consultation, planner_leon
):
    _opinion(Client(REMOTE_ADDR="10.2.0.1"), open_consultation, email="ana@example.org")
    _opinion(Client(REMOTE_ADDR="10.2.0.2"), open_consultation, email="ana@example.org")
    _opinion(Client(REMOTE_ADDR="10.2.0.3"), open_consultation)
    client = _staff_client(planner_leon)
    results_url = reverse("consultations:staff-results", args=[open_consultation.pk])
    text = {"results": "Se recibieron tres opiniones; el trazo se amplía a las calles pedidas."}
    assert client.post(results_url, text).status_code == 409  # still open
    close_window(open_consultation)
    response = client.post(results_url, text)
    assert response.status_code == 409
    assert "Faltan 3 opiniones" in response.content.decode()
    client.post(
        reverse("consultations:staff-answer", args=[open_consultation.pk]),
        {"opinion": list(Opinion.objects.values_list("pk", flat=True)), "text": "Se amplía el trazo."},
    )
    assert client.post(results_url, text).status_code == 302
    [message] = Message.objects.filter(purpose="consulta-resultados")  # one per address, not per opinion
    assert message.recipient == "ana@example.org"
    assert reverse("consultations:detail", args=[open_consultation.pk]) in message.body
    assert not Opinion.objects.exclude(email="").exists()  # collected for this one purpose
    assert client.post(results_url, text).status_code == 409  # only once
    page = Client().get(reverse("consultations:detail", args=[open_consultation.pk])).content.decode()
    assert "Devolución de resultados" in page and "el trazo se amplía" in page
    assert "Se amplía el trazo." in page


def test_past_consultations_stay_listed_with_their_answers(open_consultation, planner_leon):
    from consultations.actions import do_answer_opinions

    _opinion(Client(), open_consultation, text="Opinión que queda publicada para siempre.")
    do_answer_opinions(
        open_consultation, list(Opinion.objects.all()), text="Respuesta publicada.", acting_user=planner_leon
    )
    close_window(open_consultation, days_ago=200)
    listing = Client().get(reverse("consultations:list")).content.decode()
    assert open_consultation.title in listing.split("Pasadas")[1]
    page = Client().get(reverse("consultations:detail", args=[open_consultation.pk])).content.decode()
    assert "Opinión que queda publicada para siempre." in page
    assert "cerró el" in page and "Deje su opinión" not in page


def test_the_map_data_carries_the_zone_and_only_published_places(open_consultation, planner_leon):
    from consultations.actions import do_answer_opinions

    _opinion(Client(REMOTE_ADDR="10.3.0.1"), open_consultation, lon="-101.7", lat="21.1")
    _opinion(Client(REMOTE_ADDR="10.3.0.2"), open_consultation, lon="-101.6", lat="21.2")
    do_answer_opinions(
        open_consultation,
        [Opinion.objects.order_by("pk").first()],
        text="Respuesta.",
        acting_user=planner_leon,
    )
    response = Client().get(reverse("consultations:detail", args=[open_consultation.pk]))
    data = json.loads(
        response.content.decode()
        .split('id="consultation-data" type="application/json">')[1]
        .split("</script>")[0]
    )
    assert data["subject"]["type"] == "MultiPolygon"
    assert [f["geometry"]["coordinates"] for f in data["opinions"]["features"]] == [[-101.7, 21.1]]


def test_unknown_consultations_and_methods_are_4xx(open_consultation):
    assert Client().get("/consultas/999999/").status_code == 404
    assert Client().get(reverse("consultations:opinion", args=[open_consultation.pk])).status_code == 405


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", "/consultas/99999999999999999999999/", {}),
        ("post", "/consultas/99999999999999999999999/opinar", {"text": "Una opinión larga."}),
        ("get", "/seguir/?obra=99999999999999999999999", {}),
        ("get", "/seguir/?obra=²", {}),
        ("get", "/seguir/?municipio=%F0%9F%98%80", {}),
        ("get", "/seguir/confirmar/%F0%9F%98%80/", {}),
        ("get", "/seguir/baja/" + "a" * 500 + "/", {}),
    ],
)
def test_hostile_input_is_a_4xx_never_a_500(method, url, data):
    response = getattr(Client(), method)(url, data)
    assert 400 <= response.status_code < 500, (url, response.status_code)


@pytest.mark.parametrize(
    "fields",
    [
        {"lon": "1e999", "lat": "21"},
        {"lon": "-101.7", "lat": "-inf"},
        {"email": "a" * 300 + "@example.org"},
        {"text": "\x00" * 50},
    ],
)
def test_hostile_opinions_are_4xx(open_consultation, fields):
    response = _opinion(
        Client(), open_consultation, **{"text": "Una opinión suficientemente larga.", **fields}
    )
    assert response.status_code == 400


def test_staff_answer_with_hostile_ids_is_a_400(open_consultation, planner_leon):
    client = _staff_client(planner_leon)
    url = reverse("consultations:staff-answer", args=[open_consultation.pk])
    for value in ("99999999999999999999999", "²", "abc"):
        assert client.post(url, {"opinion": [value], "text": "Respuesta."}).status_code == 400


def _document_form(**extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {
        "title": "Reglamento de participación",
        "question": "¿Qué cambiaría del reglamento propuesto?",
        "subject": "DOCUMENT",
        "opens_on": timezone.localdate().isoformat(),
        "days": 20,
        "document": SimpleUploadedFile(
            "Reglamento 2027.pdf", b"%PDF-1.4\n% reglamento\n", content_type="application/pdf"
        ),
        **extra,
    }


def test_staff_consult_on_a_document_of_their_municipio_and_citizens_download_it(
    planner_leon, leon, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    client = _staff_client(planner_leon)
    response = client.post(reverse("consultations:staff-create"), _document_form(municipio=leon.cvegeo))
    assert response.status_code == 302, re.findall(r"<li>[^<]{0,200}</li>", response.content.decode())[:8]
    consultation = Consultation.objects.get()
    page = Client().get(reverse("consultations:detail", args=[consultation.pk])).content.decode()
    assert "Reglamento 2027.pdf" in page
    response = Client().get(reverse("consultations:document", args=[consultation.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.4")
    assert 'attachment; filename="Reglamento 2027.pdf"' in response["Content-Disposition"]


def test_a_document_consultation_needs_a_municipio_in_scope_and_an_accepted_format(
    planner_leon, xichu, tmp_path, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client = _staff_client(planner_leon)
    url = reverse("consultations:staff-create")
    assert client.post(url, _document_form()).status_code == 400  # no municipio: administrators only
    assert client.post(url, _document_form(municipio=xichu.cvegeo)).status_code == 400  # not León
    bad = SimpleUploadedFile("programa.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(url, _document_form(municipio=xichu.cvegeo, document=bad))
    assert response.status_code == 400
    assert not Consultation.objects.exists()
    assert list(tmp_path.rglob("*.*")) == []  # nothing half-written
    assert Client().get("/consultas/1/documento").status_code == 404


def test_the_pages_cost_the_same_queries_for_one_or_thirty_opinions(open_consultation, planner_leon):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from consultations.actions import do_answer_opinions

    def answered(n: int) -> None:
        for i in range(n):
            Opinion.objects.create(
                consultation=open_consultation,
                text=f"Opinión número {i} sobre la zona.",
                address_hash=f"h{i}",
            )
        pending = list(Opinion.objects.filter(answer__isnull=True))
        half = max(len(pending) // 2, 1)
        for group in (pending[:half], pending[half:]):
            if group:
                do_answer_opinions(
                    open_consultation, group, text="Respuesta agrupada.", acting_user=planner_leon
                )

    def cost(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(url).status_code == 200
        return len(queries)

    detail, listing = (
        reverse("consultations:detail", args=[open_consultation.pk]),
        reverse("consultations:list"),
    )
    answered(1)
    one = (cost(detail), cost(listing))
    answered(30)
    # detail: the consultation, the places, the answers and their opinions (2), two counts;
    # list: the three groups.
    assert (cost(detail), cost(listing)) == one
    assert one[0] <= 7 and one[1] <= 3
