"""Full-text search with filters, facet counts, highlighted snippets and cursor paging."""

from __future__ import annotations

import functools
import hashlib
import html
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import orjson
from converge_common.errors import BadRequest, FieldError, InvalidInput
from converge_common.languages import pick_text
from converge_common.tokens import InvalidToken, SignedToken
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from converge_metadata.records.indexing import RIGHTS_ONLY_FACET
from converge_metadata.records.repository import catalogue_generation
from converge_metadata.search.facet_index import FacetIndex
from converge_metadata.search.repository import (
    MARK_END,
    MARK_START,
    NO_START,
    PageRow,
    SearchSql,
)
from converge_metadata.search.runtime import SearchRuntime
from converge_metadata.search.schemas import (
    CourseSummary,
    CourseTopic,
    FacetValue,
    SearchFilters,
    SearchHit,
    SearchResponse,
    SearchSort,
)
from converge_metadata.vocab import Vocabularies

__all__ = ["answer", "canonical_filters", "check_filter_sizes", "search"]

_DIMENSIONS = ("type", "topic", "organism", "license", "access", "keyword", "year", "language")


_MULTI = ("type", "topic", "organism", "license", "access", "keyword", "language")


def check_filter_sizes(filters: SearchFilters, *, max_values: int) -> None:
    """Refuse a dimension given more alternatives than ``max_values``: each value is one more
    condition in the query, and no portal offers a choice of hundreds."""
    errors = [
        FieldError(f"/{name}", "max_items", f"at most {max_values} values, not {len(values)}")
        for name in _MULTI
        if len(values := getattr(filters, name)) > max_values
    ]
    if errors:
        names = ", ".join(e["pointer"][1:] for e in errors)
        raise InvalidInput(f"too many filter values for {names}", errors=errors)


def canonical_filters(filters: SearchFilters, vocab: Vocabularies) -> SearchFilters:
    """Accept short forms in filters (``topic_0121``, ``9606``, ``cc-by-4.0``) as in records."""
    topics = [vocab.edam.canonical(t) or t for t in filters.topic]
    organisms = []
    for value in filters.organism:
        tax_id = vocab.taxonomy.parse_id(value)
        organisms.append(f"http://purl.obolibrary.org/obo/NCBITaxon_{tax_id}" if tax_id else value)
    licences = [(found.id if (found := vocab.spdx.normalise(v)) else v) for v in filters.license]
    keywords = [k.strip().lower() for k in filters.keyword]
    return filters.model_copy(
        update={"topic": topics, "organism": organisms, "license": licences, "keyword": keywords}
    )


def _label(dimension: str, value: str, vocab: Vocabularies) -> str:
    if dimension == "topic" and (term := vocab.edam.terms.get(value)):
        return term.label
    if dimension == "organism":
        tax_id = vocab.taxonomy.parse_id(value)
        taxon = vocab.taxonomy.get(tax_id) if tax_id else None
        return taxon.scientific_name if taxon else value
    if dimension == "license" and (licence := vocab.spdx.get(value)):
        return licence.name
    if dimension == "license" and value == RIGHTS_ONLY_FACET:
        return "Rights statement, no SPDX licence"
    return value


def _facets(
    counts: list[tuple[str, str, int]], vocab: Vocabularies, limit: int
) -> dict[str, list[FacetValue]]:
    grouped: dict[str, list[tuple[str, int]]] = {d: [] for d in _DIMENSIONS}
    for dimension, value, count in counts:
        grouped.setdefault(dimension, []).append((value, count))
    return {
        dimension: [
            FacetValue(value=v, label=_label(dimension, v, vocab), count=n)
            for v, n in sorted(values, key=lambda item: (-item[1], item[0]))[:limit]
        ]
        for dimension, values in grouped.items()
    }


