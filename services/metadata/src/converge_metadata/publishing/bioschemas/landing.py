"""The HTML landing page of a record: readable by a person, parseable by a crawler."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from html import escape
from typing import Any

import orjson
from converge_common.languages import pick_text

from converge_metadata.publishing.context import PublicationContext
from converge_metadata.publishing.fair.schemas import FairAssessment
from converge_metadata.publishing.terms import licence_url, term_label
from converge_metadata.records.schemas import RecordRead, RightsStatement

__all__ = ["LANDING_PAGE_POLICY", "render_landing_page"]

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5}dt{font-weight:600}.pass{color:#176f2c}.fail{color:#a4262c}"
    "table{border-collapse:collapse}td,th{padding:.2rem .6rem;border-bottom:1px solid #ddd;"
    "text-align:left}"
)
# The page loads and runs nothing: its one inline style is allowed by its hash (the JSON-LD
# block is data, which no script-src governs)
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
LANDING_PAGE_POLICY = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'"
)


def _json_script(data: dict[str, Any]) -> str:
    # "</script>" inside a string must not end the element
    body = orjson.dumps(data, option=orjson.OPT_INDENT_2).decode().replace("<", "\\u003c")
    return f'<script type="application/ld+json">\n{body}\n</script>'


def _row(label: str, value: str) -> str:
    return f"<dt>{escape(label)}</dt><dd>{value}</dd>" if value else ""


def _link(url: str, text: str | None = None) -> str:
    return f'<a href="{escape(url)}">{escape(text or url)}</a>'


def _rights(statement: RightsStatement) -> str:
    if statement.uri:
        return _link(statement.uri, statement.text)
    lang = f' lang="{escape(statement.language)}"' if statement.language else ""
    return f"<span{lang}>{escape(statement.text or '')}</span>"


def _details(record: RecordRead, context: PublicationContext) -> str:
    rows = [
        _row("Type", escape(record.type)),
        _row("Identifier", escape(record.global_id)),
        _row("Creators", escape(", ".join(a.name for a in record.creators))),
        _row("Keywords", escape(", ".join(record.keywords))),
        _row("Topics", escape(", ".join(term_label(t) for t in record.topics))),
        _row(
            "Licence", _link(licence_url(record.license), record.license) if record.license else ""
        ),
        *(_row("Rights", _rights(statement)) for statement in record.rights),
        _row("Access", escape(record.access.level)),
        _row("Issued", escape(record.issued.isoformat()) if record.issued else ""),
        _row("Landing page", _link(record.landing_page) if record.landing_page else ""),
    ]
    for other in record.identifiers:
        rows.append(_row(other.scheme.upper(), escape(other.value)))
    if record.dataset is not None:
        for dist in record.dataset.distributions:
            url = dist.download_url or dist.access_url or ""
            rows.append(_row("Distribution", _link(url, dist.title)))
    machine = context.record_api_url(record.id)
    rows.append(
        _row(
            "Machine-readable",
            " · ".join(
                [
                    _link(f"{machine}?format=jsonld", "JSON-LD"),
                    _link(f"{context.base_url}/dcat/datasets/{record.id}", "DCAT-AP"),
                    _link(
                        f"{context.oai_url}?verb=GetRecord&metadataPrefix=oai_datacite"
                        f"&identifier={context.oai_identifier(record.id)}",
                        "DataCite (OAI-PMH)",
                    ),
                ]
            ),
        )
    )
    return "<dl>" + "".join(rows) + "</dl>"


def _fair(assessment: FairAssessment) -> str:
    rows = []
    for metric in assessment.metrics:
        mark = (
            '<span class="pass">✔ pass</span>' if metric.passed else '<span class="fail">✘</span>'
        )
        hint = escape(metric.hint) if metric.hint else ""
        rows.append(
            f"<tr><td>{escape(metric.principle)}</td><td>{escape(metric.name)}</td>"
            f"<td>{mark}</td><td>{hint}</td></tr>"
        )
    return (
        f'<section id="fair"><h2>FAIR self-assessment: {assessment.passed}/{assessment.total}'
        f"</h2><table><tr><th>Principle</th><th>Metric</th><th>Result</th><th>To improve</th>"
        f"</tr>{''.join(rows)}</table></section>"
    )


def render_landing_page(
    record: RecordRead,
    *,
    context: PublicationContext,
    jsonld: dict[str, Any],
    assessment: FairAssessment,
    languages: Sequence[str] = (),
) -> tuple[str, str | None]:
    """The page, and the language of its title (the reader's where the record has it)."""
    title_text, lang = pick_text(record.title, languages)
    title = escape(title_text)
    description_text, description_lang = pick_text(record.description, languages)
    description = escape(description_text)
    description_attr = (
        f' lang="{escape(description_lang)}"'
        if description_lang and description_lang != lang
        else ""
    )
    canonical = escape(context.record_url(record.id))
    api = escape(context.record_api_url(record.id))
    page = (
        f'<!DOCTYPE html><html lang="{escape(lang or "en")}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title} · {escape(context.node_name)}</title>"
        f'<meta name="description" content="{description[:300]}">'
        f'<link rel="canonical" href="{canonical}">'
        f'<link rel="alternate" type="application/ld+json" href="{api}">'
        f'<link rel="describedby" type="application/vnd.datacite.datacite+xml" href="{api}">'
        f"<style>{_STYLE}</style>{_json_script(jsonld)}</head><body><main>"
        f"<h1>{title}</h1><p{description_attr}>{description}</p>"
        f"{_details(record, context)}{_fair(assessment)}"
        f"<footer><p>Published by {escape(context.node_name)} · last modified "
        f"{record.modified_at.date().isoformat()}</p></footer></main></body></html>"
    )
    return page, lang
