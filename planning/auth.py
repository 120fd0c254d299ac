"""Login with a throttle: after LOGIN_FAILURE_LIMIT failures for one username from one address, the
form refuses (HTTP 429) until LOGIN_FAILURE_WINDOW seconds pass. Used by /cuenta/entrar/ and the admin.

Failures are counted in the database (planning.models.LoginFailure), which a login needs anyway: a
cache outage cannot reset the count (fail closed), and with the database down no one logs in at all.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from planning.models import LoginFailure

LOCKED = "throttled"


def _key(request: HttpRequest | None, username: str) -> str:
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    return hashlib.sha256(f"{username.strip().casefold()}|{address}".encode()).hexdigest()


def _window_start() -> datetime:
    return timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)


def failures(request: HttpRequest | None, username: str) -> int:
    """Failures inside the window. Counted in the database, not the cache: with Redis down the
    cache forgets every count (django-redis ignores its errors), so the throttle would open."""
    row = LoginFailure.objects.filter(key=_key(request, username), first_at__gte=_window_start()).first()
    return row.failures if row is not None else 0


def _count_failure(request: HttpRequest | None, username: str) -> None:
    key, now, start = _key(request, username), timezone.now(), _window_start()
    with transaction.atomic():
        # Expired rows go first, so the counter below starts a fresh window.
        LoginFailure.objects.filter(first_at__lt=start).delete()
        counted = LoginFailure.objects.filter(key=key).update(failures=F("failures") + 1)
        if not counted:
            LoginFailure.objects.bulk_create(
                [LoginFailure(key=key, failures=1, first_at=now)],
                update_conflicts=True,
                unique_fields=["key"],
                update_fields=["failures"],
            )


class ThrottledMixin:
    request: HttpRequest | None

    def clean(self):
        username = self.data.get("username", "")  # type: ignore[attr-defined]
        if failures(self.request, username) >= settings.LOGIN_FAILURE_LIMIT:
            raise ValidationError(
                _("Demasiados intentos fallidos. Espere unos minutos antes de volver a intentar."),
                code=LOCKED,
            )
        try:
            return super().clean()  # type: ignore[misc]
        except ValidationError:
            _count_failure(self.request, username)
            raise


class ThrottledAuthenticationForm(ThrottledMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledMixin, AdminAuthenticationForm):
    pass


def is_locked(form) -> bool:
    return any(e.code == LOCKED for e in form.non_field_errors().as_data())


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if is_locked(form):
            response.status_code = 429
        return response


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's own login view, answering 429 when the throttle refuses, like the site's."""
    response = admin.site.login(request)
    form = (getattr(response, "context_data", None) or {}).get("form")
    if request.method == "POST" and form is not None and form.is_bound and is_locked(form):
        response.status_code = 429
    return response


class LogoutView(auth_views.LogoutView):
    pass
