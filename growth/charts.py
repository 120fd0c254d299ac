"""A child's growth chart as server-drawn SVG: the child's points over the WHO curves (z = -3, -2,
0, +2, +3) of its sex, for weight-for-age and length/height-for-age. No script, no inline style:
classes only (static/css/site.css), so the page passes the Content-Security-Policy."""

from __future__ import annotations

from html import escape

import numpy as np
from django.utils.safestring import SafeString, mark_safe

from growth import who

W, H = 640, 360
PAD_L, PAD_R, PAD_T, PAD_B = 48, 16, 16, 40
CURVES = ((-3, "z3"), (-2, "z2"), (0, "z0"), (2, "z2"), (3, "z3"))
# Presentation attributes (not inline style: allowed by the CSP) so the SVG reads alone too.
STROKES = {
    "z0": 'stroke="#1b7837" stroke-width="2"',
    "z2": 'stroke="#b35806" stroke-dasharray="6 3"',
    "z3": 'stroke="#b2182b"',
}
DAYS_PER_MONTH = 30.4375


def _axis(lo: float, hi: float, steps: int = 6) -> list[float]:
    step = (hi - lo) / steps
    return [lo + i * step for i in range(steps + 1)]


def growth_svg(
    indicator: str, male: bool, points: list[tuple[int, float]], title: str, unit: str
) -> SafeString:
    """indicator "wfa" or "lhfa"; points (age in days, value)."""
    max_day = max([d for d, _ in points] + [365])
    max_day = min(who.MAX_AGE_DAYS, int(np.ceil(max_day / 365.25) * 365.25) + 1)
    days = np.arange(0, max_day + 1, 7, dtype=np.float64)
    curves = {z: who.value_at(indicator, z, male, days) for z, _ in CURVES}
    y_lo = float(min(curves[-3].min(), *(v for _, v in points))) if points else float(curves[-3].min())
    y_hi = float(max(curves[3].max(), *(v for _, v in points))) if points else float(curves[3].max())
    y_lo, y_hi = np.floor(y_lo), np.ceil(y_hi)

    def x(d: float) -> float:
        return PAD_L + (W - PAD_L - PAD_R) * d / max_day

    def y(v: float) -> float:
        return H - PAD_B - (H - PAD_T - PAD_B) * (v - y_lo) / (y_hi - y_lo)

    parts = [
        f'<svg class="growth-chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="t-{indicator}">',
        f'<title id="t-{indicator}">{escape(title)}</title>',
    ]
    for v in _axis(y_lo, y_hi):
        parts.append(
            f'<line class="grid" stroke="#e0e0e0" x1="{PAD_L}" x2="{W - PAD_R}" '
            f'y1="{y(v):.1f}" y2="{y(v):.1f}"/>'
        )
        parts.append(
            f'<text class="tick" font-size="12" x="{PAD_L - 6}" y="{y(v) + 4:.1f}" '
            f'text-anchor="end">{v:.0f}</text>'
        )
    for month in range(0, int(max_day / DAYS_PER_MONTH) + 1, 6):
        px = x(month * DAYS_PER_MONTH)
        parts.append(
            f'<text class="tick" font-size="12" x="{px:.1f}" y="{H - PAD_B + 16}" '
            f'text-anchor="middle">{month}</text>'
        )
    parts.append(
        f'<text class="axis" font-size="12" x="{W / 2}" y="{H - 6}" text-anchor="middle">meses</text>'
    )
    parts.append(f'<text class="axis" font-size="12" x="{PAD_L + 6}" y="{PAD_T + 12}">{escape(unit)}</text>')
    for z, css in CURVES:
        path = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in zip(days, curves[z], strict=True))
        parts.append(
            f'<polyline class="who {css}" fill="none" {STROKES[css]} points="{path}">'
            f"<title>z = {z:+d}</title></polyline>"
        )
    if points:
        path = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in points)
        parts.append(
            f'<polyline class="child" fill="none" stroke="#2166ac" stroke-width="2.5" points="{path}"/>'
        )
        for d, v in points:
            parts.append(
                f'<circle class="child" fill="#2166ac" cx="{x(d):.1f}" cy="{y(v):.1f}" r="4">'
                f"<title>{v} {escape(unit)}</title></circle>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text above is escaped or a number)
