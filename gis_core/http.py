"""HTTP helpers: RFC 9457 problem responses and database errors turned into clear 4xx/503."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.db.models import BaseConstraint
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import defaults

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


# Seconds a client should wait before retrying after a 503: a restarted PostgreSQL accepts
# connections again within a few seconds; a cancelled query may succeed once the load drops.
RETRY_AFTER_SECONDS = 5


class DatabaseErrorMiddleware:
    """Last line of defence: a refused row is a 400 naming the rule, a timeout or a lost database
    connection a 503 with Retry-After, never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception):
        return database_error_response(request, exc)


def unavailable(detail: str, title: str | None = None) -> JsonResponse:
    response = problem(503, detail, title=title or _("Servicio ocupado"))
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def database_error_response(request: HttpRequest, exc: BaseException) -> HttpResponse | None:
    """The problem response for a database refusal, timeout or outage; None for any other exception.

    OperationalError covers the server going away (restart, failover, "terminating connection due
    to administrator command", "connection refused") and InterfaceError a connection already closed
    on our side: both are temporary, so the client is told to retry rather than shown a 500."""
    if isinstance(exc, (IntegrityError, DataError)):
        return problem(400, describe_db_error(exc), title=_("Datos rechazados"))
    if isinstance(exc, OperationalError) and is_statement_timeout(exc):
        log.warning("statement timeout on %s", request.path)
        return unavailable(_("La consulta tardó demasiado y fue cancelada; acote el área o los filtros."))
    if isinstance(exc, (OperationalError, InterfaceError)):
        log.error("database unavailable on %s: %s", request.path, (str(exc).splitlines() or [""])[0])
        return unavailable(
            _("La base de datos no está disponible por el momento; intente de nuevo en unos segundos."),
            title=_("Servicio no disponible"),
        )
    return None


# --- Errors outside the views --------------------------------------------------------------------
# Django's handler400/403/404/500 answer HTML; on the machine-facing paths (settings.API_PATH_PREFIXES:
# the API, OGC API and tiles) a client expects the same RFC 9457 problem the views answer.


def is_api_path(request: HttpRequest) -> bool:
    return request.path_info.startswith(tuple(settings.API_PATH_PREFIXES))


def _html_or_problem(
    request: HttpRequest, status: int, detail: str, title: str, html_handler
) -> HttpResponse:
    if is_api_path(request):
        return problem(status, detail, title=title)
    return html_handler()


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400, or 413 when the body passed DATA_UPLOAD_MAX_MEMORY_SIZE (Django calls it a bad request)."""
    activate_chosen_language(request)
    if isinstance(exception, RequestDataTooBig):
        detail = _("El cuerpo de la solicitud pasa del máximo de %(mb)s MB.") % {
            "mb": round(settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024, 1)
        }
        if is_api_path(request):
            return problem(413, detail, title=_("Solicitud demasiado grande"))
        return HttpResponse(detail, status=413, content_type="text/plain; charset=utf-8")
    return _html_or_problem(
        request,
        400,
        _("La solicitud no es válida."),
        _("Solicitud inválida"),
        lambda: defaults.bad_request(request, exception),  # type: ignore[arg-type]
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    activate_chosen_language(request)
    return _html_or_problem(
        request,
        403,
        str(exception) if exception and str(exception) else _("Acceso denegado."),
        _("Acceso denegado"),
        lambda: defaults.permission_denied(request, exception),  # type: ignore[arg-type]
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    activate_chosen_language(request)
    return _html_or_problem(
        request,
        404,
        _("No existe el recurso %(path)s.") % {"path": request.path[:200]},
        _("No encontrado"),
        lambda: defaults.page_not_found(request, exception),  # type: ignore[arg-type]
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """500, unless the exception being handled is the database going away: then a 503 to retry.

    Django calls this from inside its `except` block, so the exception is still at hand; this
    catches what escapes the views' middleware (a session saved on a dropped connection, say)."""
    activate_chosen_language(request)
    exc = sys.exc_info()[1]
    if isinstance(exc, Exception) and (response := database_error_response(request, exc)) is not None:
        if response.status_code == 503 or is_api_path(request):
            return response
    return _html_or_problem(
        request,
        500,
        _("Error interno del servidor; quedó registrado."),
        _("Error interno"),
        lambda: defaults.server_error(request),
    )


# --- Shared caches (nginx, a CDN) ------------------------------------------------------------------


def shared_briefly(seconds: int | None = None) -> str:
    """Cache-Control of a public document that changes with the data (TileJSON, style, summaries):
    browsers revalidate every time (max-age=0), shared caches keep it `seconds` (s-maxage, read by
    nginx and the common CDNs) and may serve it stale for a day while the app is failing."""
    seconds = settings.EDGE_CACHE_SECONDS if seconds is None else seconds
    return f"public, max-age=0, s-maxage={seconds}, stale-if-error=86400"


# --- Requests no view should see ------------------------------------------------------------------

REFUSED_METHODS = ("TRACE", "TRACK", "CONNECT")


class RequestHygieneMiddleware:
    """Refuses, before any view or query runs: TRACE/CONNECT (405; nothing here echoes a request)
    and a NUL character in the query string (400 naming the parameter: PostgreSQL text cannot hold
    one, and psycopg's message would otherwise reach the client)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in REFUSED_METHODS:
            activate_chosen_language(request)
            response: HttpResponse = problem(
                405,
                _("Método %(m)s no admitido.") % {"m": request.method},
                title=_("Método no admitido"),
            )
            response["Allow"] = "GET, HEAD, OPTIONS, POST"
            return response
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                activate_chosen_language(request)
                shown = name.replace("\x00", "") or "?"
                return problem(
                    400,
                    _("«%(p)s» contiene un carácter nulo (NUL), que no se admite.") % {"p": shown},
                    parameter=shown,
                )
        return self.get_response(request)


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


def tile_answer(
    if_none_match: str,
    body: bytes,
    etag: str,
    *,
    cache_control: str,
    content_type: str = MVT_CONTENT_TYPE,
    vary: str = "",
) -> tuple[int, list[tuple[str, str]], bytes]:
    """A tile's status, headers and body with martin's semantics: 304 when the client holds it
    (If-None-Match), 204 when it is empty, otherwise 200; always a strong ETag and an explicit
    Cache-Control. Shared by tile_response and the WSGI path of layers.edgepath."""
    if _etag_matches(if_none_match, etag):
        status, body = 304, b""
    elif not body:
        status = 204
    else:
        status = 200
    headers = [("Content-Type", content_type)]
    if status == 200:
        headers.append(("Content-Length", str(len(body))))
    headers += [("ETag", etag), ("Cache-Control", cache_control)]
    if vary:
        headers.append(("Vary", vary))
    return status, headers, body


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
    """tile_answer as a response, which runs `on_close` when the server closes it."""
    status, headers, content = tile_answer(
        request.headers.get("If-None-Match", ""),
        body,
        etag,
        cache_control=cache_control,
        content_type=content_type,
        vary=vary,
    )
    response = TileResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    response.on_close = on_close
    # Data, never a document: no Content-Security-Policy nor frame options, whichever way the tile
    # comes (layers.middleware answers public tiles before those middlewares run; the view's tiles
    # go through them and are exempted here, so both carry the same headers). nosniff and the
    # referrer policy (SecurityMiddleware) stay.
    response._csp_exempt = True  # type: ignore[attr-defined]
    response.xframe_options_exempt = True  # type: ignore[attr-defined]
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
