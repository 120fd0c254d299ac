"""The chat's HTTP faces: the WhatsApp Cloud API webhook and the web chat (page + JSON endpoint)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chat import engine, inbound, whatsapp
from gis_core.http import problem

log = logging.getLogger(__name__)

MAX_WEBHOOK_BYTES = 256 * 1024  # Meta's notifications are a few KB; anything near this is not one
MAX_WEB_BYTES = 4 * 1024


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _verify(request)
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_WEBHOOK_BYTES:
        return problem(
            413,
            _("La notificación excede %(n)s bytes.") % {"n": MAX_WEBHOOK_BYTES},
            title=_("Demasiado grande"),
        )
    raw = request.body
    refused = whatsapp.signature_problem(raw, request.headers.get("X-Hub-Signature-256"))
    if refused is not None:
        log.warning(
            "whatsapp webhook: firma %s desde %s (%d bytes)",
            "ausente" if refused == 401 else "inválida",
            request.META.get("REMOTE_ADDR", "?"),
            len(raw),
        )
        detail = (
            _("Falta la firma X-Hub-Signature-256.")
            if refused == 401
            else _("Firma X-Hub-Signature-256 inválida.")
        )
        return problem(refused, detail, title=_("Firma rechazada"))
    try:
        payload = json.loads(raw)
        messages, statuses = whatsapp.parse(payload)
    except (ValueError, UnicodeDecodeError) as error:
        return problem(400, _("Notificación de WhatsApp mal formada: %(e)s") % {"e": str(error)[:120]})
    outcome = inbound.receive(messages, statuses, now=timezone.now())
    if messages and outcome.stale == len(messages):
        return problem(
            403,
            _("Mensajes fuera de la ventana de %(s)s s: se rechaza la repetición.")
            % {"s": settings.WHATSAPP_REPLAY_WINDOW_SECONDS},
            title=_("Notificación vencida"),
        )
    return JsonResponse(
        {"received": outcome.accepted, "duplicates": outcome.duplicates, "stale": outcome.stale}
    )


def _verify(request: HttpRequest) -> HttpResponse:
    mode = request.GET.get("hub.mode", "")
    token = request.GET.get("hub.verify_token", "")
    challenge = request.GET.get("hub.challenge", "")
    expected = settings.WHATSAPP_VERIFY_TOKEN
    if mode != "subscribe" or not challenge:
        return problem(400, _("Se esperan hub.mode=subscribe y hub.challenge."))
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        log.warning(
            "whatsapp webhook: verificación con token incorrecto desde %s",
            request.META.get("REMOTE_ADDR", "?"),
        )
        return problem(403, _("hub.verify_token no coincide."), title=_("Verificación rechazada"))
    return HttpResponse(challenge[:200], content_type="text/plain")


# --- web chat -------------------------------------------------------------------------------------------


@require_GET
@ensure_csrf_cookie
def chat_page(request: HttpRequest) -> HttpResponse:
    return render(request, "chat/chat.html", {"greeting": engine.menu_text()})


def _number(value, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(_("«%(p)s» debe ser un número.") % {"p": name})
    if not low <= value <= high:
        raise ValueError(_("«%(p)s» debe estar entre %(a)s y %(b)s.") % {"p": name, "a": low, "b": high})
    return float(value)


@require_POST
def chat_message(request: HttpRequest) -> HttpResponse:
    """{"conversation": "<random id of the browser tab>", "text": "…"} or {…, "lon": x, "lat": y}."""
    if len(request.body) > MAX_WEB_BYTES:
        return problem(413, _("El mensaje es demasiado largo."), title=_("Demasiado grande"))
    try:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise ValueError(_("Se espera un objeto JSON."))
        conversation = data.get("conversation")
        if not isinstance(conversation, str) or not 8 <= len(conversation) <= 64:
            raise ValueError(_("«conversation» debe ser un identificador de 8 a 64 caracteres."))
        if "lon" in data or "lat" in data:
            message = engine.Incoming(
                "location",
                lon=_number(data.get("lon"), "lon", -180, 180),
                lat=_number(data.get("lat"), "lat", -90, 90),
            )
        else:
            text = data.get("text")
            if not isinstance(text, str) or len(text) > 500:
                raise ValueError(_("«text» debe ser texto de hasta 500 caracteres."))
            message = engine.Incoming("text", text=text)
    except ValueError as error:  # json.JSONDecodeError is a ValueError
        return problem(400, str(error)[:200])
    key = hashlib.sha256(f"web:{conversation}".encode()).hexdigest()
    reply = engine.answer(key, message, channel="web", base_url="")
    return JsonResponse(
        {
            "reply": reply.text,
            "intent": reply.intent,
            "options": [{"id": i, "title": t} for i, t in reply.options],
            "works": reply.works,
            "ask_location": reply.ask_location,
        }
    )
