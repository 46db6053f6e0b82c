"""Usage rules: hashing clients under a daily salt, storing events, and the events feed.

The salt of a UTC day is 32 random bytes kept in ``usage_salts`` (shared by every worker of
the Node) and deleted once the day is over and the next day's events have been written:
after that the day's hashes can no longer be tied to an address, not even by trying all of
IPv4 with the database in hand. Within one day the same client always hashes the same, which
is all COUNTER's one-hour sessions and 30-second double clicks need.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from converge_common.cache import LRUCache
from converge_common.errors import FieldError, Forbidden, NotFound, Unauthorized
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from converge_metadata.models import Record, UsageEvent
from converge_metadata.records.service import Viewer, read_record
from converge_metadata.usage import repository

if TYPE_CHECKING:
    from converge_metadata.usage.recorder import PendingEvent

__all__ = [
    "DownloadTarget",
    "EventsPage",
    "SaltCache",
    "client_hash",
    "download_target",
    "events_page",
    "record_facts",
    "store_events",
]


def client_hash(salt: bytes, *parts: str) -> str:
    """HMAC-SHA256 of the parts under the day's salt, 128 bits in hex."""
    message = "\x1f".join(parts).encode("utf-8", "replace")
    return hmac.new(salt, message, hashlib.sha256).hexdigest()[:32]


class SaltCache:
    """The salts of the days this process is writing events for (today, yesterday, and a
    late event's day at most)."""

    def __init__(self) -> None:
        self.salts: LRUCache[date, bytes] = LRUCache(max_entries=3)

    async def salt_for(self, session: AsyncSession, day: date) -> bytes:
        salt = self.salts.get(day)
        if salt is not None:
            return salt
        stored = await repository.get_salt(session, day)
        if stored is None:
            fresh = secrets.token_hex(32)
            try:
                async with session.begin_nested():
                    await repository.insert_salt(session, day, fresh, datetime.now(UTC))
                stored = fresh
            except IntegrityError:
                # another worker made the day's salt first: use theirs
                stored = await repository.get_salt(session, day)
                if stored is None:
                    raise
            # a new day: the salts of days before yesterday are no longer needed by anyone
            await repository.delete_salts_before(session, day - timedelta(days=1))
        salt = bytes.fromhex(stored)
        self.salts.put(day, salt)
        return salt


async def store_events(
    session: AsyncSession, events: Sequence[PendingEvent], *, salts: SaltCache
) -> None:
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for event in events:
        salt = await salts.salt_for(session, event.occurred_at.date())
        rows.append(
            {
                "occurred_at": event.occurred_at,
                "recorded_at": now,
                "record_id": event.record_id,
                "record_version": event.record_version,
                "kind": event.kind,
                "channel": event.channel,
                "distribution": event.distribution,
                "client_hash": client_hash(salt, "client", event.client_ip, event.user_agent),
                "user_hash": client_hash(salt, "user", event.user) if event.user else None,
                "session_hash": (
                    client_hash(salt, "session", event.session_cookie)
                    if event.session_cookie
                    else None
                ),
                "user_agent": event.user_agent,
            }
        )
    await repository.insert_events(session, rows)


def _title(document: dict[str, Any]) -> str:
    titles = document.get("title") or {}
    if not isinstance(titles, dict) or not titles:
        return ""
    return str(titles.get("en") or next(iter(titles.values())))


def _doi(document: dict[str, Any]) -> str | None:
    for identifier in document.get("identifiers") or []:
        if isinstance(identifier, dict) and identifier.get("scheme") == "doi":
            return str(identifier.get("value"))
    return None


def record_facts(record: Record) -> dict[str, Any]:
    """What a COUNTER report says about a dataset, from the record's current content."""
    document = record.document or {}
    publisher = document.get("publisher") or {}
    return {
        "type": record.type,
        "title": _title(document),
        "doi": _doi(document),
        "publisher": publisher.get("name") if isinstance(publisher, dict) else None,
        "publication_year": record.issued_year,
        "version": record.version,
    }


@dataclass(frozen=True)
class EventsPage:
    events: list[UsageEvent]
    records: dict[str, dict[str, Any]]
    cursor: int


async def events_page(session: AsyncSession, *, after: int, limit: int, lag_s: float) -> EventsPage:
    written_before = datetime.now(UTC) - timedelta(seconds=lag_s)
    events = await repository.events_after(
        session, after=after, limit=limit, written_before=written_before
    )
    ids = sorted({e.record_id for e in events})
    records = {
        r.local_id: record_facts(r) for r in await repository.records_by_local_id(session, ids)
    }
    return EventsPage(events=events, records=records, cursor=events[-1].id if events else after)


@dataclass(frozen=True)
class DownloadTarget:
    record: Record
    url: str


async def download_target(
    session: AsyncSession,
    record_id: str,
    index: int,
    *,
    viewer: Viewer,
    controlled_reader: bool,
    authenticated: bool,
) -> DownloadTarget:
    """Where distribution ``index`` (0-based) of a record leads, if the viewer may follow it:
    the metadata of a controlled record is public, its data only for controlled-access
    readers and the Node's stewards."""
    record = await read_record(session, record_id, viewer=viewer)
    distributions = ((record.document or {}).get("dataset") or {}).get("distributions") or []
    if not 0 <= index < len(distributions):
        raise NotFound(
            f"Record {record_id!r} has no distribution {index}",
            errors=[FieldError("/n", "exists", f"{len(distributions)} distribution(s)")],
        )
    if record.access_level == "controlled" and not (viewer.steward or controlled_reader):
        detail = "The data of a controlled-access record need the controlled-access reader role"
        if not authenticated:
            raise Unauthorized(detail, token_present=False)
        raise Forbidden(detail)
    distribution = distributions[index]
    url = distribution.get("download_url") or distribution.get("access_url")
    return DownloadTarget(record=record, url=str(url))
