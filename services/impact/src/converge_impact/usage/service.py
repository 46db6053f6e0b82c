"""Usage rules: ingest events (feed, log files), process months by the Code of Practice, and
answer Dataset Master Reports and monthly totals.

Client addresses and cookies from log files are hashed before anything is stored, under a
random salt per UTC day that lives only for one load (so a day's users are the same users
within a file, and nobody can map the stored hashes back to addresses afterwards). Events
from the metadata service arrive already hashed under that service's daily salt.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import itertools
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
from converge_common.errors import FieldError, InvalidInput
from sqlalchemy.ext.asyncio import AsyncSession

from converge_impact.usage import reports, repository
from converge_impact.usage.agents import Agent, classify
from converge_impact.usage.parsers import Hit, LineError
from converge_impact.usage.processing import EventArrays, MonthlyCounts, count_usage
from converge_impact.usage.schemas import FeedEvent, FeedPage

__all__ = [
    "ACCESS_METHODS",
    "FeedIngest",
    "LoadReport",
    "UsageTotals",
    "available_months",
    "dataset_master_report",
    "feed_months",
    "ingest_feed_page",
    "ingest_hits",
    "month_of",
    "monthly_totals",
    "parse_report_month",
    "process_months",
    "store_month",
]

ACCESS_METHODS = ("Regular", "Machine")
MAX_REPORTED_ERRORS = 100
_INGEST_CHUNK = 10_000


@dataclass(frozen=True)
class UsageTotals:
    """One month's DSR totals over every dataset, regular and machine access together."""

    total_investigations: int = 0
    unique_investigations: int = 0
    total_requests: int = 0
    unique_requests: int = 0


@dataclass
class LoadReport:
    lines: int = 0
    counted: int = 0
    robots: int = 0
    ignored: int = 0
    rejected: int = 0
    errors: list[LineError] = field(default_factory=list)
    months: list[str] = field(default_factory=list)


def month_of(seconds: int) -> str:
    return _month_of_day(seconds // 86_400)


@lru_cache(maxsize=4096)
def _month_of_day(day: int) -> str:
    return datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m")


@lru_cache(maxsize=4096)
def _month_start(month: str) -> int:
    return calendar.timegm((int(month[:4]), int(month[5:7]), 1, 0, 0, 0))


def _next_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"


def _previous_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year - (mon == 1):04d}-{(mon - 2) % 12 + 1:02d}"


def _hash(salt: bytes, *parts: str) -> str:
    return hmac.new(
        salt, "\x1f".join(parts).encode("utf-8", "replace"), hashlib.sha256
    ).hexdigest()[:32]


class _LoadSalts:
    """A random salt per UTC day, for one load only."""

    def __init__(self) -> None:
        self._salts: dict[int, bytes] = {}

    def for_time(self, seconds: int) -> bytes:
        day = seconds // 86_400
        salt = self._salts.get(day)
        if salt is None:
            salt = self._salts[day] = secrets.token_bytes(32)
        return salt


def _user_key(hit: Hit, salt: bytes) -> str:
    # COUNTER's order: the signed-in user, the user cookie, the session cookie, else the
    # client address with its user agent
    if hit.user_id:
        return "u:" + _hash(salt, "user", hit.user_id)
    if hit.user_cookie:
        return "c:" + _hash(salt, "cookie", hit.user_cookie)
    if hit.session_cookie:
        return "s:" + _hash(salt, "session", hit.session_cookie)
    return "i:" + _hash(salt, "client", hit.client_ip, hit.user_agent)


def _affected(months: set[str], first_seconds: set[str]) -> list[str]:
    # an event in a month's first 30 s can remove a double click at the end of the month before
    return sorted(months | {_previous_month(m) for m in first_seconds})


def _chunks(
    items: Iterable[Hit | LineError | None], size: int
) -> Iterator[list[Hit | LineError | None]]:
    batch: list[Hit | LineError | None] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


