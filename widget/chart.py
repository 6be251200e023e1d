"""The admin's chart of a topic's days: an SVG drawn on the server, so the
admin page needs no JavaScript library. Impressions are bars, clicks a bar
in front of them on their own scale, and the click-through rate a line."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup
from markupsafe import escape

from widget.stats import Row

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 44, 12, 28


def _scale(values: Sequence[float]) -> float:
    top = max(values, default=0)
    return top if top > 0 else 1


def stats_chart(days: Sequence[Row]) -> Markup:
    """An accessible SVG of impressions, clicks and CTR per day."""
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / max(1, len(days))
    top_impressions = _scale([d.impressions for d in days])
    top_clicks = _scale([d.clicks for d in days])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}"'
        ' class="chart" role="img" aria-labelledby="chart-t">'
        '<title id="chart-t">Impressions (grey bars, left scale), clicks (blue'
        " bars, right scale) and click-through rate (line) per day</title>",
        f'<line x1="{LEFT}" y1="{TOP + inner_h}" x2="{LEFT + inner_w}"'
        f' y2="{TOP + inner_h}" stroke="#888"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 10}" text-anchor="end" font-size="11">'
        f"{int(top_impressions)}</text>",
        f'<text x="{LEFT + inner_w + 4}" y="{TOP + 10}" font-size="11"'
        f' fill="#1f5fbf">{int(top_clicks)}</text>',
    ]
    line: list[str] = []
    for n, day in enumerate(days):
        x = LEFT + n * step
        h_imp = inner_h * day.impressions / top_impressions
        h_clk = inner_h * day.clicks / top_clicks
        label = escape(
            f"{day.key}: {day.impressions} impressions, {day.clicks} clicks"
            f" ({day.unique_clicks} unique)"
        )
        parts.append(
            f'<g><title>{label}</title><rect x="{x + 1:.1f}"'
            f' y="{TOP + inner_h - h_imp:.1f}"'
            f' width="{step - 2:.1f}" height="{h_imp:.1f}" fill="#c8c8c8"/>'
            f'<rect x="{x + step * 0.3:.1f}" y="{TOP + inner_h - h_clk:.1f}"'
            f' width="{step * 0.4:.1f}" height="{h_clk:.1f}" fill="#1f5fbf"/></g>'
        )
        if day.ctr is not None:
            y = TOP + inner_h - inner_h * min(day.ctr, 1.0)
            line.append(f"{x + step / 2:.1f},{y:.1f}")
        if (len(days) - 1 - n) % 7 == 0:  # weekly, ending today
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{HEIGHT - 8}" text-anchor="middle"'
                f' font-size="11">{escape(day.key[5:])}</text>'
            )
    if len(line) > 1:
        parts.append(
            f'<polyline points="{" ".join(line)}" fill="none" stroke="#d9480f"'
            ' stroke-width="2"/>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
