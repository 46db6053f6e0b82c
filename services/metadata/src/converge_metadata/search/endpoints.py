"""``/api/v1/search``: full-text search with filters, facets, snippets and cursor paging."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from converge_common.app import SessionDep
from converge_common.inputs import INT32_MAX
from converge_common.languages import LangQuery, reader_languages
from fastapi import APIRouter, Query, Request, Response

from converge_metadata.dependencies import NodeDep, ViewerDep, VocabDep
from converge_metadata.records.schemas import AccessLevel, RecordType
from converge_metadata.search import service
from converge_metadata.search.query import MAX_DEPTH, MAX_WORDS
from converge_metadata.search.schemas import (
    SearchFilters,
    SearchResponse,
    SearchSort,
    TrainingLevel,
)

__all__ = ["router"]

router = APIRouter(tags=["search"])

Multi = Annotated[list[str] | None, Query()]

Q_DESCRIPTION = (
    'Free text. Words must all match (English stemming); `"a phrase"` matches the words in '
    "order; `OR` between alternatives (`mouse OR rat`); `-word` or `NOT word` excludes; "
    "`( … )` groups (`(mouse OR rat) brain`); `title:`, `keyword:` and `creator:` (creators, "
    "contributors, affiliations, ORCID iDs, publisher) restrict a word, phrase or group to "
    'that field (`title:"brain atlas" -keyword:mri`). Only uppercase `OR`, `AND`, `NOT` are '
    "operators; an unknown prefix (`foo:bar`) is text. A query that excludes only (`-word`, "
    "`a OR -b`) is a 422 with rule `positive_term`; operators without words `operators_only`; "
    f"more than {MAX_WORDS} words `max_terms`; groups deeper than {MAX_DEPTH} `max_depth`."
)


@router.get("/search", response_model=SearchResponse, response_model_exclude_none=True)
async def search(
    session: SessionDep,
    viewer: ViewerDep,
    node: NodeDep,
    vocab: VocabDep,
    request: Request,
    q: Annotated[str | None, Query(max_length=500, description=Q_DESCRIPTION)] = None,
    type: Annotated[list[RecordType] | None, Query()] = None,
    topic: Multi = None,
    organism: Multi = None,
    license: Multi = None,
    access: Annotated[list[AccessLevel] | None, Query()] = None,
    keyword: Multi = None,
    language: Multi = None,
    year_from: Annotated[int | None, Query(ge=0, le=9999)] = None,
    year_to: Annotated[int | None, Query(ge=0, le=9999)] = None,
    starts_from: Annotated[
        date | None,
        Query(description="Courses starting on or after this date (`course.start_date`)"),
    ] = None,
    starts_to: Annotated[
        date | None, Query(description="Courses starting on or before this date")
    ] = None,
    online: Annotated[
        bool | None, Query(description="Courses online (`true`) or not (`false`)")
    ] = None,
    level: Annotated[
        list[TrainingLevel] | None, Query(description="Training level (`training.level`)")
    ] = None,
    sort: Annotated[
        SearchSort | None,
        Query(
            description="`relevance` (default with `q`), `date` (newest first), `title`, "
            "`start` (courses' start date, soonest first; records without a course last)"
        ),
    ] = None,
    limit: Annotated[
        int | None, Query(ge=1, le=INT32_MAX, description="Page size (capped)")
    ] = None,
    cursor: str | None = None,
    facets: bool = True,
    facet_size: Annotated[
        int | None,
        Query(ge=1, le=100, description="Values per facet dimension (default FACET_LIMIT)"),
    ] = None,
    lang: LangQuery = None,
) -> Response:
    """Search the records the caller may read. Filters within a dimension are alternatives;
    dimensions combine. Facets count every matching record per dimension (top values)."""
    settings = request.app.state.settings
    filters = SearchFilters(
        q=q,
        type=type or [],
        topic=topic or [],
        organism=organism or [],
        license=license or [],
        access=access or [],
        keyword=keyword or [],
        language=language or [],
        year_from=year_from,
        year_to=year_to,
        starts_from=starts_from,
        starts_to=starts_to,
        online=online,
        level=level or [],
    )
    service.check_filter_sizes(filters, max_values=settings.search_max_filter_values)
    body = await service.answer(
        session,
        request.app.state.search,
        filters,
        sort=sort,
        limit=min(limit or settings.page_size_default, settings.page_size_max),
        cursor=cursor,
        steward=viewer.steward,
        today=viewer.today,
        node=node,
        codec=service.search_tokens(settings.secret_key.get_secret_value()),
        vocab=vocab,
        facet_limit=facet_size or settings.facet_limit,
        with_facets=facets,
        languages=reader_languages(lang, request.headers.get("accept-language")),
    )
    return Response(
        body, media_type="application/json", headers={"Vary": "Accept-Language, Authorization"}
    )