async def ingest_hits(
    session: AsyncSession, hits: Iterable[Hit | LineError | None], *, source: str
) -> LoadReport:
    """Store parsed log lines (robots are counted, not stored) and reprocess their months."""
    report = LoadReport()
    salts = _LoadSalts()
    months: set[str] = set()
    early: set[str] = set()
    for batch in _chunks(hits, _INGEST_CHUNK):
        rows: list[dict[str, Any]] = []
        facts: dict[str, dict[str, Any]] = {}
        for item in batch:
            report.lines += 1
            if item is None:
                report.ignored += 1
                continue
            if isinstance(item, LineError):
                report.rejected += 1
                if len(report.errors) < MAX_REPORTED_ERRORS:
                    report.errors.append(item)
                continue
            agent = classify(item.user_agent)
            if agent is Agent.ROBOT:
                report.robots += 1
                continue
            month = month_of(item.occurred_s)
            months.add(month)
            if item.occurred_s - _month_start(month) < 30:
                early.add(month)
            rows.append(
                {
                    "occurred_s": item.occurred_s,
                    "month": month,
                    "dataset_id": item.dataset_id,
                    "kind": item.kind,
                    "access": int(agent),
                    "resource": item.resource,
                    "user_key": _user_key(item, salts.for_time(item.occurred_s)),
                    "source": source,
                    "source_ref": None,
                }
            )
            known = facts.setdefault(item.dataset_id, {})
            if item.facts is not None:
                for name in ("doi", "title", "publisher", "publication_year"):
                    value = getattr(item.facts, name)
                    if value is not None:
                        known[name] = value
        report.counted += len(rows)
        await repository.upsert_datasets(session, facts)
        await repository.insert_events(session, rows)
    report.months = _affected(months, early)
    await process_months(session, report.months)
    return report


_RESOURCES = {"api": "api", "jsonld": "api", "datacite": "api", "rdf": "api"}


def _feed_resource(event: FeedEvent) -> str:
    if event.kind == "request":
        return f"download:{event.distribution or 0}"
    return _RESOURCES.get(event.channel, event.channel)


def _feed_user_key(event: FeedEvent) -> str:
    if event.user_hash:
        return "u:" + event.user_hash
    if event.session_hash:
        return "s:" + event.session_hash
    return "i:" + event.client_hash


@dataclass
class FeedIngest:
    events: int = 0
    counted: int = 0
    robots: int = 0
    not_datasets: int = 0
    months: set[str] = field(default_factory=set)
    early: set[str] = field(default_factory=set)


async def ingest_feed_page(session: AsyncSession, page: FeedPage, *, into: FeedIngest) -> None:
    """Store one validated page of the metadata service's events (datasets only)."""
    rows: list[dict[str, Any]] = []
    for event in page.items:
        into.events += 1
        facts = page.records.get(event.record_id)
        if facts is None or facts.type != "Dataset":
            into.not_datasets += 1
            continue
        agent = classify(event.user_agent)
        if agent is Agent.ROBOT:
            into.robots += 1
            continue
        seconds = int(event.occurred_at.timestamp())
        month = month_of(seconds)
        into.months.add(month)
        if seconds - _month_start(month) < 30:
            into.early.add(month)
        rows.append(
            {
                "occurred_s": seconds,
                "month": month,
                "dataset_id": event.record_id,
                "kind": 1 if event.kind == "request" else 0,
                "access": int(agent),
                "resource": _feed_resource(event),
                "user_key": _feed_user_key(event),
                "source": "feed",
                "source_ref": str(event.id),
            }
        )
    into.counted += len(rows)
    datasets = {
        record_id: {
            "doi": facts.doi,
            "title": facts.title or None,
            "publisher": facts.publisher,
            "publication_year": facts.publication_year,
        }
        for record_id, facts in page.records.items()
        if facts.type == "Dataset"
    }
    await repository.upsert_datasets(session, datasets)
    await repository.insert_events(session, rows)


def feed_months(ingest: FeedIngest) -> list[str]:
    return _affected(ingest.months, ingest.early)


def _codes(values: Sequence[str]) -> tuple[npt.NDArray[np.int64], list[str]]:
    index: dict[str, int] = {}
    codes = np.fromiter(
        (index.setdefault(v, len(index)) for v in values), dtype=np.int64, count=len(values)
    )
    return codes, list(index)


async def process_months(session: AsyncSession, months: Sequence[str]) -> int:
    """Recount each month from its events; returns the number of monthly rows written."""
    written = 0
    for month in months:
        following = _next_month(month)
        until = _month_start(following)
        rows = await repository.events_for_processing(
            session, month=month, next_month=following, lookahead_until_s=until + 30
        )
        await repository.replace_months(session, [month])
        if not rows:
            continue
        occurred, datasets, kinds, access, resources, users = zip(*rows, strict=True)
        dataset_codes, dataset_ids = _codes(datasets)
        user_codes, _ = _codes(users)
        resource_codes, _ = _codes(resources)
        events = EventArrays(
            occurred_s=np.asarray(occurred, dtype=np.int64),
            dataset=dataset_codes,
            kind=np.asarray(kinds, dtype=np.int64),
            access=np.asarray(access, dtype=np.int64),
            resource=resource_codes,
            user=user_codes,
            user_by_address=np.fromiter((u[0] == "i" for u in users), dtype=np.bool_),
        )
        counts = count_usage(events, count_from_s=_month_start(month), count_until_s=until)
        written += await store_month(session, month, counts, dataset_ids)
    return written