def _snippet(raw: str | None, row: PageRow) -> str:
    if raw is None:
        description: dict[str, str] = row.document.get("description") or {}
        text = description.get("en") or next(iter(description.values()), "")
        return html.escape(text[:200] + ("…" if len(text) > 200 else ""))
    escaped = html.escape(raw)
    return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


def _fingerprint(filters: SearchFilters, sort: str, steward: bool) -> str:
    body = orjson.dumps([filters.model_dump(), sort, steward], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(body).hexdigest()[:16]


def _sort_value(row: PageRow, sort: SearchSort) -> Any:
    if sort == "relevance":
        return row.score
    if sort == "date":
        return row.modified_at.isoformat()
    if sort == "start":
        return _start_key(row.document)
    return row.sort_title


def _start_key(document: dict[str, Any]) -> str:
    """The start's calendar date as SQL sorts it (see ``SearchSql.course_field``)."""
    start = (document.get("course") or {}).get("start_date")
    return str(start)[:10] if start else NO_START


def _course(document: dict[str, Any]) -> CourseSummary | None:
    course = document.get("course")
    if not course:
        return None
    location = course.get("location") or {}
    return CourseSummary(
        start_date=course["start_date"],
        end_date=course["end_date"],
        online=bool(course.get("online")),
        location=location.get("name"),
        country=location.get("country"),
        level=(document.get("training") or {}).get("level"),
        topics=[
            CourseTopic(uri=t["uri"], label=t.get("label"))
            for t in document.get("topics") or []
            if isinstance(t, dict) and t.get("uri")
        ],
    )


class SearchCursor(BaseModel):
    """Where a search page ended: the question it answers (its fingerprint), the last hit's
    sort value and key, and how many hits came before the next page (for ranks)."""

    fingerprint: str
    value: float | str
    key: int
    offset: int


@functools.cache
def search_tokens(secret: str) -> SignedToken[SearchCursor]:
    """The search's ``cursor``; one per secret, built once."""
    return SignedToken(SearchCursor, secret=secret, purpose="metadata-search-cursor")


def _decode_cursor(
    codec: SignedToken[SearchCursor], cursor: str, fingerprint: str, sort: SearchSort
) -> tuple[tuple[Any, int], int]:
    state = codec.loads(cursor)
    if state.fingerprint != fingerprint:
        raise BadRequest(
            "The cursor belongs to another query, filter set or sort",
            errors=[FieldError("/cursor", "cursor", "query changed between pages")],
        )
    value: Any = state.value
    if sort == "date":
        if not isinstance(value, str):
            raise InvalidToken("cursor")
        value = datetime.fromisoformat(value)
    return (value, state.key), state.offset


def _hit(
    row: PageRow, *, node: str, rank: int, snippet: str, languages: Sequence[str]
) -> SearchHit:
    title, title_language = pick_text(row.document["title"], languages)
    issued = row.document.get("issued")
    return SearchHit(
        id=row.local_id,
        global_id=f"{node}:{row.local_id}",
        node=node,
        type=row.type,
        title=title,
        title_language=title_language,
        snippet=snippet,
        score=round(row.score, 6),
        rank=rank,
        access=row.access,
        modified_at=row.modified_at,
        issued=date.fromisoformat(issued) if issued else None,
        course=_course(row.document),
    )


async def search(
    session: AsyncSession,
    filters: SearchFilters,
    *,
    sort: SearchSort | None,
    limit: int,
    cursor: str | None,
    steward: bool,
    today: date,
    node: str,
    codec: SignedToken[SearchCursor],
    vocab: Vocabularies,
    facet_limit: int,
    with_facets: bool = True,
    facet_index: FacetIndex | None = None,
    languages: Sequence[str] = (),
) -> SearchResponse:
    """One page of hits, the facet counts and the total. ``facet_index``, when given, must be
    at the session's catalogue generation; without it, SQL pages and counts facets."""
    filters = canonical_filters(filters, vocab)
    if filters.status:
        # the index holds no status: SQL matches, pages and counts
        facet_index = None
    sql = SearchSql(session.get_bind().dialect.name)
    match = sql.match(filters, steward=steward, today=today)
    order: SearchSort = sort or ("relevance" if match.has_query else "date")
    if order == "relevance" and not match.has_query:
        order = "date"
    fingerprint = _fingerprint(filters, order, steward)
    after, offset = (None, 0)
    if cursor:
        after, offset = _decode_cursor(codec, cursor, fingerprint, order)
    # the index (when current) gives the match set without the free text: it pages browsing
    # by date itself, and counts facets once the full-text matches are intersected
    mask = None
    if facet_index is not None:
        mask = facet_index.match(filters, steward=steward, today=today)
        if filters.on_courses:
            # course fields live in the documents, which the index does not hold
            mask &= facet_index.positions(await sql.course_matches(session, filters))
    if mask is not None and facet_index is not None and order == "date" and not match.has_query:
        pks = facet_index.newest(mask, after=after, limit=limit + 1)
        rows = await sql.rows(session, pks, today=today)
    else:
        rows = await sql.page(session, match, order=order, after=after, limit=limit + 1)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        following = SearchCursor(
            fingerprint=fingerprint,
            value=_sort_value(last, order),
            key=last.pk,
            offset=offset + limit,
        )
        next_cursor = codec.dumps(following)
    counts: list[tuple[str, str, int]] = []
    if with_facets and mask is not None and facet_index is not None:
        if match.has_query:
            mask &= facet_index.positions(await sql.text_matches(session, match))
        counts = facet_index.counts(mask, limit=facet_limit, today=today)
    elif with_facets:
        counts = await sql.facet_counts(session, match, limit=facet_limit)
    facets = _facets(counts, vocab, facet_limit) if with_facets else {}
    total = sum(c for d, _, c in counts if d == "type") if with_facets else None
    snippets = await sql.snippets(session, match, [r.pk for r in rows])
    items = [
        _hit(
            r,
            node=node,
            rank=offset + i + 1,
            snippet=_snippet(snippets.get(r.pk), r),
            languages=languages,
        )
        for i, r in enumerate(rows)
    ]
    return SearchResponse(
        items=items, facets=facets, total=total, limit=limit, next_cursor=next_cursor, sort=order
    )


async def answer(
    session: AsyncSession,
    runtime: SearchRuntime,
    filters: SearchFilters,
    *,
    sort: SearchSort | None,
    limit: int,
    cursor: str | None,
    steward: bool,
    today: date,
    node: str,
    codec: SignedToken[SearchCursor],
    vocab: Vocabularies,
    facet_limit: int,
    with_facets: bool,
    languages: Sequence[str] = (),
) -> bytes:
    """A search answer as JSON, from this worker's cache when the catalogue has not changed
    since the same anonymous question, else by :func:`search` with the facet index when it is
    at the catalogue's generation."""
    generation = await catalogue_generation(session)
    # every caller who is not a steward of this Node reads the same answer
    key = None
    if not steward:
        dumped = [
            filters.model_dump(),
            sort,
            limit,
            cursor,
            with_facets,
            facet_limit,
            today.isoformat(),
            languages,
        ]
        key = orjson.dumps(dumped)
        body = runtime.cache.get(generation, key)
        runtime.cache_lookups.labels("hit" if body is not None else "miss").inc()
        if body is not None:
            return body
    index = runtime.facet_index.usable(generation) if runtime.facet_index is not None else None
    if with_facets:
        runtime.facet_source.labels("index" if index is not None else "sql").inc()
    result = await search(
        session,
        filters,
        sort=sort,
        limit=limit,
        cursor=cursor,
        steward=steward,
        today=today,
        node=node,
        codec=codec,
        vocab=vocab,
        facet_limit=facet_limit,
        with_facets=with_facets,
        facet_index=index,
        languages=languages,
    )
    body = result.model_dump_json(exclude_none=True).encode()
    if key is not None:
        runtime.cache.put(generation, key, body)
    return body
