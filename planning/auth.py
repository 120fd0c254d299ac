"""Login with a throttle: after LOGIN_FAILURE_LIMIT failures for one username from one address, the
form refuses (HTTP 429) until LOGIN_FAILURE_WINDOW seconds pass. Used by /cuenta/entrar/ and the admin.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

LOCKED = "throttled"


def _key(request: HttpRequest | None, username: str) -> str:
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    digest = hashlib.sha256(f"{username.strip().casefold()}|{address}".encode()).hexdigest()[:32]
    return f"login-failures:{digest}"


def failures(request: HttpRequest | None, username: str) -> int:
    return int(cache.get(_key(request, username), 0))


def _count_failure(request: HttpRequest | None, username: str) -> None:
    key = _key(request, username)
    if cache.add(key, 1, settings.LOGIN_FAILURE_WINDOW):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, settings.LOGIN_FAILURE_WINDOW)


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


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if any(e.code == LOCKED for e in form.non_field_errors().as_data()):
            response.status_code = 429
        return response


class LogoutView(auth_views.LogoutView):
    pass
