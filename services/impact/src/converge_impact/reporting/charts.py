"""Charts as SVG drawn on the server: no script, a title and description for screen readers,
every figure also written as text. Built with ElementTree, so the output is well-formed
and every label escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from converge_impact.reporting.schemas import Profile, Series

__all__ = ["FONT", "format_value", "profile_chart", "series_chart"]

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "font-family:sans-serif;font-size:12px;fill:#222"
BAR = "#2f6f9f"
ET.register_namespace("", SVG_NS)


def format_value(value: float) -> str:
    if value == int(value) and abs(value) < 1e12:
        return f"{int(value):,}"
    return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.3g}"


def _svg(width: int, height: int, title: str, desc: str, key: str) -> ET.Element:
    svg = ET.Element(
        f"{{{SVG_NS}}}svg",
        {
            "width": str(width),
            "height": str(height),
            "viewBox": f"0 0 {width} {height}",
            "role": "img",
            "aria-labelledby": f"{key}-title {key}-desc",
        },
    )
    ET.SubElement(svg, f"{{{SVG_NS}}}title", {"id": f"{key}-title"}).text = title
    ET.SubElement(svg, f"{{{SVG_NS}}}desc", {"id": f"{key}-desc"}).text = desc
    ET.SubElement(svg, f"{{{SVG_NS}}}rect", {"width": "100%", "height": "100%", "fill": "#fff"})
    return svg


def _text(parent: ET.Element, x: float, y: float, text: str, **attrs: str) -> None:
    element = ET.SubElement(
        parent,
        f"{{{SVG_NS}}}text",
        {"x": f"{x:.1f}", "y": f"{y:.1f}", "style": FONT, **attrs},
    )
    element.text = text


def _serialise(svg: ET.Element) -> str:
    return ET.tostring(svg, encoding="unicode", xml_declaration=False)


def series_chart(series: Series, *, node: str) -> str:
    """Bars per period with the value written above each bar."""
    points = series.points
    width = max(360, 80 + 56 * len(points))
    height, top, bottom, left = 300, 40, 60, 60
    title = f"{series.name} ({series.unit}) per {series.granularity}, Node {node}"
    if points:
        listed = "; ".join(f"{p.period}: {format_value(p.value)}" for p in points)
        desc = f"{len(points)} {series.granularity}s with a public value. {listed}."
    else:
        desc = "No public value yet."
    svg = _svg(width, height, title, desc, key=f"series-{series.indicator}")
    _text(svg, 10, 22, title, **{"font-weight": "bold"})
    plot_h = height - top - bottom
    high = max([0.0, *(p.value for p in points)])
    low = min([0.0, *(p.value for p in points)])
    span = (high - low) or 1.0

    def y_of(value: float) -> float:
        return top + plot_h * (high - value) / span

    axis = {"stroke": "#888", "stroke-width": "1"}
    ET.SubElement(
        svg,
        f"{{{SVG_NS}}}line",
        {
            "x1": str(left),
            "x2": str(width - 10),
            "y1": f"{y_of(0):.1f}",
            "y2": f"{y_of(0):.1f}",
            **axis,
        },
    )
    for tick in (low, (low + high) / 2, high) if high != low else (0.0,):
        _text(svg, 4, y_of(tick) + 4, format_value(tick))
    if not points:
        _text(svg, left, top + plot_h / 2, "No public value yet")
    step = (width - left - 10) / max(1, len(points))
    bar_w = min(40.0, step * 0.7)
    for index, point in enumerate(points):
        x = left + index * step + (step - bar_w) / 2
        y0, y1 = sorted((y_of(0), y_of(point.value)))
        group = ET.SubElement(svg, f"{{{SVG_NS}}}g")
        rect = ET.SubElement(
            group,
            f"{{{SVG_NS}}}rect",
            {
                "x": f"{x:.1f}",
                "y": f"{y0:.1f}",
                "width": f"{bar_w:.1f}",
                "height": f"{max(0.5, y1 - y0):.1f}",
                "fill": BAR,
            },
        )
        ET.SubElement(
            rect, f"{{{SVG_NS}}}title"
        ).text = f"{point.period}: {format_value(point.value)}"
        _text(group, x + bar_w / 2, y0 - 4, format_value(point.value), **{"text-anchor": "middle"})
        _text(group, x + bar_w / 2, height - bottom + 16, point.period, **{"text-anchor": "middle"})
    return _serialise(svg)


def profile_chart(profile: Profile) -> str:
    """One row per indicator, grouped by pathway. Bars compare indicators of the same unit
    (each bar is its value over the largest value of that unit in the chart)."""
    rows = sum(1 + max(1, len(p.indicators)) for p in profile.pathways)
    width, row_h, top, label_w = 760, 20, 44, 330
    height = top + rows * row_h + 10
    largest: dict[str, float] = {}
    for pathway in profile.pathways:
        for item in pathway.indicators:
            largest[item.unit] = max(largest.get(item.unit, 0.0), abs(item.value))
    count = sum(len(p.indicators) for p in profile.pathways)
    title = f"Impact profile of Node {profile.node}, {profile.period}"
    desc = (
        f"{count} indicators with a public value across ELIXIR's nine impact pathways. "
        "Bars compare indicators that share a unit; every value is written beside its bar."
    )
    svg = _svg(width, height, title, desc, key="profile")
    _text(svg, 10, 22, title, **{"font-weight": "bold"})
    y = top
    for pathway in profile.pathways:
        _text(svg, 10, y + 14, pathway.name, **{"font-weight": "bold"})
        y += row_h
        if not pathway.indicators:
            _text(svg, 24, y + 14, "no public value for this period", **{"font-style": "italic"})
            y += row_h
        for item in pathway.indicators:
            group = ET.SubElement(svg, f"{{{SVG_NS}}}g")
            _text(group, 24, y + 14, item.name)
            scale = largest[item.unit] or 1.0
            bar = (width - label_w - 150) * abs(item.value) / scale
            ET.SubElement(
                group,
                f"{{{SVG_NS}}}rect",
                {
                    "x": str(label_w),
                    "y": f"{y + 4:.1f}",
                    "width": f"{max(0.5, bar):.1f}",
                    "height": "12",
                    "fill": BAR,
                },
            )
            _text(group, label_w + bar + 6, y + 14, f"{format_value(item.value)} {item.unit}")
            y += row_h
    return _serialise(svg)
