"""HTTP helpers: RFC 9457 problem responses and database errors turned into clear 4xx/503."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.db import DataError, IntegrityError, OperationalError
from django.db.models import BaseConstraint
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)


def problem(status: int, detail: str, title: str | None = None, **extra) -> JsonResponse:
    body = {
        "type": "about:blank",
        "title": title or _("Solicitud inválida"),
        "status": status,
        "detail": detail,
    }
    body.update(extra)
    return JsonResponse(body, status=status, content_type="application/problem+json")


class ConstraintMessages:
    """Every model constraint's human message, by constraint name (one source: the models)."""

    @cached_property
    def by_name(self) -> dict[str, BaseConstraint]:
        found: dict[str, BaseConstraint] = {}
        for model in apps.get_models():
            for constraint in model._meta.constraints:
                found[constraint.name] = constraint
        return found

    def for_error(self, exc: Exception) -> str | None:
        cause = exc.__cause__
        diag = getattr(cause, "diag", None)
        name = getattr(diag, "constraint_name", None)
        if name and name in self.by_name:
            return str(self.by_name[name].get_violation_error_message())
        return None


constraint_messages = ConstraintMessages()


def describe_db_error(exc: Exception) -> str:
    """A message safe to show a user: the constraint's own text, or the database's first line.

    Only used for integrity/data errors, whose text names the rule broken, never row contents
    beyond what the user sent.
    """
    known = constraint_messages.for_error(exc)
    if known:
        return known
    cause = exc.__cause__
    diag = getattr(cause, "diag", None)
    primary = getattr(diag, "message_primary", None)
    if isinstance(exc, IntegrityError) and getattr(diag, "sqlstate", "") == "23505":
        return _("El registro ya existe (clave duplicada).")
    return primary or str(exc).splitlines()[0]


def is_statement_timeout(exc: Exception) -> bool:
    return getattr(getattr(exc.__cause__, "diag", None), "sqlstate", "") == "57014"


class DatabaseErrorMiddleware:
    """Last line of defence: a refused row is a 400 naming the rule, a timeout a 503, never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception):
        return database_error_response(request, exc)


def database_error_response(request: HttpRequest, exc: Exception) -> HttpResponse | None:
    """The problem response for a database refusal or timeout; None for any other exception."""
    if isinstance(exc, (IntegrityError, DataError)):
        return problem(400, describe_db_error(exc), title=_("Datos rechazados"))
    if isinstance(exc, OperationalError) and is_statement_timeout(exc):
        log.warning("statement timeout on %s", request.path)
        return problem(
            503,
            _("La consulta tardó demasiado y fue cancelada; acote el área o los filtros."),
            title=_("Servicio ocupado"),
        )
    return None


# --- Tiles ----------------------------------------------------------------------------------------

MVT_CONTENT_TYPE = "application/vnd.mapbox-vector-tile"


def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/ prefixes are ignored."""
    if header.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in header.split(","))


class TileResponse(HttpResponse):
    """A response that runs `on_close` when the WSGI server closes it: work that does not change
    the response, like storing a fresh tile in the cache. Servers that write before closing
    (gunicorn, uWSGI) run it after the last byte; Granian, the production server, runs it just
    before the response ends, so there the client waits for it (a Redis write, about 0.1 ms)."""

    on_close: Callable[[], None] | None = None

    def close(self) -> None:
        try:
            if self.on_close is not None:
                self.on_close()
        finally:
            super().close()


def tile_response(
    request: HttpRequest,
    body: bytes,
    etag: str,
    *,
    cache_control: str,
    content_type: str = MVT_CONTENT_TYPE,
    vary: str = "",
    on_close: Callable[[], None] | None = None,
) -> HttpResponse:
    """A tile with martin's semantics: 304 when the client holds it, 204 when it is empty,
    otherwise 200; always a strong ETag and an explicit Cache-Control."""
    if _etag_matches(request.headers.get("If-None-Match", ""), etag):
        response = TileResponse(status=304)
    elif not body:
        response = TileResponse(status=204)
    else:
        response = TileResponse(body, content_type=content_type)
        response["Content-Length"] = str(len(body))
    response.on_close = on_close
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    if vary:
        response["Vary"] = vary
    return response


class SpanishFirstLocaleMiddleware(LocaleMiddleware):
    """Spanish unless the visitor chose another language with the switch (cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; this site is Spanish
    first, and English is an explicit choice.
    """

    def process_request(self, request: HttpRequest) -> None:
        activate_chosen_language(request)


def activate_chosen_language(request: HttpRequest) -> None:
    """The language of the site's switch (a cookie), Spanish when none or an unknown one."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or settings.LANGUAGE_CODE
    try:
        language = translation.get_supported_language_variant(chosen)
    except LookupError:
        language = settings.LANGUAGE_CODE
    translation.activate(language)
    request.LANGUAGE_CODE = translation.get_language()
