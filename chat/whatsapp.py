"""WhatsApp Business Platform (Cloud API): the webhook's protocol and the outbox sender.

Inbound: Meta POSTs JSON notifications `{"object": "whatsapp_business_account", "entry": [{"changes":
[{"field": "messages", "value": {"metadata": …, "contacts": […], "messages": […] | "statuses": […]}}]}]}`
signed with `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app secret>`.
Outbound: `POST {WHATSAPP_API_BASE}/{WHATSAPP_PHONE_NUMBER_ID}/messages` with a bearer token; the
job worker sends (outbox.dispatch), never the webhook request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from chat import actions, engine
from chat.engine import Incoming, Reply
from outbox import senders
from outbox.models import Message

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
WINDOW = dt.timedelta(hours=24)  # the customer-service window after the person's last message
MAX_BODY = 4096  # WhatsApp's limit on a text message body
MAX_BUTTON_TITLE = 20
TIMEOUT_SECONDS = 10


class OutsideWindow(Exception):  # noqa: N818
    """A free-form message after the 24-hour window, with no approved template configured."""


# --- inbound -------------------------------------------------------------------------------------------


def signature_problem(raw: bytes, header: str | None) -> int | None:
    """None if the body is signed with the app secret; 401 if unsigned, 403 if mis-signed."""
    if not header:
        return 401
    secret = settings.WHATSAPP_APP_SECRET
    if not secret or not header.startswith("sha256="):
        return 403
    expected = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return None if hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower()) else 403


@dataclass
class InboundMessage:
    wamid: str
    phone: str
    sent_at: dt.datetime
    incoming: Incoming


@dataclass
class StatusUpdate:
    wamid: str
    status: str


class Malformed(ValueError):
    pass


def _incoming(message: dict[str, Any]) -> Incoming:
    kind = message.get("type")
    if kind == "text":
        return Incoming("text", text=str((message.get("text") or {}).get("body", ""))[:1000])
    if kind == "location":
        place = message.get("location") or {}
        try:
            return Incoming("location", lon=float(place["longitude"]), lat=float(place["latitude"]))
        except (KeyError, TypeError, ValueError):
            return Incoming("location")  # the engine answers that it could not read it
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        chosen = interactive.get("button_reply") or interactive.get("list_reply") or {}
        return Incoming("reply", text=str(chosen.get("id") or chosen.get("title") or "")[:200])
    if kind == "button":  # a quick-reply button of a template
        button = message.get("button") or {}
        return Incoming("reply", text=str(button.get("payload") or button.get("text") or "")[:200])
    return Incoming("unsupported")


def parse(payload: Any) -> tuple[list[InboundMessage], list[StatusUpdate]]:
    """The messages and status notifications of one webhook POST; Malformed if it is not one."""
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        raise Malformed("object debe ser whatsapp_business_account")
    entries = payload.get("entry")
    if not isinstance(entries, list):
        raise Malformed("falta entry")
    messages: list[InboundMessage] = []
    statuses: list[StatusUpdate] = []
    for entry in entries:
        changes = entry.get("changes") if isinstance(entry, dict) else None
        if not isinstance(changes, list):
            raise Malformed("falta entry[].changes")
        for change in changes:
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                raise Malformed("falta changes[].value")
            for message in value.get("messages") or []:
                if not isinstance(message, dict):
                    raise Malformed("messages[] no es un objeto")
                try:
                    wamid, phone = str(message["id"]), str(message["from"])
                    sent_at = dt.datetime.fromtimestamp(int(message["timestamp"]), tz=dt.UTC)
                except (KeyError, TypeError, ValueError, OverflowError, OSError):
                    raise Malformed("un mensaje necesita id, from y timestamp") from None
                if not phone.isdigit() or not (6 <= len(phone) <= 20) or not (0 < len(wamid) <= 128):
                    raise Malformed("from o id con formato inválido")
                messages.append(InboundMessage(wamid, phone, sent_at, _incoming(message)))
            for status in value.get("statuses") or []:
                if isinstance(status, dict) and status.get("id"):
                    statuses.append(StatusUpdate(str(status["id"])[:128], str(status.get("status", ""))[:20]))
    return messages, statuses


# --- outbound -----------------------------------------------------------------------------------------


def reply_payload(reply: Reply, to: str) -> dict[str, Any]:
    """The Graph API body for a reply: text, reply buttons (at most 3) or a location request."""
    body = reply.text[:MAX_BODY]
    base = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
    if reply.options:
        buttons = [
            {"type": "reply", "reply": {"id": option_id[:256], "title": title[:MAX_BUTTON_TITLE]}}
            for option_id, title in reply.options[:3]
        ]
        return {
            **base,
            "type": "interactive",
            "interactive": {"type": "button", "body": {"text": body[:1024]}, "action": {"buttons": buttons}},
        }
    if reply.ask_location:
        return {
            **base,
            "type": "interactive",
            "interactive": {
                "type": "location_request_message",
                "body": {"text": body[:1024]},
                "action": {"name": "send_location"},
            },
        }
    return {**base, "type": "text", "text": {"preview_url": False, "body": body}}


def template_payload(to: str, parameters: list[str]) -> dict[str, Any] | None:
    """An approved template (WHATSAPP_TEMPLATE_UPDATE) for outside the 24-hour window, or None."""
    name = settings.WHATSAPP_TEMPLATE_UPDATE
    if not name:
        return None
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": settings.WHATSAPP_TEMPLATE_LANGUAGE},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": p[:1000]} for p in parameters]}
            ],
        },
    }


def _post(body: dict[str, Any]) -> None:
    url = f"{settings.WHATSAPP_API_BASE}/{settings.WHATSAPP_PHONE_NUMBER_ID}/messages"
    request = urllib.request.Request(  # noqa: S310 - the configured Graph API base (https in production)
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {settings.WHATSAPP_TOKEN}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as error:
        if error.code == 429 or error.code >= 500:
            retry_after = error.headers.get("Retry-After", "")
            seconds = float(retry_after) if retry_after.isdigit() else 30.0
            raise senders.RetryLater(seconds, f"Graph API {error.code}") from None
        detail = error.read()[:300].decode("utf-8", "replace")
        raise RuntimeError(f"Graph API {error.code}: {detail}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        raise senders.RetryLater(30, f"Graph API no disponible ({type(error).__name__})") from None


@senders.register(CHANNEL)
def send(message: Message) -> None:
    """One outbox message to WhatsApp. payload: {"graph": <Graph API body without "to">,
    "window_until": ISO time the free-form message may be sent until, "template": [parameters]},
    or, for a message just received, {"inbound": …, "window_until": …}: the answer is computed on the
    first attempt and stored in place of the inbound message (a retry sends the same reply).
    Outside the window only the configured template goes out; without one, OutsideWindow."""
    payload = message.payload or {}
    if "inbound" in payload:
        payload = _answer(message)
    window_until = payload.get("window_until")
    inside = window_until is None or timezone.now() <= dt.datetime.fromisoformat(window_until)
    if inside:
        body = {**payload["graph"], "to": message.recipient}
    else:
        template = template_payload(message.recipient, list(payload.get("template") or []))
        if template is None:
            raise OutsideWindow("fuera de la ventana de 24 horas y sin plantilla configurada")
        body = template
    _post(body)


def enqueue_incoming(message: InboundMessage) -> Message | None:
    """Queue an answer to `message`: the worker runs the conversation (chat.engine) and sends."""
    from outbox import messages

    incoming = message.incoming
    payload = {
        "inbound": {"kind": incoming.kind, "text": incoming.text, "lon": incoming.lon, "lat": incoming.lat},
        "window_until": (message.sent_at + WINDOW).isoformat(),
    }
    return messages.enqueue(CHANNEL, message.phone, payload=payload, purpose="chat:reply")


def _answer(message: Message) -> dict[str, Any]:
    """The reply to a queued inbound message, stored over it: what the person wrote is kept only until
    the worker picks it up."""
    payload = dict(message.payload)
    inbound = payload.pop("inbound")
    who = actions.phone_hash(message.recipient)
    reply = engine.answer(
        who,
        Incoming(**inbound),
        channel=CHANNEL,
        phone=message.recipient,
        base_url=settings.SITE_URL,
    )
    graph = reply_payload(reply, "")
    graph.pop("to")
    payload["graph"] = graph
    Message.objects.filter(pk=message.pk).update(payload=payload, body=reply.text)
    message.payload, message.body = payload, reply.text
    log.info("whatsapp respuesta a %s: %s", who[:16], reply.intent)
    return payload


def enqueue_notice(
    text: str, phone: str, *, last_inbound_at, template: list[str], dedupe_key: str
) -> Message | None:
    graph = {"messaging_product": "whatsapp", "recipient_type": "individual", "type": "text"}
    graph["text"] = {"preview_url": False, "body": text[:MAX_BODY]}  # type: ignore[assignment]
    window_until = (last_inbound_at + WINDOW) if last_inbound_at else timezone.now() - dt.timedelta(seconds=1)
    return _enqueue(
        phone,
        graph=graph,
        window_until=window_until,
        dedupe_key=dedupe_key,
        purpose="chat:notice",
        body=text,
        template=template,
    )


def _enqueue(
    phone, *, graph, window_until, dedupe_key: str | None, purpose, body, template=None
) -> Message | None:
    from outbox import messages

    payload: dict[str, Any] = {"graph": graph, "window_until": window_until.isoformat()}
    if template is not None:
        payload["template"] = template
    return messages.enqueue(
        CHANNEL, phone, body=body, payload=payload, dedupe_key=dedupe_key, purpose=purpose
    )
