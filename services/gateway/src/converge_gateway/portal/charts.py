"""Charts drawn on the server as SVG: no script, no external asset, every figure also in a
table beside the chart (the chart is ``aria-hidden``; the table is what a screen reader reads).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

from converge_gateway.federation.schemas import ServiceStatusView
from converge_gateway.portal.i18n import Language

__all__ = ["WINDOWS", "availability_chart", "bar_chart"]

WINDOWS = ("24h", "7d", "30d")
_COLOURS = {"metadata": "#0b5394", "impact": "#8a4b00"}
BAR, GAP, GROUP_GAP, HEIGHT, LEFT, TOP = 18, 4, 22, 120, 40, 10


def availability_chart(
    services: Sequence[ServiceStatusView], *, labels: Language, title: str
) -> Markup:
    """Grouped bars: per window, one bar per service, 0-100 % of observed time up."""
    per_group = len(services) * (BAR + GAP)
    width = LEFT + len(WINDOWS) * (per_group + GROUP_GAP)
    total_height = TOP + HEIGHT + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {total_height}" '
        f'width="{width}" height="{total_height}" aria-hidden="true" focusable="false" '
        f'class="chart"><title>{escape(title)}</title>'
    ]
    for percent in (0, 50, 100):
        y = TOP + HEIGHT - HEIGHT * percent / 100
        parts.append(
            f'<line x1="{LEFT - 4}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#c9d1d9"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end" '
            f'fill="#4a5360">{percent}%</text>'
        )
    for group, window in enumerate(WINDOWS):
        x0 = LEFT + group * (per_group + GROUP_GAP)
        for index, service in enumerate(services):
            value = service.availability.get(window)
            x = x0 + index * (BAR + GAP)
            if value is None:
                parts.append(
                    f'<text x="{x + BAR / 2:.1f}" y="{TOP + HEIGHT - 4}" font-size="10" '
                    f'text-anchor="middle" fill="#4a5360">&#8211;</text>'
                )
                continue
            height = HEIGHT * value
            parts.append(
                f'<rect x="{x}" y="{TOP + HEIGHT - height:.1f}" width="{BAR}" '
                f'height="{height:.1f}" fill="{_COLOURS.get(service.kind, "#1a6b34")}"/>'
            )
        parts.append(
            f'<text x="{x0 + per_group / 2:.1f}" y="{TOP + HEIGHT + 16}" font-size="11" '
            f'text-anchor="middle" fill="#1b1f24">{escape(labels.gettext(window))}</text>'
        )
    for index, service in enumerate(services):
        x = LEFT + index * 90
        colour = _COLOURS.get(service.kind, "#1a6b34")
        parts.append(
            f'<rect x="{x}" y="{TOP + HEIGHT + 26}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{TOP + HEIGHT + 35}" font-size="11" fill="#1b1f24">'
            f"{escape(labels.gettext(service.kind))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - numbers and escaped text only


def bar_chart(points: Sequence[tuple[str, float]], *, title: str, number: Language) -> Markup:
    """One bar per period, from zero to the largest value, each labelled with its figure."""
    width_each, chart_height = 56, 150
    width = LEFT + max(1, len(points)) * width_each + 10
    top = max((value for _, value in points), default=0.0) or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {chart_height + 50}" '
        f'width="{width}" height="{chart_height + 50}" aria-hidden="true" focusable="false" '
        f'class="chart"><title>{escape(title)}</title>'
        f'<line x1="{LEFT}" x2="{width}" y1="{TOP + chart_height}" y2="{TOP + chart_height}" '
        f'stroke="#4a5360"/>'
    ]
    for index, (label, value) in enumerate(points):
        height = chart_height * max(value, 0.0) / top
        x = LEFT + index * width_each + 8
        y = TOP + chart_height - height
        parts.append(
            f'<rect x="{x}" y="{y:.1f}" width="{width_each - 16}" height="{height:.1f}" '
            f'fill="#0b5394"/>'
            f'<text x="{x + (width_each - 16) / 2:.1f}" y="{y - 4:.1f}" font-size="10" '
            f'text-anchor="middle" fill="#1b1f24">{escape(number.number(value))}</text>'
            f'<text x="{x + (width_each - 16) / 2:.1f}" y="{TOP + chart_height + 16}" '
            f'font-size="11" text-anchor="middle" fill="#1b1f24">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - numbers and escaped text only
