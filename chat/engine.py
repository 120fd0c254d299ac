"""The conversation engine: one message in, one reply out, over the database. WhatsApp and the web
chat both call `answer`; neither keeps anything but the short-lived cursor (chat.models.Conversation)
and the per-day intent counts.

Intents, in the order they are tried: stop ("baja", "alto"), help, next page ("más"), consent
("sí"/"no" to a pending subscription), follow a work ("seguir FOLIO"), alerts near the last location
("avisarme"), priority zones, a postal code, a folio, then category words and places (municipio,
localidad) by trigram similarity. Anything else gets the short menu: never silence.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.geos import Point
from django.db import IntegrityError, connection, transaction
from django.db.models import Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chat import actions, search
from chat.models import Conversation
from gis_core.functions import GeogDistance, KnnDistance
from gis_core.geometry import GTO_BOUNDS
from priority_zones.models import Localidad, Municipio, Zone
from works_map.models import Work
from works_map.pages import postal_codes

PAGE = 5
NEAR_RADIUS_M = 25_000
# The columns an answer shows (never a geometry: a work's or, through a join, its municipio's).
LISTED = ("pk", "name", "status", "amount_approved", "amount_modified", "physical_progress")
MAX_PAGES = 10  # "más" stops after 50 works: the map is better for more
CURSOR_MINUTES = 30
FOLIO = re.compile(r"^(?=.*\d)[a-z0-9]+(?:[-/][a-z0-9]+)+$|^\d{1,4}$")
POSTAL_CODE = re.compile(r"^\d{5}$")
STOP_WORDS = {"baja", "alto", "stop", "cancelar", "darme de baja", "dar de baja"}
HELP_WORDS = {"ayuda", "menu", "hola", "inicio", "buenas", "buenos dias", "buenas tardes", "info", "?"}
NEXT_WORDS = {"mas", "siguientes", "ver mas", "otras", "mas obras"}
YES_WORDS = {"si", "acepto", "de acuerdo", "ok", "sale", "va"}
NO_WORDS = {"no", "no acepto", "cancelar"}
ZONE_WORDS = {"zonas prioritarias", "zonas", "zap", "zona prioritaria", "zonas de atencion prioritaria"}
FILLER = {
    "obra", "obras", "en", "de", "del", "la", "el", "los", "las", "que", "se", "hay", "cerca",
    "construye", "construyen", "quiero", "ver", "saber", "sobre", "por", "favor", "mi", "municipio",
    "localidad", "colonia", "comunidad", "me", "interesa", "informacion", "y", "a", "para", "con",
}  # fmt: skip
CONSENT_TEXT = (
    "Guardaremos tu número de WhatsApp solo para avisarte de cambios en las obras que sigas. "
    "Escribe «baja» en cualquier momento y lo borramos de inmediato; si no escribes en 12 meses, "
    "también se borra."
)


@dataclass
class Incoming:
    kind: str  # text | location | reply | unsupported
    text: str = ""
    lon: float | None = None
    lat: float | None = None


@dataclass
class Reply:
    text: str
    intent: str
    options: list[tuple[str, str]] = field(default_factory=list)  # (id, title): quick replies
    works: list[dict[str, Any]] = field(default_factory=list)  # for the web chat's links
    ask_location: bool = False


def menu_text() -> str:
    return _(
        "Puedo decirte qué obras se construyen cerca de ti.\n"
        "• Envía tu ubicación 📍\n"
        "• Escribe un municipio o localidad («obras en Xichú») o un código postal («37000»)\n"
        "• Un folio («SOP-2024-0123») o un tema («agua», «escuelas»)\n"
        "• «zonas prioritarias» · «seguir FOLIO» para recibir avisos · «baja» para dejar de recibirlos"
    )


MENU_OPTIONS = [("ayuda", "Ayuda"), ("zonas prioritarias", "Zonas prioritarias")]


def answer(
    key: str, message: Incoming, *, channel: str, phone: str | None = None, base_url: str = ""
) -> Reply:
    """The reply to one message of the conversation `key` (a hash; never the phone itself).
    `phone` is given only by WhatsApp, and only used if the person consents to a subscription.

    A location, the commonest message, costs three statements: the KNN query, the cursor upsert and
    the intent count (both tables UNLOGGED, so no commit waits for a WAL flush: migration 0003)."""
    now = timezone.now()
    cursor = None
    if message.kind != "location":  # a location starts a new cursor: nothing to read
        cursor = Conversation.objects.filter(key=key, expires_at__gt=now).first()
    reply = _dispatch(key, message, cursor, channel=channel, phone=phone, base_url=base_url, now=now)
    actions.count_intent(channel, reply.intent, now.date())
    if phone is not None and reply.intent != "stop":
        actions.touch_subscriber(key, now)
    return reply


def is_stop(message: Incoming) -> bool:
    return message.kind in ("text", "reply") and search.fold(message.text).strip(" .,;:!¡¿") in STOP_WORDS


def relaxed_commit() -> None:
    """This transaction's commit does not wait for its WAL flush (synchronous_commit=off for this
    transaction only). The webhook's transaction holds a message id already acknowledged to Meta and
    its queued reply: a database crash in the next fraction of a second (at most 3 x
    wal_writer_delay) can lose them, never half-write them; waiting for the flush cost 10-20 ms per
    message on a busy disk (benchmarks/bench_chat.py)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _dispatch(key, message: Incoming, cursor, *, channel, phone, base_url, now) -> Reply:
    if message.kind == "location":
        return near(key, message.lon, message.lat, cursor=None, base_url=base_url, now=now)
    if message.kind == "unsupported":
        return Reply(
            _("Por ahora solo entiendo texto y ubicaciones. ") + menu_text(),
            "unsupported",
            MENU_OPTIONS,
            ask_location=True,
        )
    raw = " ".join(message.text.replace("\x00", " ").split())[:300]  # PostgreSQL text holds no NUL
    text = search.fold(raw).strip(" .,;:!¡¿")
    if not text or text in HELP_WORDS:
        return Reply(menu_text(), "help", MENU_OPTIONS, ask_location=True)
    if text in STOP_WORDS:
        actions.forget(key, phone)
        return Reply(
            _(
                "Listo: dejaste de recibir avisos y borramos tu número. "
                "Puedes seguir preguntando cuando quieras."
            ),
            "stop",
        )
    if text in NEXT_WORDS:
        return next_page(key, cursor, base_url=base_url, now=now)
    if cursor is not None and cursor.pending and (text in YES_WORDS or text in NO_WORDS):
        return consent(key, cursor, accepted=text in YES_WORDS, phone=phone, base_url=base_url, now=now)
    if text.startswith("seguir"):
        return follow(key, text.removeprefix("seguir").strip(" #"), channel=channel, now=now)
    if text.startswith("avisarme") or text.startswith("avisame"):
        return alert_near(key, cursor, channel=channel, now=now)
    if text in ZONE_WORDS:
        return zones(cursor, base_url=base_url)
    if POSTAL_CODE.fullmatch(text):
        return postal_code(key, text, base_url=base_url, now=now)
    if FOLIO.fullmatch(text):
        return folio(text, base_url=base_url)
    return places_and_categories(key, text, base_url=base_url, now=now)


