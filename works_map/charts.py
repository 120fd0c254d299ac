"""Charts as inline SVG drawn on the server: no chart library, no script, readable without JavaScript.

Each chart is an <svg role="img"> with a <title> and <desc>; the page puts the same figures in a
table next to it (the accessible alternative). Text is escaped here; callers pass plain strings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

INK = "#1f2933"
MUTED = "#52606d"
GRID = "#d9dee3"
BAR = "#1d5e8c"
PHYSICAL = "#1d5e8c"
FINANCIAL = "#b3440a"


def _svg(width: int, height: int, title: str, desc: str, body: list[str]) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart" preserveAspectRatio="xMidYMid meet"><title>{escape(title)}</title>'
        f"<desc>{escape(desc)}</desc>"
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every piece of text is escaped


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = 12, fill: str = INK) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" '
        f'text-anchor="{anchor}">{escape(text)}</text>'
    )


def hbars(
    rows: Sequence[tuple[str, Decimal | float | int, str]],
    title: str,
    desc: str,
    colours: Sequence[str] | None = None,
) -> SafeString:
    """Horizontal bars: (label, value, value as displayed). Each label sits above its bar, so long
    category names stay readable on a phone."""
    width, value_w, row_h = 420, 96, 40
    height = max(row_h * len(rows) + 4, 34)
    top = max((float(v) for _label, v, _shown in rows), default=0.0) or 1.0
    body = []
    for i, (label, value, shown) in enumerate(rows):
        y = 2 + i * row_h
        length = (width - value_w) * float(value) / top
        colour = colours[i] if colours else BAR
        short = label if len(label) <= 60 else label[:59] + "…"
        body.append(_text(0, y + 13, short, size=13))
        body.append(
            f'<rect x="0" y="{y + 18}" width="{max(length, 1.5):.1f}" height="16" '
            f'fill="{colour}" stroke="{INK}" stroke-width="0.4"/>'
        )
        body.append(_text(length + 6, y + 31, shown, size=13))
    return _svg(width, height, title, desc, body)


def vbars(rows: Sequence[tuple[str, Decimal | float | int, str]], title: str, desc: str) -> SafeString:
    """Vertical bars (one per year): value labels above the bars, category labels below."""
    width, height, left, bottom, top_pad = 420, 220, 4, 26, 22
    n = max(len(rows), 1)
    slot = (width - 2 * left) / n
    top = max((float(v) for _label, v, _shown in rows), default=0.0) or 1.0
    plot_h = height - bottom - top_pad
    body = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - left}" '
        f'y2="{height - bottom}" stroke="{GRID}"/>'
    ]
    for i, (label, value, shown) in enumerate(rows):
        h = plot_h * float(value) / top
        x = left + i * slot + slot * 0.15
        w = slot * 0.7
        y = height - bottom - h
        body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{max(h, 1):.1f}" fill="{BAR}"/>')
        body.append(_text(x + w / 2, y - 5, shown, anchor="middle", size=12))
        body.append(_text(x + w / 2, height - bottom + 18, label, anchor="middle", size=13))
    return _svg(width, height, title, desc, body)


def progress_lines(
    points: Sequence[tuple[dt.date, Decimal, Decimal]], title: str, desc: str, labels: tuple[str, str]
) -> SafeString:
    """Physical and financial progress (0–100 %) over time, one marker per approved report."""
    width, height, left, right, top, bottom = 420, 230, 42, 12, 28, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    days = [p[0].toordinal() for p in points]
    first, last = min(days), max(days)
    span = (last - first) or 1

    def xy(day: dt.date, value: Decimal) -> tuple[float, float]:
        x = left + (plot_w * (day.toordinal() - first) / span if last != first else plot_w / 2)
        return x, top + plot_h * (1 - float(value) / 100)

    body = []
    for tick in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - tick / 100)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y + 4, f"{tick} %", anchor="end", size=11, fill=MUTED))
    body.append(_text(left, height - 10, points[0][0].strftime("%d/%m/%Y"), size=11, fill=MUTED))
    if last != first:
        body.append(_text(width - right, height - 10, points[-1][0].strftime("%d/%m/%Y"), "end", 11, MUTED))
    for index, (colour, dash) in ((1, (PHYSICAL, "")), (2, (FINANCIAL, ' stroke-dasharray="6 4"'))):
        coords = [xy(p[0], p[1] if index == 1 else p[2]) for p in points]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>')
        shape = "circle" if index == 1 else "rect"
        for x, y in coords:
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
                if shape == "circle"
                else f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
            )
    body.append(f'<circle cx="{left + 6}" cy="12" r="5" fill="{PHYSICAL}"/>')
    body.append(_text(left + 16, 16, labels[0]))
    body.append(f'<rect x="{left + 186}" y="7" width="10" height="10" fill="{FINANCIAL}"/>')
    body.append(_text(left + 202, 16, labels[1]))
    return _svg(width, height, title, desc, body)


NEED = "#7a3e9d"
FLAG = "#b3440a"


def paired_hbars(
    rows: Sequence[tuple[str, float | None, str, Decimal | float, str, bool]],
    title: str,
    desc: str,
    labels: tuple[str, str],
    flag_text: str,
) -> SafeString:
    """Two bars per row on their own scales: a share (0–100 %, None = withheld, no bar) and an amount.

    Rows are (label, share, share as displayed, amount, amount as displayed, flagged); a flagged
    row's label starts with ▲ and the legend says what ▲ means (`flag_text`). Used for household
    need next to investment.
    """
    width, value_w, row_h, head = 420, 110, 58, 42
    height = head + row_h * len(rows) + 4
    top_amount = max((float(amount) for *_x, amount, _s, _f in rows), default=0.0) or 1.0
    bar_w = width - value_w
    body = [
        f'<rect x="0" y="4" width="12" height="12" fill="{NEED}"/>',
        _text(18, 15, labels[0], size=12),
        f'<rect x="{width / 2:.0f}" y="4" width="12" height="12" fill="{BAR}"/>',
        _text(width / 2 + 18, 15, labels[1], size=12),
    ]
    if any(row[5] for row in rows):
        body.append(_text(0, 34, "▲ " + flag_text, size=12, fill=FLAG))
    for i, (label, share, share_shown, amount, amount_shown, flagged) in enumerate(rows):
        y = head + i * row_h
        short = label if len(label) <= 58 else label[:57] + "…"
        if flagged:
            body.append(_text(0, y + 13, "▲ " + short, size=13, fill=FLAG))
        else:
            body.append(_text(0, y + 13, short, size=13))
        if share is None:
            body.append(_text(0, y + 31, share_shown, size=12, fill=MUTED))
        else:
            length = bar_w * float(share) / 100
            body.append(
                f'<rect x="0" y="{y + 19}" width="{max(length, 1.5):.1f}" height="14" fill="{NEED}"/>'
            )
            body.append(_text(length + 6, y + 31, share_shown, size=12))
        length = bar_w * float(amount) / top_amount
        body.append(f'<rect x="0" y="{y + 37}" width="{max(length, 1.5):.1f}" height="14" fill="{BAR}"/>')
        body.append(_text(length + 6, y + 49, amount_shown, size=12))
    return _svg(width, height, title, desc, body)
