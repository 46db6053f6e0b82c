"""What the workspace's catalogue pages show, from the service layer (never over HTTP)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, get_args

from converge_common.errors import FieldError
from converge_common.languages import pick_text
from converge_common.tokens import SignedToken
from sqlalchemy.ext.asyncio import AsyncSession

from converge_metadata.models import Record
from converge_metadata.publishing.context import PublicationContext
from converge_metadata.publishing.fair import service as fair
from converge_metadata.records.schemas import AccessLevel, RecordStatus, RecordType
from converge_metadata.search import service as search
from converge_metadata.search.schemas import SearchFilters, SearchResponse
from converge_metadata.vocab import Vocabularies
from converge_metadata.workspace import repository

__all__ = [
    "ACCESS_LEVELS",
    "STATUSES",
    "TYPES",
    "Dashboard",
    "RecordsQuery",
    "RecordsView",
    "check_days",
    "dashboard",
    "parse_records_query",
    "records_page",
]

TYPES: tuple[str, ...] = get_args(RecordType)
STATUSES: tuple[str, ...] = get_args(RecordStatus)
ACCESS_LEVELS: tuple[str, ...] = get_args(AccessLevel)
PAGE_SIZE = 20
MAX_Q = 500
MAX_CURSOR = 1000
DASHBOARD_ITEMS = 10
EMBARGO_DAYS = 30
MAX_EMBARGO_DAYS = 366


@dataclass(frozen=True)
class RecordsQuery:
    """The records list's filters, as the form sends them (checked)."""

    q: str = ""
    types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    access: tuple[str, ...] = ()
    cursor: str | None = None

    @property
    def filters(self) -> SearchFilters:
        return SearchFilters.model_validate(
            {
                "q": self.q or None,
                "type": list(self.types),
                "status": list(self.statuses),
                "access": list(self.access),
            }
        )

    @property
    def active(self) -> bool:
        return bool(self.q or self.types or self.statuses or self.access)


def _choices(
    params: Sequence[tuple[str, str]], name: str, allowed: tuple[str, ...]
) -> tuple[tuple[str, ...], list[FieldError]]:
    values = [v for k, v in params if k == name and v]
    errors = [
        FieldError(f"/{name}", "enum", f"{v!r} is not one of {', '.join(allowed)}")
        for v in values
        if v not in allowed
    ]
    kept = tuple(dict.fromkeys(v for v in values if v in allowed))
    return kept, errors


def parse_records_query(params: Sequence[tuple[str, str]]) -> tuple[RecordsQuery, list[FieldError]]:
    """The list's query from the URL; what is wrong, named by field and rule (and left out)."""
    errors: list[FieldError] = []
    q = next((v for k, v in params if k == "q"), "").strip()
    if len(q) > MAX_Q:
        errors.append(FieldError("/q", "max_length", f"at most {MAX_Q} characters"))
        q = ""
    types, wrong = _choices(params, "type", TYPES)
    errors += wrong
    statuses, wrong = _choices(params, "status", STATUSES)
    errors += wrong
    access, wrong = _choices(params, "access", ACCESS_LEVELS)
    errors += wrong
    cursor = next((v for k, v in params if k == "cursor"), None) or None
    if cursor is not None and len(cursor) > MAX_CURSOR:
        errors.append(FieldError("/cursor", "max_length", "not a cursor of this list"))
        cursor = None
    return RecordsQuery(q, types, statuses, access, cursor), errors


@dataclass(frozen=True)
class Row:
    """One record as the list shows it."""

    id: str
    title: str
    title_lang: str | None
    type: str
    status: str
    access: str
    embargo_until: date | None
    modified_at: Any


@dataclass(frozen=True)
class RecordsView:
    rows: list[Row]
    total: int | None
    next_cursor: str | None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)


