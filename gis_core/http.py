"""HTTP helpers: RFC 9457 problem responses and database errors turned into clear 4xx/503."""

from __future__ import annotations

import logging

from django.apps import apps
from django.db import DataError, IntegrityError, OperationalError
from django.db.models import BaseConstraint
from django.http import HttpRequest, JsonResponse
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
