"""Charts drawn on the server as SVG: a line chart of daily series and a horizontal bar chart. No script, no
library, no CDN: the admin page shows the markup as it is."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

__all__ = ["COLOURS", "bar_chart", "line_chart"]

COLOURS = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563")
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 220, 48, 28, 12


def _number(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.2f}"


def line_chart(title: str, days: Sequence[date], series: dict[str, Sequence[float | None]], *, unit: str = "") -> str:
    """One polyline per series over `days` (a missing value breaks the line); the y axis starts at 0."""
    values = [v for points in series.values() for v in points if v is not None]
    top = max(values, default=0) or 1
    plot_w, plot_h = WIDTH - LEFT - 10, HEIGHT - BOTTOM - TOP
    step = plot_w / max(len(days) - 1, 1)

    def x(i: int) -> float:
        return LEFT + i * step

    def y(v: float) -> float:
        return TOP + plot_h - v / top * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"'
        f' viewBox="0 0 {WIDTH} {HEIGHT + 20 * len(series)}" width="{WIDTH}" data-chart="{escape(title)}">'
        f"<title>{escape(title)}</title>",
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - 10}" y2="{TOP + plot_h}" stroke="#999"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end" font-size="10">{_number(top)}{escape(unit)}</text>',
        f'<text x="{LEFT - 4}" y="{TOP + plot_h}" text-anchor="end" font-size="10">0</text>',
    ]
    if days:
        parts.append(f'<text x="{LEFT}" y="{HEIGHT - 8}" font-size="10">{days[0]:%d %b}</text>')
        parts.append(
            f'<text x="{WIDTH - 10}" y="{HEIGHT - 8}" text-anchor="end" font-size="10">{days[-1]:%d %b}</text>'
        )
    for n, (name, points) in enumerate(series.items()):
        colour = COLOURS[n % len(COLOURS)]
        runs: list[list[str]] = [[]]
        for i, value in enumerate(points):
            if value is None:
                runs.append([])
                continue
            runs[-1].append(f"{x(i):.1f},{y(value):.1f}")
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="2.5" fill="{colour}" data-series="{escape(name)}"'
                f' data-day="{days[i].isoformat()}" data-value="{_number(value)}"/>'
            )
        parts += [
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(run)}"/>'
            for run in runs
            if run
        ]
        legend_y = HEIGHT + 14 + 20 * n
        parts.append(f'<rect x="{LEFT}" y="{legend_y - 9}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{LEFT + 16}" y="{legend_y}" font-size="12">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(title: str, bars: Sequence[tuple[str, float]], *, unit: str = "") -> str:
    """Horizontal bars, largest first as given, each labelled with its value."""
    top = max((v for _, v in bars), default=0) or 1
    row, label_w = 22, 160
    height = max(len(bars), 1) * row + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}"'
        f' width="{WIDTH}" data-chart="{escape(title)}"><title>{escape(title)}</title>'
    ]
    if not bars:
        parts.append('<text x="4" y="16" font-size="12">No data in this period.</text>')
    for i, (label, value) in enumerate(bars):
        width = value / top * (WIDTH - label_w - 70)
        top_y = 4 + i * row
        parts.append(
            f'<text x="{label_w - 6}" y="{top_y + 14}" text-anchor="end" font-size="12">{escape(label)}</text>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{top_y}" width="{width:.1f}" height="{row - 6}" fill="{COLOURS[0]}"'
            f' data-label="{escape(label)}" data-value="{_number(value)}"/>'
        )
        parts.append(
            f'<text x="{label_w + width + 6:.1f}" y="{top_y + 14}" font-size="12">{_number(value)}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