async def records_page(
    session: AsyncSession,
    query: RecordsQuery,
    *,
    node: str,
    today: date,
    codec: SignedToken[search.SearchCursor],
    vocab: Vocabularies,
    languages: Sequence[str],
) -> RecordsView:
    """One page of the Node's live records (drafts, running embargoes, controlled ones),
    newest first, or by relevance with text: the API's search as a steward runs it."""
    answer: SearchResponse = await search.search(
        session,
        query.filters,
        sort=None,
        limit=PAGE_SIZE,
        cursor=query.cursor,
        steward=True,
        today=today,
        node=node,
        codec=codec,
        vocab=vocab,
        facet_limit=10,
        languages=languages,
    )
    stored = await repository.get_records(session, [hit.id for hit in answer.items])
    rows = []
    for hit in answer.items:
        record = stored.get(hit.id)
        rows.append(
            Row(
                id=hit.id,
                title=hit.title,
                title_lang=hit.title_language,
                type=hit.type,
                status=record.status if record else "",
                access=hit.access,
                embargo_until=record.embargo_until if record else None,
                modified_at=hit.modified_at,
            )
        )
    counts = {
        dim: {v.value: v.count for v in values}
        for dim, values in answer.facets.items()
        if dim in ("type", "access")
    }
    return RecordsView(rows=rows, total=answer.total, next_cursor=answer.next_cursor, counts=counts)


@dataclass(frozen=True)
class Listed:
    id: str
    title: str
    title_lang: str | None
    type: str
    status: str
    when: Any


@dataclass(frozen=True)
class Assessed:
    record: Listed
    score: float
    failed: list[tuple[str, str]]  # (metric name, hint)


@dataclass(frozen=True)
class Dashboard:
    drafts: list[Listed]
    draft_count: int
    embargoes: list[Listed]
    embargo_count: int
    days: int
    records: int
    lowest: list[Assessed]
    gaps: list[fair.FairGap]

    @property
    def steward_gaps(self) -> list[fair.FairGap]:
        return [gap for gap in self.gaps if not gap.by_operator]

    @property
    def operator_gaps(self) -> list[fair.FairGap]:
        return [gap for gap in self.gaps if gap.by_operator]


def _listed(record: Record, when: Any, languages: Sequence[str]) -> Listed:
    title, lang = pick_text(record.document.get("title"), list(languages))
    return Listed(
        id=record.local_id,
        title=title or record.local_id,
        title_lang=lang,
        type=record.type,
        status=record.status,
        when=when,
    )


def check_days(value: str | None) -> tuple[int, list[FieldError]]:
    """``days`` of the embargo list: 1 to 366, 30 when not given (or when wrong, with why)."""
    if value is None or value == "":
        return EMBARGO_DAYS, []
    if not value.isdigit() or not 1 <= int(value) <= MAX_EMBARGO_DAYS:
        rule = f"a whole number of days from 1 to {MAX_EMBARGO_DAYS}"
        return EMBARGO_DAYS, [FieldError("/days", "range", rule)]
    return int(value), []


async def dashboard(
    session: AsyncSession,
    *,
    context: PublicationContext,
    today: date,
    days: int,
    languages: Sequence[str],
) -> Dashboard:
    """Drafts, embargoes ending within ``days``, and the lowest FAIR scores with their hints."""
    until = today + timedelta(days=days)
    drafts = await repository.recent_drafts(session, limit=DASHBOARD_ITEMS)
    embargoes = await repository.embargoes_ending(
        session, today=today, until=until, limit=DASHBOARD_ITEMS
    )
    worklist = await fair.worklist(session, context=context, limit=DASHBOARD_ITEMS)
    operator = {gap.metric_id for gap in worklist.gaps if gap.by_operator}
    return Dashboard(
        drafts=[_listed(r, r.modified_at, languages) for r in drafts],
        draft_count=await repository.count_drafts(session),
        embargoes=[_listed(r, r.embargo_until, languages) for r in embargoes],
        embargo_count=await repository.count_embargoes_ending(session, today=today, until=until),
        days=days,
        records=worklist.records,
        lowest=[
            Assessed(
                record=_listed(row, row.modified_at, languages),
                score=result.score,
                failed=[
                    (m.name, m.hint or "")
                    for m in result.metrics
                    if not m.passed and m.id not in operator
                ],
            )
            for row, result in worklist.lowest
        ],
        gaps=worklist.gaps,
    )
