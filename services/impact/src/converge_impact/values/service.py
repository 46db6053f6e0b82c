"""The workflow of reported values: draft -> submitted -> validated.

- A steward (or admin) of the Node creates a value (a draft), edits it, and submits it.
- A Node admin validates a submitted value, or returns it to draft with a note.
- Correcting a value that was submitted or validated: a steward's correction sends it back
  to draft (a validated figure leaves the public record until validated again); an admin's
  correction keeps its status (the admin is the validator, and is recorded as such).
- Every change is kept in ``value_changes``: who, when, old and new value, old and new status.
- Only validated values are public; stewards see every state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from converge_common.auth import Principal
from converge_common.db import utcnow
from converge_common.errors import FieldError, Forbidden, InvalidInput, NotFound
from converge_common.pagination import KeysetCursor, PageRequest, SortField, keyset_page
from converge_common.tokens import SignedToken
from sqlalchemy.ext.asyncio import AsyncSession

from converge_impact.indicators import repository as indicators
from converge_impact.models import Indicator, ReportedValue, ValueChange
from converge_impact.periods import granularity_of
from converge_impact.values import repository
from converge_impact.values.exceptions import EtagMismatch, EtagRequired, ValueExists, WrongState
from converge_impact.values.schemas import ValueCreate, ValueRead, ValueUpdate

__all__ = [
    "SORTS",
    "Actor",
    "create",
    "etag_of",
    "get",
    "history",
    "list_values",
    "return_to_draft",
    "submit",
    "to_read",
    "update",
    "validate",
]


SORTS = [SortField("id", ReportedValue.id), SortField("updated_at", ReportedValue.updated_at)]


@dataclass(frozen=True)
class Actor:
    """Who acts, and whether they may see drafts (steward) or validate (admin)."""

    subject: str
    steward: bool
    admin: bool

    @classmethod
    def of(cls, principal: Principal | None, node_id: str) -> Actor:
        if principal is None:
            return cls("anonymous", steward=False, admin=False)
        return cls(
            principal.subject,
            steward=principal.has_node_role(node_id, "steward"),
            admin=principal.has_node_role(node_id, "admin"),
        )


def etag_of(value: ReportedValue) -> str:
    return f'"value-{value.id}.v{value.version}"'


def to_read(value: ReportedValue, indicator: Indicator) -> ValueRead:
    return ValueRead(
        id=value.id,
        indicator=indicator.code,
        period=value.period,
        granularity=granularity_of(value.period),
        value=value.value,
        unit=indicator.unit,
        evidence_url=value.evidence_url,
        evidence_note=value.evidence_note,
        status=value.status,
        version=value.version,
        created_by=value.created_by,
        created_at=value.created_at,
        updated_by=value.updated_by,
        updated_at=value.updated_at,
        submitted_at=value.submitted_at,
        validated_by=value.validated_by,
        validated_at=value.validated_at,
    )


def _record(
    session: AsyncSession,
    value: ReportedValue,
    *,
    action: str,
    actor: str,
    at: datetime,
    old_value: float | None,
    old_status: str | None,
    note: str | None = None,
) -> None:
    repository.add(
        session,
        ValueChange(
            value_id=value.id,
            action=action,
            actor=actor,
            at=at,
            old_value=old_value,
            new_value=value.value,
            old_status=old_status,
            new_status=value.status,
            note=note,
        ),
    )


async def reported_indicator(session: AsyncSession, code: str, *, pointer: str) -> Indicator:
    indicator = await indicators.by_code(session, code)
    if indicator is None:
        raise InvalidInput(
            f"No indicator {code!r}", errors=[FieldError(pointer, "unknown_indicator", code)]
        )
    if indicator.source != "reported":
        raise InvalidInput(
            f"{code!r} is derived from the Node's services; it cannot be reported",
            errors=[FieldError(pointer, "derived_indicator", "derived values are computed")],
        )
    return indicator


async def create(
    session: AsyncSession, body: ValueCreate, *, actor: Actor, action: str = "create"
) -> tuple[ReportedValue, Indicator]:
    indicator = await reported_indicator(session, body.indicator, pointer="/indicator")
    existing = await repository.by_indicator_period(session, indicator.id, body.period)
    if existing is not None:
        raise ValueExists(
            f"{body.indicator} already has a value for {body.period}; correct that one",
            value_id=existing.id,
        )
    now = utcnow()
    value = ReportedValue(
        indicator_id=indicator.id,
        period=body.period,
        granularity=granularity_of(body.period),
        value=body.value,
        evidence_url=body.evidence_url,
        evidence_note=body.evidence_note,
        status="draft",
        version=1,
        created_by=actor.subject,
        created_at=now,
        updated_by=actor.subject,
        updated_at=now,
    )
    repository.add(session, value)
    await session.flush()
    _record(
        session, value, action=action, actor=actor.subject, at=now, old_value=None, old_status=None
    )
    return value, indicator


async def list_values(
    session: AsyncSession,
    *,
    actor: Actor,
    page: PageRequest,
    codec: SignedToken[KeysetCursor],
    indicator: str | None,
    period: str | None,
    statuses: Sequence[str],
) -> tuple[list[ValueRead], str | None]:
    """Validated values for everyone; the Node's stewards may ask for any status."""
    catalogue = await indicators.by_codes(session)
    indicator_id = None
    if indicator is not None:
        if indicator not in catalogue:
            raise InvalidInput(
                f"No indicator {indicator!r}",
                errors=[FieldError("/indicator", "unknown_indicator", indicator)],
            )
        indicator_id = catalogue[indicator].id
    stmt = repository.values_query(
        statuses=list(statuses) if actor.steward else ["validated"],
        indicator_id=indicator_id,
        period=period,
    )
    rows, next_cursor = await keyset_page(
        session, stmt, request=page, sort_fields=SORTS, tiebreak=ReportedValue.id, codec=codec
    )
    by_id = {i.id: i for i in catalogue.values()}
    return [to_read(r, by_id[r.indicator_id]) for r in rows], next_cursor


