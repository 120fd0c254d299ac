"""{% data_table table %}: a gis_core.tables.Table as the accessible HTML table under a chart.

Written in Python rather than as a template loop: a budget page shows hundreds of cells, and the
template engine spent most of the page's time on them. Every text is escaped here."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from gis_core.tables import Table
from works_map.templatetags.mx import mxn, mxnum

register = template.Library()
NUM = ' class="num"'


def _cell(kind: str, value) -> str:
    if kind == "money":
        return f'<td class="num">{escape(mxn(value, 0))}</td>'
    if kind == "integer":
        return f'<td class="num">{escape(mxnum(value))}</td>'
    if kind in ("decimal", "percent"):
        return f'<td class="num">{escape("—" if value is None else value)}</td>'
    return f"<td>{escape('' if value is None else value)}</td>"


@register.simple_tag
def data_table(table: Table) -> SafeString:
    head = "".join(
        f'<th scope="col"{NUM if c.kind != "text" else ""}>{escape(c.label)}</th>' for c in table.columns
    )
    body = []
    for row in table.rows:
        cells = [f'<th scope="row">{escape("" if row[0] is None else row[0])}</th>']
        cells += [_cell(c.kind, v) for c, v in zip(table.columns[1:], row[1:], strict=True)]
        body.append("<tr>" + "".join(cells) + "</tr>")
    title = escape(table.title)
    html = (
        f'<details class="chart-data"><summary>{escape(_("Ver los datos de la gráfica"))}</summary>'
        f'<div class="table-scroll" tabindex="0" role="region" aria-label="{title}">'
        f'<table class="data"><caption>{title}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div></details>"
    )
    return mark_safe(html)  # noqa: S308 - every text above is escaped
