"""The federation page's availability chart, drawn on the server as SVG: no script, no external
asset, every figure also in a table beside the chart (the chart is ``aria-hidden``; the table
is what a screen reader reads). The generic bar chart is ``converge_common.web.charts``.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from converge_common.web.charts import LEFT, TOP
from markupsafe import Markup

from converge_gateway.federation.schemas import ServiceStatusView
from converge_gateway.portal.i18n import Language

__all__ = ["WINDOWS", "availability_chart"]

WINDOWS = ("24h", "7d", "30d")
_COLOURS = {"metadata": "#0b5394", "impact": "#8a4b00"}
BAR, GAP, GROUP_GAP, HEIGHT = 18, 4, 22, 120


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
