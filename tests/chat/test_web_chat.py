"""The web chat's JSON endpoint: the same engine as WhatsApp, bad input answered 4xx, CSRF kept."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from chat.models import Conversation, Subscriber

URL = "/chat/mensaje"
CONVERSATION = "0123456789abcdef0123456789abcdef"


def post(client, data, **extra):
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return client.post(URL, data=raw, content_type="application/json", **extra)


def test_the_page_is_spanish_first_and_labelled(client, db):
    response = client.get("/chat/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="log"' in html and 'aria-live="polite"' in html and 'for="chat-input"' in html
    assert "Usar mi ubicación" in html and "<script>" not in html


def test_text_and_location_get_the_engine_answer(client, works_cluster_xichu):
    reply = post(client, {"conversation": CONVERSATION, "text": "obras en xichu"}).json()
    assert reply["intent"] == "municipio" and reply["reply"].startswith("Xichú: obras publicadas")
    assert len(reply["works"]) == 4 and reply["works"][0]["url"].startswith("/obras/")
    near = post(client, {"conversation": CONVERSATION, "lon": -100.05, "lat": 21.3}).json()
    assert near["intent"] == "location" and "Red de agua potable en Xichú" in near["reply"]
    # Only the hash of the tab's id is kept, with the cursor.
    assert not Conversation.objects.filter(key__contains=CONVERSATION).exists()
    assert Conversation.objects.count() == 1 and not Subscriber.objects.exists()


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"{nope", "Expecting"),
        (b"[]", "objeto JSON"),
        ({"text": "hola"}, "conversation"),
        ({"conversation": "short", "text": "hola"}, "conversation"),
        ({"conversation": CONVERSATION, "text": 5}, "text"),
        ({"conversation": CONVERSATION, "text": "x" * 501}, "text"),
        ({"conversation": CONVERSATION, "lon": "a", "lat": 21}, "lon"),
        ({"conversation": CONVERSATION, "lon": -101, "lat": 95}, "lat"),
        ({"conversation": CONVERSATION, "lon": True, "lat": 21}, "lon"),
    ],
)
def test_bad_input_is_a_400_problem_naming_it(client, db, body, detail):
    response = post(client, body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert detail in response.json()["detail"]


def test_an_oversize_message_is_413(client, db):
    response = post(client, {"conversation": CONVERSATION, "text": "x" * 5000})
    assert response.status_code == 413


def test_the_endpoint_keeps_csrf_protection(db):
    client = Client(enforce_csrf_checks=True)
    response = post(client, {"conversation": CONVERSATION, "text": "hola"})
    assert response.status_code == 403


def test_other_methods_are_405(client, db):
    assert client.get(URL).status_code == 405
    assert client.put("/webhooks/whatsapp").status_code == 405


def test_a_nul_character_or_odd_unicode_gets_an_answer_not_a_500(client, works_cluster_xichu):
    for text in ["xichu\u0000", "\u0000", "🏗️🏗️", "x" * 500, "' OR 1=1 --", "%_%"]:
        response = post(client, {"conversation": CONVERSATION, "text": text})
        assert response.status_code == 200, text
        assert response.json()["reply"]
