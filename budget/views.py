"""The citizen budget pages (thin: parse the year, build through budget.pages, render or download)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from budget import pages, summaries
from budget.models import Kind
from gis_core import tables as tables_io
from gis_core.http import problem

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("html", "csv", "xlsx", "json")
_CODE = re.compile(r"[0-9.]{1,6}")


def _year(request: HttpRequest, kind: str, loaded: list[int]) -> int | HttpResponse | None:
    raw = request.GET.get("anio", "").strip()
    if not raw:
        return loaded[0] if loaded else None
    if not raw.isascii() or not raw.isdigit() or int(raw) not in loaded:
        return problem(
            400,
            _("«anio» debe ser un ejercicio cargado: %(y)s; se recibió %(v)s.")
            % {"y": ", ".join(map(str, loaded)) or "—", "v": raw[:12]},
            parameter="anio",
        )
    return int(raw)


def _params(request: HttpRequest) -> dict[str, str] | HttpResponse:
    out = {}
    for name in ("funcion", "capitulo", "concepto"):
        value = request.GET.get(name, "").strip()
        if value and not _CODE.fullmatch(value):
            return problem(
                400, _("«%(p)s» es una clave CONAC como 2.2 o 6100.") % {"p": name}, parameter=name
            )
        out[name] = value
    return out


def _download(request: HttpRequest, fmt: str, tables, name: str, title: str) -> HttpResponse:
    if fmt == "json":
        payload = {
            t.slug: {
                "title": t.title,
                "columns": [c.label for c in t.columns],
                "rows": [
                    ["" if v is None else (v if isinstance(v, (int, str)) else str(v)) for v in row]
                    for row in t.rows
                ],
            }
            for t in tables
        }
        return HttpResponse(json.dumps(payload, ensure_ascii=False), content_type="application/json")
    if fmt == "csv":
        wanted = request.GET.get("tabla", tables[0].slug)
        table = next((t for t in tables if t.slug == wanted), None)
        if table is None:
            return problem(
                400,
                _("«tabla» debe ser una de: %(t)s.") % {"t": ", ".join(t.slug for t in tables)},
                parameter="tabla",
            )
        response = HttpResponse(tables_io.to_csv(table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}-{table.slug}.csv"'
        return response
    body = tables_io.to_xlsx(tables, title, _("Presupuesto ciudadano de Guanajuato"), timezone.localtime())
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _format(request: HttpRequest) -> str | HttpResponse:
    fmt = request.GET.get("formato", "html")
    if fmt not in FORMATS:
        return problem(400, _("«formato» debe ser html, csv, xlsx o json."), parameter="formato")
    return fmt


@require_GET
def page(request: HttpRequest, slug: str) -> HttpResponse:
    spec = pages.PAGES.get(slug)
    if spec is None:
        raise Http404
    kind = {"ingresos": Kind.INCOME, "municipios": Kind.TRANSFERS}.get(slug, Kind.EXPENSE)
    loads = summaries.loads()
    years = [load.fiscal_year for load in loads if load.kind == kind]
    year = _year(request, kind, years)
    fmt = _format(request)
    params = _params(request)
    for answer in (year, fmt, params):
        if isinstance(answer, HttpResponse):
            return answer
    context: dict[str, Any] = {
        "page": spec,
        "year": year,
        "years": years,
        "loads": loads,
        "synthetic": any(load.synthetic for load in loads),
        "pages": pages.PAGES.values(),
        "tables": [],
    }
    if year is not None:
        built, tables = spec.build(year, params)  # type: ignore[arg-type]
        context.update(built, tables=tables)
        if fmt != "html":
            return _download(request, fmt, tables, f"presupuesto-{slug}-{year}", str(spec.title))  # type: ignore[arg-type]
    elif fmt != "html":
        return problem(404, _("No hay presupuesto cargado."), title=_("Sin datos"))
    return render(request, spec.template, context)


@require_GET
def program(request: HttpRequest, code: str) -> HttpResponse:
    year = _year(request, Kind.EXPENSE, summaries.years(Kind.EXPENSE))
    fmt = _format(request)
    for answer in (year, fmt):
        if isinstance(answer, HttpResponse):
            return answer
    found = pages.program_page(year, code) if year is not None else None  # type: ignore[arg-type]
    if found is None:
        raise Http404
    context, tables = found
    if fmt != "html":
        return _download(request, fmt, tables, f"programa-{code}-{year}", str(context["name"]))  # type: ignore[arg-type]
    return render(
        request,
        "budget/program.html",
        {"program": context, "year": year, "tables": tables, "pages": pages.PAGES.values()},
    )


@require_GET
def glossary(request: HttpRequest) -> HttpResponse:
    return render(request, "budget/glossary.html", {"pages": pages.PAGES.values(), "today": dt.date.today()})
