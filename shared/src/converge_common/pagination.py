"""One pagination envelope, opaque signed cursors, keyset paging with a stable tiebreaker."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from converge_common.errors import BadRequest, FieldError
from converge_common.tokens import SignedToken

__all__ = [
    "KeysetCursor",
    "Page",
    "PageRequest",
    "SortField",
    "keyset_page",
    "keyset_tokens",
]

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """Every list in every service answers with this envelope."""

    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Opaque token for the next page; absent on the last page"
    )
    limit: int
    total: int | None = Field(default=None, description="Matching items, when cheap to count")


class KeysetCursor(BaseModel):
    """Where a keyset page ended: the sort it was read in, the last row's sort value
    (``at`` when that value is a datetime) and its tiebreak key."""

    sort: str
    value: bool | int | float | str | None = None
    at: datetime | None = None
    key: int | str


def keyset_tokens(secret: str | bytes) -> SignedToken[KeysetCursor]:
    """The ``cursor`` of every keyset-paged list."""
    return SignedToken(KeysetCursor, secret=secret, purpose="keyset-cursor")


@dataclass(frozen=True)
class SortField:
    """A sort key callers may ask for; ``column`` is the ORM attribute."""

    name: str
    column: InstrumentedAttribute[Any]


@dataclass(frozen=True)
class PageRequest:
    limit: int
    cursor: str | None
    sort: str
    descending: bool

    @classmethod
    def parse(
        cls,
        *,
        limit: int | None,
        cursor: str | None,
        sort: str | None,
        allowed: Sequence[str],
        default_sort: str,
        default_limit: int,
        max_limit: int,
    ) -> PageRequest:
        raw = sort or default_sort
        descending = raw.startswith("-")
        name = raw.lstrip("-")
        if name not in allowed:
            raise BadRequest(
                f"Cannot sort by {name!r}; allowed: {', '.join(allowed)}",
                errors=[FieldError("/sort", "enum", f"one of {', '.join(allowed)}")],
            )
        size = default_limit if limit is None else limit
        if size < 1:
            raise BadRequest(
                "limit must be at least 1", errors=[FieldError("/limit", "minimum", ">= 1")]
            )
        return cls(min(size, max_limit), cursor, name, descending)


def _after(
    column: InstrumentedAttribute[Any],
    tiebreak: InstrumentedAttribute[Any],
    value: Any,
    key: Any,
    desc: bool,
) -> ColumnElement[bool]:
    # NULLs sort last ascending and first descending, ties broken by the key
    if value is None:
        return (
            and_(column.is_(None), tiebreak > key)
            if not desc
            else or_(column.is_not(None), and_(column.is_(None), tiebreak < key))
        )
    if desc:
        return or_(column < value, and_(column == value, tiebreak < key))
    return or_(column > value, and_(column == value, tiebreak > key), column.is_(None))


async def keyset_page(
    session: AsyncSession,
    stmt: Select[Any],
    *,
    request: PageRequest,
    sort_fields: Sequence[SortField],
    tiebreak: InstrumentedAttribute[Any],
    codec: SignedToken[KeysetCursor],
) -> tuple[list[Any], str | None]:
    """Keyset (seek) pagination: stable under inserts, constant cost per page.

    ``stmt`` selects ORM entities; the cursor holds the last row's sort value and tiebreak key.
    """
    field = next(f for f in sort_fields if f.name == request.sort)
    column, desc = field.column, request.descending
    sort = f"{'-' if desc else ''}{field.name}"
    if request.cursor:
        state = codec.loads(request.cursor)
        if state.sort != sort:
            raise BadRequest(
                "The cursor belongs to a different sort order",
                errors=[FieldError("/cursor", "cursor", "sort changed between pages")],
            )
        value = state.at if state.at is not None else state.value
        stmt = stmt.where(_after(column, tiebreak, value, state.key, desc))
    if desc:
        order = [column.desc().nulls_first(), tiebreak.desc()]
    else:
        order = [column.asc().nulls_last(), tiebreak.asc()]
    rows = list((await session.scalars(stmt.order_by(*order).limit(request.limit + 1))).all())
    next_cursor = None
    if len(rows) > request.limit:
        rows = rows[: request.limit]
        last = rows[-1]
        value = getattr(last, column.key)
        key = getattr(last, tiebreak.key)
        if isinstance(value, datetime):
            following = KeysetCursor(sort=sort, at=value, key=key)
        else:
            following = KeysetCursor(sort=sort, value=value, key=key)
        next_cursor = codec.dumps(following)
    return rows, next_cursor
