"""A small inline SVG chart of one school's survey figures per year against the threshold.

Drawn on the server as plain SVG markup: no script, no chart library, nothing fetched.
The chart is an image with a text alternative (`<title>`, `<desc>`); the same figures are
in the criterion's explanation next to it, so nothing is told by colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from engine.text import format_number

# Geometry (SVG user units); the chart scales with its container through viewBox.
_BAR = 34
_GAP = 30
_LEFT = 40
_RIGHT = 12
_TOP = 22
_PLOT = 120
_BOTTOM = 38

# Colours chosen for contrast on white (WCAG AA for text: all ≥ 4.5:1).
_HIGH = "#9b1c1c"
_NOT_HIGH = "#1f4e79"
_UNKNOWN = "#595959"
_AXIS = "#333333"
_THRESHOLD = "#000000"


def _nice_max(value: float) -> float:
    """Round the axis top up to 5, 10, 15 … so the grid lines fall on round numbers."""
    return max(5.0, math.ceil(value / 5.0) * 5.0)


def _fmt(value: float) -> str:
    return format_number(round(value, 1))


def survey_chart(rows: Sequence[Mapping[str, Any]], school: str, key: str) -> str:
    """SVG markup: a bar per survey year (percent) and a mark for that year's K1 threshold."""
    if not rows:
        return ""
    ident = _id(key)
    values = [float(r["threshold"]) for r in rows]
    values += [float(r["percent"]) for r in rows if r.get("percent") is not None]
    top = _nice_max(max(values) * 1.15)
    width = _LEFT + len(rows) * (_BAR + _GAP) + _RIGHT
    height = _TOP + _PLOT + _BOTTOM

    def y(value: float) -> float:
        return _TOP + _PLOT - (value / top) * _PLOT

    title = f"Mobbetall for {school} per år mot terskelen"
    described = []
    for r in rows:
        limit = _fmt(float(r["threshold"]))
        if r["status"] == "unknown":
            described.append(f"{r['year']}: ukjent ({r.get('reason', 'mangler')})")
        else:
            mark = "høyt" if r["status"] == "high" else "ikke høyt"
            described.append(
                f"{r['year']}: {_fmt(float(r['percent']))} %, terskel {limit} % ({mark})"
            )
    desc = "; ".join(described) + "."

    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg" '
        f'aria-labelledby="{ident}-t {ident}-d">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(desc)}</desc>',
    ]
    # horizontal grid with labels every 5 points
    step = 5.0 if top <= 20 else 10.0
    tick = 0.0
    while tick <= top + 1e-9:
        ty = y(tick)
        parts.append(
            f'<line x1="{_LEFT}" y1="{ty:.1f}" x2="{width - _RIGHT}" y2="{ty:.1f}" '
            f'stroke="#d0d0d0" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_LEFT - 5}" y="{ty + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{_AXIS}">{_fmt(tick)}</text>'
        )
        tick += step
    parts.append(f'<text x="4" y="{_TOP - 8}" font-size="11" fill="{_AXIS}">% mobbet</text>')
    for i, r in enumerate(rows):
        x = _LEFT + _GAP / 2 + i * (_BAR + _GAP)
        threshold = float(r["threshold"])
        status = r["status"]
        if r.get("percent") is not None and status != "unknown":
            percent = float(r["percent"])
            colour = _HIGH if status == "high" else _NOT_HIGH
            parts.append(
                f'<rect class="bar {status}" x="{x:.1f}" y="{y(percent):.1f}" width="{_BAR}" '
                f'height="{y(0) - y(percent):.1f}" fill="{colour}"/>'
            )
            parts.append(
                f'<text x="{x + _BAR / 2:.1f}" y="{y(percent) - 4:.1f}" text-anchor="middle" '
                f'font-size="11" fill="{_AXIS}">{_fmt(percent)}</text>'
            )
        else:
            # unknown: an outlined, empty bar up to the threshold, labelled
            parts.append(
                f'<rect class="bar unknown" x="{x:.1f}" y="{y(threshold):.1f}" width="{_BAR}" '
                f'height="{y(0) - y(threshold):.1f}" fill="none" stroke="{_UNKNOWN}" '
                f'stroke-dasharray="3 3"/>'
            )
            parts.append(
                f'<text x="{x + _BAR / 2:.1f}" y="{y(threshold / 2):.1f}" text-anchor="middle" '
                f'font-size="10" fill="{_UNKNOWN}">ukjent</text>'
            )
        parts.append(
            f'<line class="threshold" x1="{x - 6:.1f}" y1="{y(threshold):.1f}" '
            f'x2="{x + _BAR + 6:.1f}" y2="{y(threshold):.1f}" stroke="{_THRESHOLD}" '
            f'stroke-width="2" stroke-dasharray="5 2"/>'
        )
        parts.append(
            f'<text x="{x + _BAR / 2:.1f}" y="{_TOP + _PLOT + 15}" text-anchor="middle" '
            f'font-size="12" fill="{_AXIS}">{escape(str(r["year"]))}</text>'
        )
    parts.append(
        f'<line x1="{_LEFT}" y1="{y(0):.1f}" x2="{width - _RIGHT}" y2="{y(0):.1f}" '
        f'stroke="{_AXIS}" stroke-width="1"/>'
    )
    legend_y = _TOP + _PLOT + 32
    parts.append(
        f'<line x1="{_LEFT}" y1="{legend_y - 4}" x2="{_LEFT + 18}" y2="{legend_y - 4}" '
        f'stroke="{_THRESHOLD}" stroke-width="2" stroke-dasharray="5 2"/>'
        f'<text x="{_LEFT + 22}" y="{legend_y}" font-size="11" fill="{_AXIS}">terskel</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _id(key: str) -> str:
    """A stable, page-unique id fragment for the chart's title and description."""
    slug = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in key.lower())
    return "diagram-" + (slug.strip("-") or "skole")
