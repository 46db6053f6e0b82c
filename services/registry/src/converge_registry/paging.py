"""Query parameters shared by every list of the registry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from converge_common.inputs import INT32_MAX
from converge_common.pagination import KeysetCursor, PageRequest
from converge_common.tokens import SignedToken
from fastapi import Query, Request

__all__ = ["Cursor", "Limit", "Sort", "codec", "page_request"]

Limit = Annotated[int | None, Query(ge=1, le=INT32_MAX, description="Page size (capped)")]
Cursor = Annotated[str | None, Query(description="Opaque cursor from the previous page")]
Sort = Annotated[str | None, Query(description="Sort field; prefix with - for descending")]


def page_request(
    request: Request,
    *,
    limit: int | None,
    cursor: str | None,
    sort: str | None,
    allowed: Sequence[str],
    default_sort: str,
) -> PageRequest:
    settings = request.app.state.settings
    return PageRequest.parse(
        limit=limit,
        cursor=cursor,
        sort=sort,
        allowed=allowed,
        default_sort=default_sort,
        default_limit=settings.page_size_default,
        max_limit=settings.page_size_max,
    )


def codec(request: Request) -> SignedToken[KeysetCursor]:
    value: SignedToken[KeysetCursor] = request.app.state.keyset_tokens
    return value
