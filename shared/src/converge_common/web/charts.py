"""Charts drawn on the server as SVG, for pages under a strict CSP: no script, no ``style``
attribute, no external asset. The chart is ``aria-hidden``; every page that shows one also
writes its figures in a table beside it, which is what a screen reader reads.

Used by the gateway's portal and by the Node workspace of the impact service.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

__all__ = ["BAR_COLOUR", "INK", "LEFT", "MUTED", "TOP", "bar_chart"]

# the colours of the shared style sheet (AA contrast on white)
BAR_COLOUR, INK, MUTED, RULE = "#0b5394", "#1b1f24", "#4a5360", "#c9d1d9"
LEFT, TOP = 40, 10


def bar_chart(
    points: Sequence[tuple[str, float]], *, title: str, number: Callable[[float], str]
) -> Markup:
    """One bar per label, from zero to the largest value, each labelled with its figure
    (``number`` formats it in the reader's language)."""
    width_each, chart_height = 56, 150
    width = LEFT + max(1, len(points)) * width_each + 10
    top = max((value for _, value in points), default=0.0) or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {chart_height + 50}" '
        f'width="{width}" height="{chart_height + 50}" aria-hidden="true" focusable="false" '
        f'class="chart"><title>{escape(title)}</title>'
        f'<line x1="{LEFT}" x2="{width}" y1="{TOP + chart_height}" y2="{TOP + chart_height}" '
        f'stroke="{MUTED}"/>'
    ]
    for index, (label, value) in enumerate(points):
        height = chart_height * max(value, 0.0) / top
        x = LEFT + index * width_each + 8
        y = TOP + chart_height - height
        parts.append(
            f'<rect x="{x}" y="{y:.1f}" width="{width_each - 16}" height="{height:.1f}" '
            f'fill="{BAR_COLOUR}"/>'
            f'<text x="{x + (width_each - 16) / 2:.1f}" y="{y - 4:.1f}" font-size="10" '
            f'text-anchor="middle" fill="{INK}">{escape(number(value))}</text>'
            f'<text x="{x + (width_each - 16) / 2:.1f}" y="{TOP + chart_height + 16}" '
            f'font-size="11" text-anchor="middle" fill="{INK}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - numbers and escaped text only
