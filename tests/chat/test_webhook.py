"""The WhatsApp Cloud API webhook through the real test client, and the replies through the outbox
to a fake Graph API on loopback (tests/chat/conftest.py)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time

import pytest
from django.utils import timezone

from chat.models import DeliveredMessage, IntentCount
from outbox import dispatch
from outbox.models import Message
from tests.chat.conftest import (
    PHONE,
    PHONE_ID,
    VERIFY_TOKEN,
    button_reply,
    image_message,
    list_reply,
    location_message,
    notification,
    post_signed,
    sign,
    status_update,
    text_message,
)

pytestmark = pytest.mark.usefixtures("whatsapp_settings")
WELL = (-100.05, 21.3)


def deliver_all():
    """What the worker does on each loop."""
    return dispatch.run_due()


# --- verification ---------------------------------------------------------------------------------------


def test_get_verification_echoes_the_challenge_with_the_right_token(client):
    response = client.get(
        "/webhooks/whatsapp",
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"},
    )
    assert response.status_code == 200 and response.content == b"1158201444"


def test_get_verification_refuses_a_wrong_token_and_a_missing_challenge(client):
    wrong = client.get(
        "/webhooks/whatsapp", {"hub.mode": "subscribe", "hub.verify_token": "x", "hub.challenge": "1"}
    )
    assert wrong.status_code == 403 and "hub.verify_token" in wrong.json()["detail"]
    missing = client.get("/webhooks/whatsapp", {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN})
    assert missing.status_code == 400


# --- refusals -------------------------------------------------------------------------------------------


def test_an_unsigned_post_is_401_and_a_mis_signed_one_403_logged_without_the_phone(client, db, caplog):
    body = notification(text_message("hola"))
    with caplog.at_level(logging.WARNING):
        unsigned = post_signed(client, body, signature=None)
        forged = post_signed(client, body, signature=sign(json.dumps(body).encode(), "another-secret"))
    assert unsigned.status_code == 401 and forged.status_code == 403
    assert "firma ausente" in caplog.text and "firma inválida" in caplog.text
    assert PHONE not in caplog.text
    assert not Message.objects.exists() and not DeliveredMessage.objects.exists()


def test_a_body_changed_after_signing_is_refused(client, db):
    raw = json.dumps(notification(text_message("hola"))).encode()
    response = post_signed(client, raw.replace(b"hola", b"hole"), signature=sign(raw))
    assert response.status_code == 403


def _with_messages(messages: list) -> bytes:
    value = {"messages": messages}
    return json.dumps(
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": value}]}]}
    ).encode()


@pytest.mark.parametrize(
    "raw, detail",
    [
        (b"{not json", "mal formada"),
        (json.dumps({"object": "page", "entry": []}).encode(), "whatsapp_business_account"),
        (json.dumps({"object": "whatsapp_business_account"}).encode(), "falta entry"),
        (_with_messages([{"id": "x"}]), "id, from y timestamp"),
        (_with_messages([{"id": "w", "from": "+52 477", "timestamp": "1"}]), "formato inválido"),
        (b"[1, 2]", "whatsapp_business_account"),
        ("{\"object\": \"\u00e9\"}".encode("latin-1"), "mal formada"),
    ],
)  # fmt: skip
def test_malformed_signed_payloads_are_400_naming_the_problem(client, db, raw, detail):
    response = post_signed(client, raw)
    assert response.status_code == 400
    assert detail in response.json()["detail"]


def test_an_oversize_payload_is_413_before_its_signature_is_checked(client, db):
    raw = json.dumps(notification(text_message("x" * 300_000))).encode()
    response = post_signed(client, raw)
    assert response.status_code == 413


def test_a_replayed_old_signed_payload_is_refused_by_its_timestamp(client, db, fake_graph):
    old = notification(text_message("hola", at=time.time() - 3600))
    response = post_signed(client, old)
    assert response.status_code == 403 and "ventana" in response.json()["detail"]
    future = notification(text_message("hola", at=time.time() + 3600))
    assert post_signed(client, future).status_code == 403
    assert not Message.objects.exists()


# --- answers --------------------------------------------------------------------------------------------


def test_a_text_message_is_acknowledged_at_once_and_answered_by_the_worker(client, fake_graph, db):
    response = post_signed(client, notification(text_message("ayuda")))
    assert response.status_code == 200 and response.json()["received"] == 1
    assert fake_graph.requests == []  # nothing was sent inside the webhook request
    queued = Message.objects.get()
    assert queued.channel == "whatsapp" and queued.status == Message.Status.PENDING
    assert queued.payload["inbound"]["text"] == "ayuda"  # the worker, not the webhook, runs the engine
    assert not IntentCount.objects.exists()
    assert deliver_all() == 1
    [request] = fake_graph.requests
    assert request["path"] == f"/v21.0/{PHONE_ID}/messages"
    assert request["authorization"] == "Bearer token-for-tests"
    body = request["json"]
    assert body["messaging_product"] == "whatsapp" and body["to"] == PHONE
    assert body["type"] == "interactive" and body["interactive"]["type"] == "button"
    assert "Envía tu ubicación" in body["interactive"]["body"]["text"]
    assert [b["reply"]["id"] for b in body["interactive"]["action"]["buttons"]] == [
        "ayuda",
        "zonas prioritarias",
    ]
    sent = Message.objects.get()
    assert sent.status == Message.Status.SENT and sent.recipient == ""  # the number is erased once sent
    assert "inbound" not in sent.payload  # what the person wrote is replaced by the answer


def test_a_location_is_answered_with_the_nearest_works_and_mas_by_button(
    client, fake_graph, works_cluster_xichu
):
    post_signed(client, notification(location_message(*WELL)))
    post_signed(client, notification(button_reply("más", "Ver más")))
    deliver_all()
    first, second = fake_graph.bodies()
    assert first["type"] == "text"
    text = first["text"]["body"]
    assert text.startswith("Obras más cercanas:\n1. Red de agua potable en Xichú")
    assert "https://obras.example.mx/obras/" in text and "a 0 m" in text
    assert second["type"] == "text" and "No hay más obras" in second["text"]["body"]


def test_a_list_reply_is_read_like_text(client, fake_graph, work_well_xichu):
    post_signed(client, notification(list_reply("XIC-2026-001", "Pozo")))
    deliver_all()
    [body] = fake_graph.bodies()
    assert "Red de agua potable en Xichú (XIC-2026-001, 2026)" in body["interactive"]["body"]["text"]


def test_a_template_quick_reply_button_is_read_like_text(client, fake_graph, db):
    message = {
        "from": PHONE,
        "id": "wamid.BUTTON1",
        "timestamp": str(int(time.time())),
        "type": "button",
        "button": {"payload": "baja", "text": "Dejar de recibir avisos"},
    }
    post_signed(client, notification(message))
    deliver_all()
    [body] = fake_graph.bodies()
    assert "borramos tu número" in body["text"]["body"]


def test_coordinates_outside_guanajuato_get_a_clear_answer(client, fake_graph, work_well_xichu):
    post_signed(client, notification(location_message(-99.13, 19.43)))
    deliver_all()
    [body] = fake_graph.bodies()
    assert body["interactive"]["type"] == "location_request_message"
    assert "Guanajuato está" in body["interactive"]["body"]["text"]


def test_an_unknown_message_type_is_answered_politely(client, fake_graph, db):
    post_signed(client, notification(image_message()))
    deliver_all()
    [body] = fake_graph.bodies()
    assert "solo entiendo texto y ubicaciones" in body["interactive"]["body"]["text"]


def test_a_duplicated_delivery_is_answered_once(client, fake_graph, db):
    message = text_message("hola", wamid="wamid.SAME")
    assert post_signed(client, notification(message)).json()["received"] == 1
    again = post_signed(client, notification(message))
    assert again.status_code == 200 and again.json() == {"received": 0, "duplicates": 1, "stale": 0}
    deliver_all()
    assert len(fake_graph.requests) == 1
    assert IntentCount.objects.get(intent="help").count == 1


def test_status_notifications_are_counted_and_never_answered(client, fake_graph, db):
    response = post_signed(
        client, notification(statuses=[status_update("wamid.out1"), status_update("wamid.out2", "read")])
    )
    assert response.status_code == 200
    deliver_all()
    assert fake_graph.requests == []
    assert dict(IntentCount.objects.values_list("intent", "count")) == {
        "status:delivered": 1,
        "status:read": 1,
    }


def test_the_sender_backs_off_on_429_and_500_then_delivers(client, fake_graph, db):
    fake_graph.script = [(429, {"error": {"code": 130429}}), (500, {"error": {"code": 1}})]
    post_signed(client, notification(text_message("ayuda")))
    assert deliver_all() == 1
    first = Message.objects.get()
    assert first.status == Message.Status.PENDING and "429" in first.last_error
    assert first.next_attempt_at >= timezone.now() + dt.timedelta(seconds=6)  # Retry-After: 7
    assert PHONE not in first.last_error
    Message.objects.update(next_attempt_at=timezone.now())
    deliver_all()
    second = Message.objects.get()
    assert second.status == Message.Status.PENDING and "500" in second.last_error
    Message.objects.update(next_attempt_at=timezone.now())
    deliver_all()
    assert Message.objects.get().status == Message.Status.SENT
    assert (
        len(fake_graph.requests) == 3
        and len({json.dumps(b, sort_keys=True) for b in fake_graph.bodies()}) == 1
    )


def test_outside_the_24_hour_window_only_the_configured_template_goes(client, fake_graph, db, settings):
    post_signed(client, notification(text_message("ayuda")))
    message = Message.objects.get()
    message.payload["window_until"] = (timezone.now() - dt.timedelta(minutes=1)).isoformat()
    message.payload["template"] = ["Pozo", "Terminada", "100"]
    message.save()
    deliver_all()
    assert fake_graph.requests == [] and "24 horas" in Message.objects.get().last_error
    settings.WHATSAPP_TEMPLATE_UPDATE = "aviso_obra"
    Message.objects.update(next_attempt_at=timezone.now())
    deliver_all()
    [body] = fake_graph.bodies()
    assert body["type"] == "template" and body["template"]["name"] == "aviso_obra"
    assert body["template"]["language"] == {"code": "es_MX"}
    assert [p["text"] for p in body["template"]["components"][0]["parameters"]] == [
        "Pozo",
        "Terminada",
        "100",
    ]


def test_the_webhook_logs_only_the_hash_of_the_phone(client, fake_graph, db, caplog):
    with caplog.at_level(logging.DEBUG):
        post_signed(client, notification(text_message("ayuda")))
        deliver_all()
    assert caplog.text and PHONE not in caplog.text
