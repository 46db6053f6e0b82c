"""The annual Node report: one printable HTML page of every public figure of a year."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from html import escape

from converge_impact.reporting.charts import FONT, format_value, profile_chart, series_chart
from converge_impact.reporting.service import AnnualContent
from converge_impact.vocabulary import PATHWAY_NAMES

__all__ = ["ANNUAL_REPORT_POLICY", "render_annual_report"]

CSS = """
body { font-family: system-ui, sans-serif; color: #222; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.4; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #bbb; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; }
svg { max-width: 100%; height: auto; }
@media print {
  body { margin: 0; max-width: none; }
  a { color: inherit; }
  a[href]::after { content: " (" attr(href) ")"; font-size: 0.8em; }
  section, figure, table { break-inside: avoid; }
  h2 { break-after: avoid; }
}
"""


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# The page loads and runs nothing: its one style sheet and the charts' one text style are
# allowed by their hashes (CSP 3 'unsafe-hashes' for that style attribute), nothing else
ANNUAL_REPORT_POLICY = (
    f"default-src 'none'; style-src {_sha256(CSS)} 'unsafe-hashes' {_sha256(FONT)}; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _evidence(url: str | None, note: str | None) -> str:
    parts = []
    if url:
        parts.append(f'<a href="{escape(url)}">{escape(url)}</a>')
    if note:
        parts.append(escape(note))
    return "<br>".join(parts) or "—"


def render_annual_report(
    content: AnnualContent, *, node: str, node_name: str, now: datetime
) -> str:
    year = escape(content.year)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Impact report {year}: {escape(node_name)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<header><h1>Impact report {year}</h1>",
        f"<p>{escape(node_name)} (Node <code>{escape(node)}</code>). Every figure below is "
        "public: values the Node reported and its admins validated, and values derived from "
        f"the Node's services. Generated {escape(now.strftime('%Y-%m-%d %H:%M UTC'))}.</p>",
        "</header>",
        "<section><h2>Pathway profile</h2>",
        f"<figure>{profile_chart(content.profile)}</figure></section>",
        "<section><h2>Reported and validated values</h2>",
    ]
    by_pathway: dict[str, list[str]] = {p: [] for p in PATHWAY_NAMES}
    for indicator, value in content.reported:
        by_pathway[indicator.pathway].append(
            "<tr>"
            f"<td>{escape(indicator.name)}<br><code>{escape(indicator.code)}</code></td>"
            f"<td>{escape(value.period)}</td>"
            f'<td class="num">{escape(format_value(value.value))}</td>'
            f"<td>{escape(indicator.unit)}</td>"
            f"<td>{_evidence(value.evidence_url, value.evidence_note)}</td>"
            f"<td>{escape(value.validated_by or '')}<br>{_when(value.validated_at)}</td>"
            "</tr>"
        )
    if not content.reported:
        out.append("<p>No reported value of this year has been validated.</p>")
    for pathway, rows in by_pathway.items():
        if not rows:
            continue
        out += [
            f"<h3>{escape(PATHWAY_NAMES[pathway])}</h3>",
            "<table><thead><tr><th>Indicator</th><th>Period</th><th>Value</th><th>Unit</th>"
            "<th>Evidence</th><th>Validated</th></tr></thead><tbody>",
            *rows,
            "</tbody></table>",
        ]
    out += ["</section>", "<section><h2>Derived values</h2>"]
    if not content.derived:
        out.append("<p>No derived value for this year.</p>")
    for series in content.derived:
        indicator = content.indicators[series.indicator]
        latest = max((p.computed_at for p in series.points if p.computed_at), default=None)
        total = next((p for p in _year_points(content, series.indicator)), None)
        out += [
            f"<h3>{escape(series.name)} "
            f"<small><code>{escape(series.indicator)}</code></small></h3>",
            f"<p>{escape(indicator.derivation or '')}. Last computed {_when(latest)}."
            + (
                f" Year ({escape(indicator.combine_periods)} of the months): "
                f"<strong>{escape(format_value(total))} {escape(indicator.unit)}</strong>."
                if total is not None
                else ""
            )
            + "</p>",
            f"<figure>{series_chart(series, node=node)}</figure>",
        ]
    out += ["</section>", "</body></html>"]
    return "\n".join(out)


def _year_points(content: AnnualContent, code: str) -> list[float]:
    for pathway in content.profile.pathways:
        for item in pathway.indicators:
            if item.code == code:
                return [item.value]
    return []