async def get(
    session: AsyncSession, value_id: int, *, actor: Actor
) -> tuple[ReportedValue, Indicator]:
    found = await repository.by_id(session, value_id)
    if found is None or (found[0].status != "validated" and not actor.steward):
        raise NotFound(f"No value {value_id}")
    return found


def _check_etag(value: ReportedValue, if_match: str | None) -> None:
    if if_match is None:
        raise EtagRequired("Send If-Match with the value's ETag to change it")
    wanted = {tag.strip() for tag in if_match.split(",")}
    if etag_of(value) not in wanted and f"W/{etag_of(value)}" not in wanted and "*" not in wanted:
        raise EtagMismatch(
            "The value changed since you read it; fetch it again and reapply your change",
            current_etag=etag_of(value),
        )


def _touch(value: ReportedValue, actor: Actor, now: datetime) -> None:
    value.version += 1
    value.updated_by = actor.subject
    value.updated_at = now


async def update(
    session: AsyncSession,
    value_id: int,
    body: ValueUpdate,
    *,
    actor: Actor,
    if_match: str | None,
) -> tuple[ReportedValue, Indicator]:
    value, indicator = await get(session, value_id, actor=actor)
    _check_etag(value, if_match)
    changes = body.model_dump(exclude_unset=True, exclude={"note"})
    old_value, old_status = value.value, value.status
    now = utcnow()
    for key, new in changes.items():
        if key == "value" and new is None:
            raise InvalidInput(
                "value cannot be null", errors=[FieldError("/value", "required", "a number")]
            )
        setattr(value, key, new)
    if value.status != "draft" and not actor.admin:
        # a steward's correction goes through the workflow again
        value.status = "draft"
        value.submitted_at = None
        value.validated_at = None
        value.validated_by = None
    elif value.status == "validated":
        value.validated_by = actor.subject
        value.validated_at = now
    _touch(value, actor, now)
    _record(
        session,
        value,
        action="update",
        actor=actor.subject,
        at=now,
        old_value=old_value,
        old_status=old_status,
        note=body.note,
    )
    return value, indicator


async def _transition(
    session: AsyncSession,
    value_id: int,
    *,
    actor: Actor,
    action: str,
    allowed_from: str,
    to: str,
    note: str | None,
) -> tuple[ReportedValue, Indicator]:
    value, indicator = await get(session, value_id, actor=actor)
    if value.status != allowed_from:
        raise WrongState(
            f"This value is {value.status}; {action} needs a {allowed_from} value",
            value_status=value.status,
        )
    now = utcnow()
    old = value.status
    value.status = to
    if to == "submitted":
        value.submitted_at = now
    if to == "validated":
        value.validated_by, value.validated_at = actor.subject, now
    if to == "draft":
        value.submitted_at = None
    _touch(value, actor, now)
    _record(
        session,
        value,
        action=action,
        actor=actor.subject,
        at=now,
        old_value=value.value,
        old_status=old,
        note=note,
    )
    return value, indicator


async def submit(
    session: AsyncSession, value_id: int, *, actor: Actor, note: str | None = None
) -> tuple[ReportedValue, Indicator]:
    return await _transition(
        session,
        value_id,
        actor=actor,
        action="submit",
        allowed_from="draft",
        to="submitted",
        note=note,
    )


def _require_admin(actor: Actor) -> None:
    if not actor.admin:
        raise Forbidden("Validating needs the Node admin role")


async def validate(
    session: AsyncSession, value_id: int, *, actor: Actor, note: str | None = None
) -> tuple[ReportedValue, Indicator]:
    _require_admin(actor)
    return await _transition(
        session,
        value_id,
        actor=actor,
        action="validate",
        allowed_from="submitted",
        to="validated",
        note=note,
    )


async def return_to_draft(
    session: AsyncSession, value_id: int, *, actor: Actor, note: str | None = None
) -> tuple[ReportedValue, Indicator]:
    _require_admin(actor)
    return await _transition(
        session,
        value_id,
        actor=actor,
        action="return",
        allowed_from="submitted",
        to="draft",
        note=note,
    )


async def history(session: AsyncSession, value_id: int, *, actor: Actor) -> Sequence[ValueChange]:
    value, _indicator = await get(session, value_id, actor=actor)
    return await repository.changes_of(session, value.id)
