"""``/api/v1/terms``: the terms of the Node's vocabularies by label, synonym or id (public,
read-only, answered from memory)."""

from __future__ import annotations

from typing import Annotated, Literal

from converge_common.errors import FieldError, InvalidInput
from fastapi import APIRouter, Depends, Query, Request

from converge_metadata.terms.index import IndexedTerm, Match, TermIndex, fold
from converge_metadata.terms.schemas import TermList, TermRead

__all__ = ["router"]

router = APIRouter(tags=["terms"])

Vocabulary = Literal["edam_topic", "edam_operation", "edam_format", "edam_data", "ncbi_taxonomy"]
MAX_LIMIT = 50
MAX_ID = 100


def _index(request: Request) -> TermIndex:
    index: TermIndex = request.app.state.terms
    return index


def _read(term: IndexedTerm, match: Match | None = None) -> TermRead:
    return TermRead(
        id=term.id,
        uri=term.uri,
        label=term.label,
        synonyms=list(term.synonyms),
        matched=match.matched if match else None,
        matched_field="label" if match and match.field == "label" else "synonym" if match else None,
    )


def _query_error(name: str, rule: str, detail: str) -> InvalidInput:
    error = FieldError("/" + name, rule, detail)
    error["in"] = "query"
    return InvalidInput(f"{name}: {detail}", errors=[error])


@router.get(
    "/terms",
    response_model=TermList,
    summary="Find terms by label or synonym (q), or look terms up by id (the known ones, in "
    "the order asked; an unknown id is left out)",
)
async def find_terms(
    index: Annotated[TermIndex, Depends(_index)],
    vocabulary: Annotated[Vocabulary, Query(description="The vocabulary to look in")],
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            description="Text a label or synonym starts with, or one of its words starts "
            "with (case- and accent-insensitive). Ranked: the label itself, labels that start "
            "with it, labels with a word that does, then the same for synonyms",
        ),
    ] = None,
    term_ids: Annotated[
        list[str] | None,
        Query(
            alias="id",
            max_length=MAX_LIMIT,
            description="Ids to look up (repeatable, up to 50), e.g. topic_0121 or 9606",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
) -> TermList:
    if (q is None) == (term_ids is None):
        raise _query_error("q", "one_of", "give exactly one of q and id")
    if term_ids is not None:
        if any(not 1 <= len(t) <= MAX_ID for t in term_ids):
            raise _query_error("id", "max_length", f"an id has 1 to {MAX_ID} characters")
        found = [t for t in (index.get(vocabulary, i) for i in dict.fromkeys(term_ids)) if t]
        return TermList(vocabulary=vocabulary, items=[_read(term) for term in found])
    assert q is not None
    if not fold(q):
        raise _query_error("q", "min_length", "q must have a letter, digit or sign")
    matches = index.search(vocabulary, q, limit=limit)
    return TermList(vocabulary=vocabulary, items=[_read(m.term, m) for m in matches])