async def store_month(
    session: AsyncSession, month: str, counts: MonthlyCounts, dataset_ids: Sequence[str]
) -> int:
    """Write one month's counts (``counts.dataset`` indexes ``dataset_ids``); returns the
    number of rows."""
    rows = list(
        zip(
            itertools.repeat(month),
            [dataset_ids[d] for d in counts.dataset.tolist()],
            [ACCESS_METHODS[a] for a in counts.access.tolist()],
            counts.total_investigations.tolist(),
            counts.unique_investigations.tolist(),
            counts.total_requests.tolist(),
            counts.unique_requests.tolist(),
        )
    )
    await repository.insert_monthly(session, rows)
    return len(rows)


async def monthly_totals(
    session: AsyncSession, *, begin: date, end: date
) -> dict[str, UsageTotals]:
    """Per month ``YYYY-MM`` from ``begin``'s month to ``end``'s month, the DSR's totals over
    every dataset and both access methods. Months without usage are absent."""
    sums = await repository.monthly_sums(
        session, first=begin.strftime("%Y-%m"), last=end.strftime("%Y-%m")
    )
    return {m: UsageTotals(ti, ui, tr, ur) for m, ti, ui, tr, ur in sums}


def parse_report_month(value: str, *, parameter: str) -> str:
    """``YYYY-MM`` or ``YYYY-MM-DD`` (SUSHI allows both; reports cover whole months)."""
    for pattern in ("%Y-%m", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, pattern).strftime("%Y-%m")
        except ValueError:
            continue
    raise InvalidInput(
        f"{parameter} must be YYYY-MM or YYYY-MM-DD",
        errors=[FieldError(f"/{parameter}", "date", "a month as YYYY-MM or a date as YYYY-MM-DD")],
    )


def _months(first: str, last: str) -> tuple[str, ...]:
    months = [first]
    while months[-1] < last:
        months.append(_next_month(months[-1]))
    return tuple(months)


MAX_REPORT_MONTHS = 120


async def dataset_master_report(
    session: AsyncSession,
    *,
    begin_date: str,
    end_date: str,
    node_id: str,
    platform: str,
    now: datetime,
) -> tuple[reports.DsrRows, reports.DsrPeriod]:
    first = parse_report_month(begin_date, parameter="begin_date")
    last = parse_report_month(end_date, parameter="end_date")
    if last < first:
        raise InvalidInput(
            "end_date is before begin_date",
            errors=[FieldError("/end_date", "minimum", "end_date must not be before begin_date")],
        )
    months = _months(first, last)
    if len(months) > MAX_REPORT_MONTHS:
        raise InvalidInput(
            f"A report covers at most {MAX_REPORT_MONTHS} months",
            errors=[FieldError("/end_date", "maximum", f"at most {MAX_REPORT_MONTHS} months")],
        )
    rows = await repository.monthly_rows(session, first=first, last=last)
    # the rows come ordered by dataset: each id once, in order
    datasets = await repository.dataset_facts(session, list(dict.fromkeys(r[1] for r in rows)))
    exceptions: list[dict[str, Any]] = []
    if last >= now.strftime("%Y-%m"):
        exceptions.append(
            {
                "Code": 3040,
                "Severity": "Warning",
                "Message": "Partial Data Returned",
                "Data": "Usage for the current month (or later) is still being collected",
            }
        )
    if not rows:
        exceptions.append(
            {
                "Code": 3030,
                "Severity": "Error",
                "Message": "No Usage Available for Requested Dates",
                "Data": f"No usage from {first} to {last}",
            }
        )
    period = reports.DsrPeriod(
        begin=date.fromisoformat(reports.month_bounds(first)[0]),
        end=date.fromisoformat(reports.month_bounds(last)[1]),
        months=months,
        exceptions=tuple(exceptions),
        created=now,
        created_by=f"CONVERGE impact ({node_id})",
        platform=platform,
        node_id=node_id,
    )
    return reports.DsrRows(rows, datasets), period


async def available_months(session: AsyncSession) -> tuple[str | None, str | None]:
    return await repository.month_range(session)
