"""The old address of the budget upload: staff now load budget files through the planning import
wizard (upload, columns, check, the write by the worker). Administrators only, as before."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from budget.access import may_load_budget

# The wizard's import targets for the three budget file kinds (planning.import_budget.TARGETS).
WIZARD_TARGETS = {
    "egresos": "budget_expense",
    "ingresos": "budget_income",
    "transferencias": "budget_transfers",
}


def upload(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not may_load_budget(request.user):
        raise PermissionDenied(_("Solo un administrador carga el presupuesto."))
    target = WIZARD_TARGETS.get(request.GET.get("tipo", ""), "budget_expense")
    return HttpResponseRedirect(f"{reverse('planning:import')}?{urlencode({'destino': target})}")
