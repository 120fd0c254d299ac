"""The budget's server-drawn SVG: the bar charts come from works_map.charts; here the money labels in
mil millones, the grouped bars of the moments by quarter, and the map of municipios (a choropleth
or a program's works as dots) drawn from PostGIS's ST_AsSVG paths, with no script."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from works_map.charts import GRID, INK, MUTED, _svg, _text

# Guanajuato's extent in lon/lat, with a margin; ST_AsSVG writes y as -lat.
VIEW = (-102.15, -21.9, 2.6, 2.05)
# Five classes, light to dark, readable by people with deuteranopia (a single blue hue).
CLASSES = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
NO_DATA = "#e0e0e0"
MOMENT_COLOURS = ("#9aa5b1", "#52606d", "#1d5e8c", "#2f8f5b", "#b3440a", "#7a3e9d")


def money_short(value) -> str:
    number = Decimal(value or 0)
    if abs(number) >= 1_000_000_000:
        return _("$%(v)s mil M") % {"v": f"{number / 1_000_000_000:,.1f}"}
    if abs(number) >= 1_000_000:
        return f"${number / 1_000_000:,.1f} M"
    return f"${number:,.0f}"


def grouped_bars(
    groups: Sequence[tuple[str, Sequence[Decimal]]], series: Sequence[str], title: str, desc: str
) -> SafeString:
    """One group of vertical bars per label (a quarter), one bar per series (a moment), with a legend."""
    width, height, left, bottom, legend_h = 420, 260, 4, 24, 22 * ((len(series) + 2) // 3)
    top = max((float(v) for _l, values in groups for v in values), default=0.0) or 1.0
    plot_h = height - bottom - legend_h - 8
    slot = (width - 2 * left) / max(len(groups), 1)
    bar_w = slot * 0.8 / max(len(series), 1)
    body = []
    for i, name in enumerate(series):
        x, y = (i % 3) * 140, 4 + (i // 3) * 22
        body.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{MOMENT_COLOURS[i]}"/>')
        body.append(_text(x + 16, y + 11, name, size=12))
    base = height - bottom
    body.append(f'<line x1="{left}" y1="{base}" x2="{width - left}" y2="{base}" stroke="{GRID}"/>')
    for g, (label, values) in enumerate(groups):
        x0 = left + g * slot + slot * 0.1
        for i, value in enumerate(values):
            h = plot_h * float(value) / top
            body.append(
                f'<rect x="{x0 + i * bar_w:.1f}" y="{base - h:.1f}" width="{bar_w * 0.9:.1f}" '
                f'height="{max(h, 1):.1f}" fill="{MOMENT_COLOURS[i]}"/>'
            )
        body.append(_text(x0 + slot * 0.4, base + 17, label, anchor="middle", size=13))
    return _svg(width, height, title, desc, body)


def _frame(title: str, desc: str, body: list[str], legend: list[str]) -> SafeString:
    x, y, w, h = VIEW
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{x} {y} {w} {h + 0.58}" role="img" '
        f'class="chart map" '
        f'preserveAspectRatio="xMidYMid meet"><title>{escape(title)}</title><desc>{escape(desc)}</desc>'
    )
    return mark_safe(head + "".join(body) + "".join(legend) + "</svg>")  # noqa: S308 - text escaped


def _legend(entries: Sequence[tuple[str, str]]) -> list[str]:
    x, y, _w, h = VIEW
    out = []
    for i, (colour, label) in enumerate(entries):
        cx = x + 0.05 + (i % 2) * 1.3
        cy = y + h + 0.05 + (i // 2) * 0.17
        out.append(
            f'<rect x="{cx:.3f}" y="{cy:.3f}" width="0.1" height="0.1" fill="{colour}" stroke="{INK}" '
            f'stroke-width="0.004"/>'
        )
        out.append(
            f'<text x="{cx + 0.13:.3f}" y="{cy + 0.09:.3f}" font-size="0.095" fill="{INK}">'
            f"{escape(label)}</text>"
        )
    return out


def quintiles(values: Sequence[Decimal]) -> list[Decimal]:
    ordered = sorted(values)
    if not ordered:
        return []
    return [ordered[min(len(ordered) - 1, (len(ordered) * k) // 5)] for k in range(1, 5)]


def choropleth(rows: Sequence[dict], value_key: str, title: str, desc: str, shown) -> SafeString:
    """Municipios coloured by quintile of `value_key` (None: grey); each has its name and value as a
    <title>, so a pointer or screen reader gets the figure."""
    values = [r[value_key] for r in rows if r[value_key] is not None]
    breaks = quintiles(values)
    body = []
    for r in rows:
        value = r[value_key]
        if value is None or not breaks:
            colour = NO_DATA
        else:
            colour = CLASSES[sum(1 for b in breaks if value > b)]
        body.append(
            f'<path d="{escape(r["svg"])}" fill="{colour}" stroke="{INK}" stroke-width="0.004">'
            f"<title>{escape(r['name'])}: {escape(shown(value))}</title></path>"
        )
    legend = []
    if breaks:
        lows = [min(values), *breaks]
        highs = [*breaks, max(values)]
        legend = _legend([(CLASSES[i], f"{shown(lows[i])} – {shown(highs[i])}") for i in range(5)])
    return _frame(title, desc, body, legend)


def dots(
    outlines: Sequence[dict], points: Sequence[tuple[float, float, str]], title: str, desc: str
) -> SafeString:
    """Municipio outlines and one dot per (lon, lat, label)."""
    body = [
        f'<path d="{escape(r["svg"])}" fill="#f5f7fa" stroke="{MUTED}" stroke-width="0.004"/>'
        for r in outlines
    ]
    for lon, lat, label in points:
        body.append(
            f'<circle cx="{lon:.4f}" cy="{-lat:.4f}" r="0.018" fill="#b3440a" stroke="{INK}" '
            f'stroke-width="0.003"><title>{escape(label)}</title></circle>'
        )
    return _frame(title, desc, body, _legend([("#b3440a", _("Obra del programa"))]))
