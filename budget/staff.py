"""The staff page that loads a budget, income or transfer file (administrators only)."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from budget.access import may_load_budget
from budget.actions import do_load_budget
from budget.models import Kind
from budget.summaries import loads

UPLOAD_MAX = 200 * 1024 * 1024


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not may_load_budget(request.user):
        raise PermissionDenied(_("Solo un administrador carga el presupuesto."))
    context: dict = {"kinds": Kind.choices, "loads": loads()}
    if request.method == "POST":
        upload = request.FILES.get("archivo")
        kind = request.POST.get("tipo", "")
        if upload is None or kind not in Kind.values:
            context["error"] = _("Elija un archivo y su tipo (egresos, ingresos o transferencias).")
            return render(request, "budget/upload.html", context, status=400)
        if (upload.size or 0) > UPLOAD_MAX:
            context["error"] = _("El archivo pasa de 200 MB.")
            return render(request, "budget/upload.html", context, status=400)
        report = do_load_budget(
            upload.read(),
            upload.name or "archivo",
            kind,
            replace=request.POST.get("reemplazar") == "1",
            acting_user=request.user,
        )
        context.update(report=report, difference=report.difference(), chosen=kind, loads=loads())
        return render(request, "budget/upload.html", context, status=200 if report.committed else 400)
    return render(request, "budget/upload.html", context)