# --- answers -----------------------------------------------------------------------------------------


def _inside_state(lon: float, lat: float) -> bool:
    x0, y0, x1, y1 = GTO_BOUNDS
    return x0 <= lon <= x1 and y0 <= lat <= y1


def near(key, lon, lat, *, cursor, base_url, now, offset: int = 0) -> Reply:
    if lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return Reply(_("No pude leer esa ubicación. Envíala de nuevo con el botón 📍."), "bad_location")
    if not _inside_state(lon, lat):
        return Reply(
            _(
                "No hay obras registradas cerca de esa ubicación: Guanajuato está en el centro de México "
                "(entre León, Celaya y la Sierra Gorda). Envía una ubicación dentro del estado o "
                "escribe el nombre de un municipio."
            ),
            "outside",
            ask_location=True,
        )
    point = Point(lon, lat, srid=4326)
    found = nearest_works(point, offset + PAGE + 1)
    page, more = found[offset : offset + PAGE], len(found) > offset + PAGE
    _save_cursor(key, now, mode="near", point=point, offset=offset + PAGE)
    if not page:
        text = (
            _(
                "No hay obras publicadas a menos de %(km)s km de ese punto. "
                "Prueba con el nombre del municipio."
            )
            % {"km": NEAR_RADIUS_M // 1000}
            if offset == 0
            else _("No hay más obras cerca de ese punto.")
        )
        return Reply(text, "location" if offset == 0 else "next")
    head = _("Obras más cercanas:") if offset == 0 else _("Más obras cercanas:")
    intent = "location" if offset == 0 else "next"
    return _listing(head, page, more, base_url, intent, distance=True, start=offset + 1)


def nearest_works(point: Point, limit: int) -> list[Work]:
    """The `limit` published works nearest to `point` within NEAR_RADIUS_M, with `distance` (m): one
    index-driven KNN query (`<->` on the stored point) over a few more rows than asked, sorted by
    the true (geography) distance. Planar degrees and metres disagree by up to ~7 % between east and
    north here, so only near-ties at the page's edge could come out in another order than
    WorkQuerySet.nearest's exact two-query answer; a chat page does not need that exactness."""
    value = Value(point, output_field=GeometryField(srid=4326))
    rows = list(
        Work.objects.published()
        .only(*LISTED)
        .annotate(distance=GeogDistance("point", value))
        .order_by(KnnDistance("point", value))[: limit + 3]
    )
    rows.sort(key=lambda w: (w.distance, w.pk))  # type: ignore[attr-defined]
    return [w for w in rows if w.distance <= NEAR_RADIUS_M][:limit]  # type: ignore[attr-defined]


def _listing(
    head: str, works: list[Work], more: bool, base_url: str, intent: str, *, distance=False, start: int = 1
) -> Reply:
    lines = [head]
    for number, work in enumerate(works, start=start):
        lines.append(f"{number}. {work_line(work, base_url, distance=distance)}")
    options = []
    if more:
        lines.append(_("Escribe «más» para ver las siguientes."))
        options.append(("más", _("Ver más")))
    return Reply(
        "\n".join(lines), intent, options, works=[{"name": w.name, "url": _link(w, base_url)} for w in works]
    )


def _link(work: Work, base_url: str) -> str:
    return f"{base_url}{reverse('works_map:work', args=[work.pk])}"


def money(amount: Decimal | None) -> str:
    return f"${(amount or 0):,.0f}"


def metres(distance) -> str:
    value = float(getattr(distance, "m", distance))
    return f"{value:.0f} m" if value < 1000 else f"{value / 1000:.1f} km"


def work_line(work: Work, base_url: str, *, distance: bool = False) -> str:
    parts = [
        work.get_status_display(),  # type: ignore[attr-defined]
        money(work.current_amount),
        _("avance %(p)s %%") % {"p": f"{work.physical_progress:.0f}"},
    ]
    if distance and getattr(work, "distance", None) is not None:
        parts.append(_("a %(d)s") % {"d": metres(work.distance)})  # type: ignore[attr-defined]
    return f"{work.name}\n   {' · '.join(parts)}\n   {_link(work, base_url)}"


def _save_cursor(key: str, now, **fields) -> None:
    """The cursor replaced whole: one UPDATE, or an INSERT for a new conversation."""
    fields = {"mode": "", "point": None, "ref": None, "category": None, "offset": 0, "pending": "", **fields}
    fields["expires_at"] = now + dt.timedelta(minutes=CURSOR_MINUTES)
    if Conversation.objects.filter(key=key).update(**fields):
        return
    try:
        with transaction.atomic():  # a savepoint only inside the webhook's transaction
            Conversation.objects.create(key=key, **fields)
    except IntegrityError:  # the same conversation's other message created it meanwhile
        Conversation.objects.filter(key=key).update(**fields)


def next_page(key, cursor, *, base_url, now) -> Reply:
    if cursor is None or not cursor.mode:
        return Reply(
            _("Primero envía tu ubicación o escribe un municipio; luego «más» muestra las siguientes."),
            "next",
            ask_location=True,
        )
    if cursor.offset >= PAGE * MAX_PAGES:
        return Reply(_("Para ver más obras abre el mapa: %(url)s") % {"url": f"{base_url}/"}, "next")
    if cursor.mode == "near":
        return near(
            key,
            cursor.point.x,
            cursor.point.y,
            cursor=cursor,
            base_url=base_url,
            now=now,
            offset=cursor.offset,
        )
    return _place_page(
        key, cursor.mode, cursor.ref, cursor.category, offset=cursor.offset, base_url=base_url, now=now
    )


def _place_works(mode: str, ref: int | None, category: int | None):
    works = Work.objects.published().only(*LISTED)
    if mode == "municipio":
        works = works.filter(municipio_id=ref)
    elif mode == "localidad":
        works = works.filter(localidad_id=ref)
    if category is not None:
        # The cursor keeps the first matched category; its sub-categories come with it.
        works = works.filter(search_category_filter(category))
    # Newest registered first: the primary key's index walked backwards stops after a page, where an
    # order by year and amount sorted every work of León (tens of thousands at 1M works).
    return works.order_by("-pk")


def search_category_filter(category: int):
    from django.db.models import Q

    return Q(category_id=category) | Q(category__parent_id=category) | Q(category__parent__parent_id=category)


def _place_page(key, mode, ref, category, *, offset, base_url, now, title: str = "") -> Reply:
    works = _place_works(mode, ref, category)
    found = list(works[offset : offset + PAGE + 1])
    page, more = found[:PAGE], len(found) > PAGE
    _save_cursor(key, now, mode=mode, ref=ref, category=category, offset=offset + PAGE)
    if not page:
        return Reply(
            _("No hay más obras publicadas.") if offset else _("No encontré obras publicadas ahí."),
            "next" if offset else mode,
        )
    if offset == 0:
        # No count: even capped, counting a category's works state-wide cost more than the answer.
        head = _("%(title)s: obras publicadas, las registradas más recientemente:") % {"title": title}
        return _listing(head, page, more, base_url, mode)
    return _listing(_("Más obras:"), page, more, base_url, "next", start=offset + 1)


def postal_code(key, code: str, *, base_url, now) -> Reply:
    cvegeos = postal_codes().get(code, ())
    municipio = Municipio.objects.filter(cvegeo__in=cvegeos).order_by("name").only("pk", "name").first()
    if municipio is None:
        return Reply(
            _(
                "El código postal %(cp)s no es de Guanajuato. "
                "Escribe el nombre de tu municipio o envía tu ubicación."
            )
            % {"cp": code},
            "postal_code",
            ask_location=True,
        )
    title = _("C.P. %(cp)s (%(m)s)") % {"cp": code, "m": municipio.name}
    reply = _place_page(
        key, "municipio", municipio.pk, None, offset=0, base_url=base_url, now=now, title=title
    )
    reply.intent = "postal_code"
    # The postal-code table names municipios, not colonias: say so instead of pretending precision.
    reply.text += "\n" + _(
        "(Los códigos postales solo nos dicen el municipio; para tu colonia envía tu ubicación.)"
    )
    return reply


def _works_by_folio(text: str):
    works = (
        Work.objects.published()
        .select_related("municipio")
        .only(*LISTED, "folio", "fiscal_year", "municipio__name")
    )
    # As typed or upper-cased, the folio's unique index answers; only a partial folio scans.
    exact = list(works.filter(folio__in={text, text.upper()})[:5])
    if exact:
        return exact
    return list(works.filter(folio__iendswith=f"-{text}")[:5]) or list(
        works.filter(folio__icontains=text)[:5]
    )


def folio(text: str, *, base_url) -> Reply:
    found = _works_by_folio(text)
    if not found:
        return Reply(
            _("No encontré una obra publicada con el folio «%(f)s». Revisa el folio o escribe «ayuda».")
            % {"f": text.upper()},
            "folio",
        )
    if len(found) > 1:
        lines = [_("Hay varias obras con ese folio:")] + [
            f"• {w.folio} ({w.fiscal_year}): {w.name}" for w in found
        ]
        lines.append(_("Escribe el folio completo."))
        return Reply("\n".join(lines), "folio")
    work = found[0]
    text_out = "\n".join(
        [
            f"{work.name} ({work.folio}, {work.fiscal_year})",
            f"{work.municipio.name} · {work_line(work, base_url)}",
            _("Escribe «seguir %(f)s» para recibir un aviso cuando cambie.") % {"f": work.folio},
        ]
    )
    return Reply(
        text_out,
        "folio",
        [(f"seguir {work.folio}", _("Seguir obra"))],
        works=[{"name": work.name, "url": _link(work, base_url)}],
    )


def zones(cursor, *, base_url) -> Reply:
    published = Zone.objects.published()
    if cursor is not None and cursor.point is not None:
        here = list(published.filter(geom__intersects=cursor.point).order_by("-fiscal_year", "name")[:5])
        if here:
            lines = [_("Tu ubicación está en estas zonas prioritarias:")]
            lines += [
                f"• {z.name} ({z.get_kind_display()}, {z.fiscal_year}) "
                f"{base_url}{reverse('works_map:zone', args=[z.pk])}"
                for z in here
            ]
            return Reply("\n".join(lines), "zones")
    year = published.order_by("-fiscal_year").values_list("fiscal_year", flat=True).first()
    if year is None:
        return Reply(_("Todavía no hay zonas prioritarias publicadas."), "zones")
    from django.db.models import Count

    counts = published.filter(fiscal_year=year).values("kind").annotate(n=Count("pk")).order_by("kind")
    labels = dict(Zone.Kind.choices)
    lines = [_("Zonas prioritarias publicadas para %(y)s:") % {"y": year}]
    lines += [f"• {labels.get(row['kind'], row['kind'])}: {row['n']}" for row in counts]
    lines.append(
        _("Envía tu ubicación y escribe «zonas prioritarias» para saber si estás en una. Mapa: %(u)s")
        % {"u": f"{base_url}/"}
    )
    return Reply("\n".join(lines), "zones", ask_location=True)


def places_and_categories(key, text: str, *, base_url, now) -> Reply:
    words = [w for w in re.split(r"[^a-z0-9ñ]+", text) if w and w not in FILLER]
    category_ids: list[int] = []
    rest = []
    for word in words:
        found = search.find_categories(word) if not category_ids else []
        if found:
            category_ids = found
        else:
            rest.append(word)
    place = search.find_place(" ".join(rest)) if rest else None
    if place is None and len(rest) > 1:
        for word in rest:  # "obras en xichu porfa": the place may be one word among others
            place = search.find_place(word)
            if place is not None:
                break
    category = category_ids[0] if category_ids else None
    if place is not None:
        mode = "municipio" if isinstance(place, Municipio) else "localidad"
        title = f"{place.name}, {place.municipio.name}" if isinstance(place, Localidad) else place.name
        return _place_page(key, mode, place.pk, category, offset=0, base_url=base_url, now=now, title=title)
    if category is not None:
        cursor = Conversation.objects.filter(key=key).first()
        works = Work.objects.published().filter(category_id__in=category_ids)
        if cursor is not None and cursor.point is not None:
            page = list(works.only(*LISTED).nearest(cursor.point, NEAR_RADIUS_M, PAGE))
            if page:
                return _listing(
                    _("Obras de ese tema cerca de tu ubicación:"),
                    page,
                    False,
                    base_url,
                    "category",
                    distance=True,
                )
        reply = _place_page(
            key,
            "category",
            None,
            category,
            offset=0,
            base_url=base_url,
            now=now,
            title=_("En todo el estado"),
        )
        reply.intent = "category"
        return reply
    return Reply(
        _("No entendí «%(t)s».") % {"t": raw_excerpt(text)} + "\n" + menu_text(),
        "unknown",
        MENU_OPTIONS,
        ask_location=True,
    )


def raw_excerpt(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"


# --- subscriptions -----------------------------------------------------------------------------------


def _whatsapp_only() -> Reply:
    return Reply(
        _(
            "Los avisos llegan por WhatsApp: escribe «seguir FOLIO» a nuestro número. "
            "Aquí puedes consultar todo lo demás."
        ),
        "follow",
    )


def follow(key, text: str, *, channel, now) -> Reply:
    if channel != "whatsapp":
        return _whatsapp_only()
    if not text:
        return Reply(_("Escribe «seguir» y el folio de la obra, p. ej. «seguir SOP-2024-0123»."), "follow")
    found = _works_by_folio(text)
    if len(found) != 1:
        return Reply(
            _("No encontré una sola obra con el folio «%(f)s»; escribe el folio completo.")
            % {"f": text.upper()},
            "follow",
        )
    work = found[0]
    if actions.has_consent(key):
        actions.subscribe_work(key, work, now)
        return Reply(
            _("Listo: te avisaremos cuando cambie el estatus o el avance de «%(n)s».") % {"n": work.name},
            "follow",
        )
    _save_cursor(key, now, pending=f"follow:{work.pk}")
    return Reply(
        _(
            "Para avisarte sobre «%(n)s» necesitamos tu consentimiento.\n%(c)s\n"
            "¿Aceptas? Responde «sí» o «no»."
        )
        % {"n": work.name, "c": CONSENT_TEXT},
        "follow",
        [("sí", _("Sí, acepto")), ("no", _("No"))],
    )


def alert_near(key, cursor, *, channel, now) -> Reply:
    if channel != "whatsapp":
        return _whatsapp_only()
    if cursor is None or cursor.point is None:
        return Reply(
            _("Primero envía tu ubicación 📍 y luego escribe «avisarme»."), "area_alert", ask_location=True
        )
    if actions.has_consent(key):
        actions.subscribe_area(key, cursor.point, now)
        return Reply(
            _("Listo: te avisaremos de obras nuevas o con cambios a menos de 2 km de ese punto."),
            "area_alert",
        )
    _save_cursor(key, now, mode=cursor.mode, point=cursor.point, offset=cursor.offset, pending="area")
    return Reply(
        _(
            "Para avisarte de obras cerca de ese punto necesitamos tu consentimiento.\n%(c)s\n"
            "¿Aceptas? Responde «sí» o «no»."
        )
        % {"c": CONSENT_TEXT},
        "area_alert",
        [("sí", _("Sí, acepto")), ("no", _("No"))],
    )


def consent(key, cursor, *, accepted: bool, phone, base_url, now) -> Reply:
    pending = cursor.pending
    cursor.pending = ""
    cursor.save(update_fields=["pending"])
    if not accepted or phone is None:
        return Reply(_("De acuerdo, no guardamos tu número."), "consent")
    actions.record_consent(key, phone, CONSENT_TEXT, now)
    if pending == "area" and cursor.point is not None:
        actions.subscribe_area(key, cursor.point, now)
        return Reply(
            _("Gracias. Te avisaremos de obras nuevas o con cambios a menos de 2 km de ese punto."), "consent"
        )
    if pending.startswith("follow:"):
        work = Work.objects.published().filter(pk=int(pending.split(":", 1)[1])).first()
        if work is not None:
            actions.subscribe_work(key, work, now)
            return Reply(_("Gracias. Te avisaremos cuando cambie «%(n)s».") % {"n": work.name}, "consent")
    return Reply(_("Esa obra ya no está publicada; no hay nada que seguir."), "consent")
