"""Follows over real HTTP: consent, double opt-in, digests of real changes, unsubscribe, ARCO, privacy."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from consultations import follows, jobs
from consultations.models import ErasureRecord, Follow, Opinion, WorkEvent
from outbox.models import Message
from tests.actors import PASSWORD

pytestmark = pytest.mark.django_db
EMAIL = "vecino@example.org"


def _link(body: str, name: str) -> str:
    prefix = reverse(name, args=["TOKEN"]).removesuffix("TOKEN/")
    found = re.search(re.escape(prefix) + r"[A-Za-z0-9_-]+/", body)
    assert found, body
    return found.group(0)


def _follow(client: Client, **target) -> Follow:
    response = client.post(reverse("consultations:follow"), {"email": EMAIL, "consent": "on", **target})
    assert response.status_code == 200, response.content.decode()
    assert "Revise su correo" in response.content.decode()
    return Follow.objects.latest("pk")


def _confirm(client: Client, follow: Follow) -> None:
    message = Message.objects.get(
        purpose="seguimiento-confirmacion", dedupe_key=f"follow-confirm:{follow.pk}"
    )
    url = _link(message.body, "consultations:follow-confirm")
    assert client.get(url).status_code == 200  # a scanner opening the link confirms nothing
    follow.refresh_from_db()
    assert follow.confirmed_at is None
    assert "Listo" in client.post(url).content.decode()


def _digests() -> list[Message]:
    jobs.run_due(force=True)
    return list(Message.objects.filter(purpose="seguimiento-novedades").order_by("pk"))


def test_following_needs_consent_and_a_valid_email(work_well_xichu):
    client, url = Client(), reverse("consultations:follow")
    response = client.post(url, {"email": EMAIL, "obra": work_well_xichu.pk})
    assert response.status_code == 400 and "consentimiento" in response.content.decode()
    response = client.post(url, {"email": "no-correo", "consent": "on", "obra": work_well_xichu.pk})
    assert response.status_code == 400 and "correo válido" in response.content.decode()
    response = client.post(url, {"email": EMAIL, "consent": "on", "obra": work_well_xichu.pk, "website": "x"})
    assert response.status_code == 400
    assert not Follow.objects.exists() and not Message.objects.exists()


@pytest.mark.parametrize(
    "query", ["", "?obra=abc", "?obra=999999", "?municipio=99999", "?area=zzzz", "?obra=1&municipio=11020"]
)
def test_a_follow_of_nothing_or_of_something_unknown_is_a_400(query, leon):
    response = Client().get(reverse("consultations:follow") + query)
    assert response.status_code == 400


def test_an_unpublished_work_cannot_be_followed(unpublished_work_leon):
    response = Client().get(reverse("consultations:follow") + f"?obra={unpublished_work_leon.pk}")
    assert response.status_code == 400


def test_nothing_is_sent_until_the_follow_is_confirmed(work_well_xichu):
    from works_map.actions import do_update_work

    client = Client()
    follow = _follow(client, obra=work_well_xichu.pk)
    assert Message.objects.filter(purpose="seguimiento-confirmacion").count() == 1
    do_update_work(work_well_xichu, status="SUSPENDIDA")
    assert _digests() == []
    follow.refresh_from_db()
    assert follow.confirmed_at is None


def test_a_request_never_confirmed_is_deleted_after_a_week(work_well_xichu):
    import datetime as dt

    from django.utils import timezone

    client = Client()
    stale = _follow(client, obra=work_well_xichu.pk)
    fresh = _follow(Client(REMOTE_ADDR="10.8.0.1"), obra=work_well_xichu.pk)
    Follow.objects.filter(pk=stale.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    _digests()
    assert list(Follow.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_changes_of_status_progress_and_amounts_arrive_in_one_digest(work_well_xichu):
    from works_map.actions import do_record_progress, do_review_progress, do_update_work

    client = Client()
    follow = _follow(client, obra=work_well_xichu.pk)
    _confirm(client, follow)
    assert _digests() == []  # confirming is not a change
    do_update_work(work_well_xichu, status="SUSPENDIDA", amount_exercised=Decimal("1200000.00"))
    report = do_record_progress(
        work_well_xichu,
        reported_on=work_well_xichu.created_at.date(),
        physical_pct=Decimal("55"),
        financial_pct=Decimal("48"),
    )
    do_review_progress(report, approve=True)  # moves the progress without a Version row
    [digest] = _digests()
    assert digest.recipient == EMAIL
    assert "estatus: En ejecución → Suspendida" in digest.body
    assert "avance físico: 40.0 % → 55.0 %" in digest.body
    assert "monto ejercido: $1,000,000.00 → $1,200,000.00" in digest.body
    assert reverse("works_map:work", args=[work_well_xichu.pk]) in digest.body
    assert _link(digest.body, "consultations:unsubscribe").endswith(f"{follow.token}/")
    assert digest.payload["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Nothing new: nothing sent.
    assert len(_digests()) == 1


def test_a_change_unrelated_to_figures_sends_nothing(work_well_xichu):
    from works_map.actions import do_update_work

    client = Client()
    _confirm(client, _follow(client, obra=work_well_xichu.pk))
    do_update_work(work_well_xichu, name="Red de agua potable en Xichú (primera etapa)")
    assert _digests() == []


def test_a_municipio_follower_gets_one_digest_for_several_works(works_cluster_xichu, xichu, work_road_leon):
    from works_map.actions import do_update_work

    client = Client()
    _confirm(client, _follow(client, municipio=xichu.cvegeo))
    for work in works_cluster_xichu[:3]:
        do_update_work(work, amount_approved=work.amount_approved + Decimal("1000"))
    do_update_work(work_road_leon, status="ENTREGADA")  # in León: not followed
    [digest] = _digests()
    for work in works_cluster_xichu[:3]:
        assert work.folio in digest.body
    assert work_road_leon.folio not in digest.body


def test_an_area_follower_hears_of_works_inside_the_area(work_well_xichu, work_road_leon):
    from works_map import public_areas
    from works_map.actions import do_save_public_area, do_update_work

    square = {
        "type": "Polygon",
        "coordinates": [
            [[-100.1, 21.25], [-100.0, 21.25], [-100.0, 21.35], [-100.1, 21.35], [-100.1, 21.25]]
        ],
    }
    area, _created = do_save_public_area(public_areas.parse_area(square))
    client = Client()
    _confirm(client, _follow(client, area=area.code))
    do_update_work(work_well_xichu, status="TERMINADA")
    do_update_work(work_road_leon, status="ENTREGADA")
    [digest] = _digests()
    assert work_well_xichu.folio in digest.body and work_road_leon.folio not in digest.body


def test_a_published_answer_to_a_citizen_report_reaches_the_work_followers(work_well_xichu, work_road_leon):
    client = Client()
    _confirm(client, _follow(client, obra=work_well_xichu.pk))
    follows.notify_report_answer(
        work_well_xichu.pk, "La SOP revisó la fuga reportada y la reparó el 3 de diciembre."
    )
    follows.notify_report_answer(work_road_leon.pk, "Otra obra.")
    [digest] = _digests()
    assert "Respuesta publicada a un reporte ciudadano: La SOP revisó la fuga" in digest.body
    assert "Otra obra." not in digest.body


def test_an_answer_on_an_unpublished_work_is_not_recorded(unpublished_work_leon):
    assert follows.notify_report_answer(unpublished_work_leon.pk, "Respuesta.") is None
    assert not WorkEvent.objects.exists()


def test_one_click_unsubscribe_deletes_the_follow(work_well_xichu):
    client = Client()
    follow = _follow(client, obra=work_well_xichu.pk)
    _confirm(client, follow)
    url = reverse("consultations:unsubscribe", args=[follow.token])
    assert client.get(url).status_code == 200
    assert Follow.objects.filter(pk=follow.pk).exists()  # GET only shows the button
    # RFC 8058: the mail client's one-click POST carries no CSRF token.
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Follow.objects.filter(pk=follow.pk).exists()
    assert client.get(url).status_code == 404
    assert client.get(reverse("consultations:follow-confirm", args=["x" * 65])).status_code == 404


def test_follows_are_rate_limited_per_address_and_per_email(work_well_xichu):
    url = reverse("consultations:follow")
    for i in range(5):
        assert (
            Client(REMOTE_ADDR=f"10.9.0.{i}")
            .post(url, {"email": EMAIL, "consent": "on", "obra": work_well_xichu.pk})
            .status_code
            == 200
        )
    assert (
        Client(REMOTE_ADDR="10.9.1.1")
        .post(url, {"email": EMAIL.upper(), "consent": "on", "obra": work_well_xichu.pk})
        .status_code
        == 429
    )
    client = Client(REMOTE_ADDR="10.9.2.1")
    for i in range(10):
        assert (
            client.post(
                url, {"email": f"p{i}@example.org", "consent": "on", "obra": work_well_xichu.pk}
            ).status_code
            == 200
        )
    assert (
        client.post(
            url, {"email": "otra@example.org", "consent": "on", "obra": work_well_xichu.pk}
        ).status_code
        == 429
    )


def test_staff_erase_a_persons_data_on_request(work_well_xichu, planner_leon, open_consultation):
    client = Client()
    _follow(client, obra=work_well_xichu.pk)
    client.post(
        reverse("consultations:opinion", args=[open_consultation.pk]),
        {"text": "Una opinión con correo.", "email": EMAIL},
    )
    staff = Client()
    staff.login(username=planner_leon.username, password=PASSWORD)
    url = reverse("consultations:staff-erasure")
    assert Client().post(url, {"email": EMAIL}).status_code == 302  # to the login page
    assert staff.post(url, {"email": "no-correo"}).status_code == 400
    response = staff.post(url, {"email": EMAIL})
    assert response.status_code == 200
    assert not Follow.objects.exists()
    assert not Opinion.objects.exclude(email="").exists()
    assert Opinion.objects.count() == 1  # the opinion stays, without its address
    assert not Message.objects.filter(status="PENDING", recipient=EMAIL).exists()
    record = ErasureRecord.objects.get()
    assert (record.follows_deleted, record.opinions_erased, record.messages_deleted, record.done_by) == (
        1,
        1,
        1,
        planner_leon,
    )
    assert EMAIL not in str(vars(record))


def test_follower_emails_are_in_no_public_output(work_well_xichu, xichu, caplog):
    client = Client()
    _confirm(client, _follow(client, obra=work_well_xichu.pk))
    for url in (
        reverse("works_map:work", args=[work_well_xichu.pk]),
        f"/api/works/{work_well_xichu.pk}",
        "/api/works",
        "/api/export/works.csv",
        "/api/export/oc4ids.json",
        "/ogc/collections/works/items?f=json",
        reverse("consultations:list"),
        reverse("works_map:municipio", args=[xichu.cvegeo]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert EMAIL.encode() not in body, url
    assert EMAIL not in caplog.text


def test_work_municipio_and_area_pages_link_to_follow(work_well_xichu, xichu):
    page = Client().get(reverse("works_map:work", args=[work_well_xichu.pk])).content.decode()
    assert f"{reverse('consultations:follow')}?obra={work_well_xichu.pk}" in page
    page = Client().get(reverse("works_map:municipio", args=[xichu.cvegeo])).content.decode()
    assert f"{reverse('consultations:follow')}?municipio={xichu.cvegeo}" in page


def test_the_privacy_notice_is_public():
    page = Client().get(reverse("consultations:privacy")).content.decode()
    assert "LGPDPPSO" in page and "ARCO" in page
