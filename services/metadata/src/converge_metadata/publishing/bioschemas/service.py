"""Landing pages, the sitemap, and a record's machine representations by media type."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import orjson
from converge_common.errors import NotFound
from sqlalchemy.ext.asyncio import AsyncSession

from converge_metadata.publishing import repository
from converge_metadata.publishing.bioschemas.landing import render_landing_page
from converge_metadata.publishing.bioschemas.serializer import to_bioschemas
from converge_metadata.publishing.context import PublicationContext
from converge_metadata.publishing.datacite import to_datacite_xml
from converge_metadata.publishing.dcat.graph import to_dcat_graph
from converge_metadata.publishing.fair.metrics import assess
from converge_metadata.publishing.fair.service import facts_for
from converge_metadata.publishing.negotiation import RDF_MEDIA_TYPES, NotAcceptable, serialise
from converge_metadata.publishing.oai.xmltext import text
from converge_metadata.publishing.views import anonymous_read, is_visible
from converge_metadata.records.schemas import RecordRead

__all__ = [
    "DATACITE_XML",
    "RECORD_FORMATS",
    "RECORD_MEDIA_TYPES",
    "landing_page",
    "record_representation",
    "sitemap",
]

DATACITE_XML = "application/vnd.datacite.datacite+xml"
RECORD_MEDIA_TYPES = ("application/ld+json", DATACITE_XML, "text/turtle", "application/rdf+xml")
# ``?format=`` names of the records endpoint, the same as the gateway's
RECORD_FORMATS = {
    "json": "application/json",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "datacite": DATACITE_XML,
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "rdf": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
}
_SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


async def _visible(session: AsyncSession, local_id: str, context: PublicationContext) -> RecordRead:
    row = await repository.get_record(session, local_id)
    if row is None or not is_visible(row, now=datetime.now(UTC)):
        raise NotFound(f"No published record {local_id!r}")
    return anonymous_read(row, context)


async def landing_page(
    session: AsyncSession,
    local_id: str,
    *,
    context: PublicationContext,
    languages: Sequence[str] = (),
) -> tuple[str, str | None]:
    """The page, and the language its title is in."""
    record = await _visible(session, local_id, context)
    return render_landing_page(
        record,
        context=context,
        jsonld=to_bioschemas(record, context=context),
        assessment=assess(record, facts_for(context, visible=True)),
        languages=languages,
    )


def record_representation(
    record: RecordRead, media_type: str, *, context: PublicationContext
) -> bytes:
    """The record in one of :data:`RECORD_MEDIA_TYPES`; for the records endpoint's
    content negotiation (``application/ld+json`` is Bioschemas JSON-LD)."""
    if media_type == "application/ld+json":
        return orjson.dumps(to_bioschemas(record, context=context))
    if media_type == DATACITE_XML:
        return to_datacite_xml(record, context=context)
    if media_type in RDF_MEDIA_TYPES:
        return serialise(to_dcat_graph([record], context=context), media_type)
    raise ValueError(f"unsupported media type {media_type}")


async def representation(
    session: AsyncSession, local_id: str, media_type: str, *, context: PublicationContext
) -> bytes:
    record = await _visible(session, local_id, context)
    return record_representation(record, media_type, context=context)


async def sitemap(
    session: AsyncSession, *, context: PublicationContext, page: int | None, size: int
) -> str:
    """A ``urlset`` of landing pages with last-modified dates, or, beyond ``size`` records,
    a ``sitemapindex`` of pages (``?page=N``) as the sitemap protocol caps a file at 50,000."""
    today = datetime.now(UTC).date()
    total = await repository.count_visible(session, today=today)
    pages = max(1, -(-total // size))
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    if page is None and pages > 1:
        entries = "".join(
            f"<sitemap><loc>{text(context.base_url)}/sitemap.xml?page={n}</loc></sitemap>"
            for n in range(1, pages + 1)
        )
        return f'{head}<sitemapindex xmlns="{_SITEMAP_NS}">{entries}</sitemapindex>'
    number = page or 1
    if number < 1 or number > pages:
        raise NotFound(f"No sitemap page {number}")
    rows = await repository.visible_page_at(
        session, today=today, offset=(number - 1) * size, limit=size
    )
    entries = "".join(
        f"<url><loc>{text(context.record_url(row.local_id))}</loc>"
        f"<lastmod>{row.datestamp.strftime('%Y-%m-%dT%H:%M:%SZ')}</lastmod></url>"
        for row in rows
    )
    return f'{head}<urlset xmlns="{_SITEMAP_NS}">{entries}</urlset>'


def record_media_type(*, format_param: str | None, accept: str | None) -> str | None:
    """The representation a records request asks for: ``?format=`` (a name of
    :data:`RECORD_FORMATS` or a media type) before ``Accept``; ``None`` is the API's JSON."""
    if format_param is None:
        return preferred_record_media_type(accept)
    media = RECORD_FORMATS.get(format_param.lower(), format_param.lower())
    if media == "application/json":
        return None
    if media not in RECORD_MEDIA_TYPES:
        names = ", ".join(RECORD_FORMATS)
        raise NotAcceptable(
            f"format must be one of {names} or one of their media types", parameter="format"
        )
    return media


def preferred_record_media_type(accept: str | None) -> str | None:
    """The machine representation an ``Accept`` header asks for before plain JSON, if any."""
    if not accept:
        return None
    best: tuple[float, str] | None = None
    for part in accept.split(","):
        media, *params = (p.strip().lower() for p in part.split(";"))
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, media)
    return best[1] if best is not None and best[1] in RECORD_MEDIA_TYPES else None
