"""The chat's test kit: a fake Graph API (a real HTTP server on loopback that records every request
and answers from a script, e.g. 429 then 500 then 200), WhatsApp webhook payloads written from the
Cloud API's public format, and signing with the app secret."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

APP_SECRET = "app-secret-for-tests"  # noqa: S105 - a test secret
VERIFY_TOKEN = "verify-token-for-tests"  # noqa: S105 - a test token
PHONE = "5214771234567"
PHONE_ID = "109876543210"


@dataclass
class FakeGraph:
    url: str
    requests: list[dict] = field(default_factory=list)
    script: list[tuple[int, dict]] = field(default_factory=list)  # answers to give, in order; then 200

    def bodies(self) -> list[dict]:
        return [r["json"] for r in self.requests]


@pytest.fixture
def fake_graph(settings):
    state = FakeGraph(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            state.requests.append(
                {
                    "path": self.path,
                    "authorization": self.headers.get("Authorization"),
                    "json": json.loads(raw),
                }
            )
            status, body = state.script.pop(0) if state.script else (200, {})
            if status == 200 and not body:
                body = {
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": "x", "wa_id": "x"}],
                    "messages": [{"id": f"wamid.out{len(state.requests)}"}],
                }
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            if status == 429:
                self.send_header("Retry-After", "7")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/v21.0"
    settings.WHATSAPP_API_BASE = state.url
    settings.WHATSAPP_TOKEN = "token-for-tests"  # noqa: S105 - a test token
    settings.WHATSAPP_PHONE_NUMBER_ID = PHONE_ID
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def whatsapp_settings(settings):
    settings.WHATSAPP_APP_SECRET = APP_SECRET
    settings.WHATSAPP_VERIFY_TOKEN = VERIFY_TOKEN
    settings.SITE_URL = "https://obras.example.mx"
    return settings


def sign(raw: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def notification(*messages: dict, statuses: list[dict] | None = None) -> dict:
    """One webhook POST body: a WhatsApp Business Account entry with one "messages" change."""
    value: dict = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "524770000000", "phone_number_id": PHONE_ID},
    }
    if messages:
        value["contacts"] = [{"profile": {"name": "Ciudadana"}, "wa_id": messages[0]["from"]}]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA-1", "changes": [{"value": value, "field": "messages"}]}],
    }


_counter = iter(range(1, 10**9))


def _base(kind: str, *, wamid: str | None = None, at: float | None = None, phone: str = PHONE) -> dict:
    return {
        "from": phone,
        "id": wamid or f"wamid.TEST{next(_counter):08d}",
        "timestamp": str(int(at if at is not None else time.time())),
        "type": kind,
    }


def text_message(body: str, **kw) -> dict:
    return {**_base("text", **kw), "text": {"body": body}}


def location_message(lon: float, lat: float, **kw) -> dict:
    return {**_base("location", **kw), "location": {"latitude": lat, "longitude": lon, "name": "Casa"}}


def button_reply(reply_id: str, title: str, **kw) -> dict:
    return {
        **_base("interactive", **kw),
        "interactive": {"type": "button_reply", "button_reply": {"id": reply_id, "title": title}},
    }


def list_reply(reply_id: str, title: str, **kw) -> dict:
    return {
        **_base("interactive", **kw),
        "interactive": {
            "type": "list_reply",
            "list_reply": {"id": reply_id, "title": title, "description": ""},
        },
    }


def image_message(**kw) -> dict:
    return {**_base("image", **kw), "image": {"mime_type": "image/jpeg", "sha256": "abc", "id": "media-1"}}


def status_update(wamid: str, status: str = "delivered") -> dict:
    return {"id": wamid, "status": status, "timestamp": str(int(time.time())), "recipient_id": PHONE}


def post_signed(client, body: dict | bytes, *, signature: str | None = "auto"):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {}
    if signature == "auto":
        headers["HTTP_X_HUB_SIGNATURE_256"] = sign(raw)
    elif signature is not None:
        headers["HTTP_X_HUB_SIGNATURE_256"] = signature
    return client.post("/webhooks/whatsapp", data=raw, content_type="application/json", **headers)
