"""One pagination envelope, opaque signed cursors, keyset paging with a stable tiebreaker."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import orjson
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from converge_common.errors import BadRequest, FieldError

__all__ = [
    "CursorCodec",
    "Page",
    "PageRequest",
    "SortField",
    "keyset_page",
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


class CursorCodec:
    """Opaque, tamper-evident cursor tokens: base64url(JSON) + truncated HMAC-SHA256."""

    def __init__(self, secret: bytes, *, purpose: str = "cursor") -> None:
        self._key = hashlib.sha256(secret + b"\x00" + purpose.encode()).digest()

    def encode(self, payload: dict[str, Any]) -> str:
        body = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
        sig = hmac.new(self._key, body, hashlib.sha256).digest()[:12]
        return base64.urlsafe_b64encode(sig + body).rstrip(b"=").decode()

    def decode(self, token: str, *, parameter: str = "cursor") -> dict[str, Any]:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            sig, body = raw[:12], raw[12:]
            expected = hmac.new(self._key, body, hashlib.sha256).digest()[:12]
            if not hmac.compare_digest(sig, expected):
                raise ValueError("signature")
            payload = orjson.loads(body)
            if not isinstance(payload, dict):
                raise ValueError("shape")
            return payload
        except ValueError as exc:
            raise BadRequest(
                f"The {parameter} is not one this service issued",
                errors=[FieldError(f"/{parameter}", "cursor", "malformed or tampered cursor")],
            ) from exc


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
    codec: CursorCodec,
) -> tuple[list[Any], str | None]:
    """Keyset (seek) pagination: stable under inserts, constant cost per page.

    ``stmt`` selects ORM entities; the cursor holds the last row's sort value and tiebreak key.
    """
    field = next(f for f in sort_fields if f.name == request.sort)
    column, desc = field.column, request.descending
    if request.cursor:
        state = codec.decode(request.cursor)
        if state.get("s") != f"{'-' if desc else ''}{field.name}":
            raise BadRequest(
                "The cursor belongs to a different sort order",
                errors=[FieldError("/cursor", "cursor", "sort changed between pages")],
            )
        value = state.get("v")
        if state.get("t") == "dt" and isinstance(value, str):
            value = datetime.fromisoformat(value)
        stmt = stmt.where(_after(column, tiebreak, value, state.get("k"), desc))
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
        state_out: dict[str, Any] = {
            "s": f"{'-' if desc else ''}{field.name}",
            "k": getattr(last, tiebreak.key),
        }
        if isinstance(value, datetime):
            state_out.update(v=value.isoformat(), t="dt")
        else:
            state_out["v"] = value
        next_cursor = codec.encode(state_out)
    return rows, next_cursor
