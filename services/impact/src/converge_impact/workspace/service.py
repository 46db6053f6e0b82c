"""What the workspace's pages show and do, through the impact service's own service layer.

Every write goes through the same functions as the API (``values.service``,
``bulk.service``), so a page can do exactly what the API allows the same person, no more:
validating needs the Node admin role there, not only a hidden button here. A problem the API
would answer as ``application/problem+json`` comes back as a :class:`FormState` to show at the
form's fields; the unit of work is rolled back first, so nothing half-done is committed.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from converge_common.db import utcnow
from converge_common.errors import FieldError, InvalidInput, NotFound, ProblemError
from sqlalchemy.ext.asyncio import AsyncSession

from converge_impact.bulk import service as bulk
from converge_impact.bulk.schemas import BulkMode, BulkReport
from converge_impact.derived.schemas import DerivedRead, RefreshReport
from converge_impact.derived.service import list_derived
from converge_impact.indicators import repository as indicators
from converge_impact.models import Indicator, ReportedValue, ValueChange
from converge_impact.periods import PERIOD_PATTERN, Granularity, granularity_of
from converge_impact.reporting import service as reporting
from converge_impact.reporting.schemas import Profile, Series
from converge_impact.values import repository as values
from converge_impact.values import service as workflow
from converge_impact.values.service import Actor
from converge_impact.vocabulary import PATHWAY_NAMES
from converge_impact.workspace.forms import (
    CREATE_FIELDS,
    UPDATE_FIELDS,
    FormState,
    create_body,
    message_for,
    transition_body,
    update_body,
)

__all__ = [
    "GRANULARITIES",
    "STATUSES",
    "ChartsView",
    "OverviewFilter",
    "Rejection",
    "Transition",
    "ValueView",
    "charts_view",
    "check_year",
    "correct_value",
    "correction_form",
    "create_value",
    "derived_view",
    "indicator_choices",
    "new_value_form",
    "overview",
    "rejections",
    "report_years",
    "transition",
    "upload_csv",
    "value_view",
    "written_values",
]

STATUSES = ("draft", "submitted", "validated")
# the overview lists at most this many values; the filters narrow it
OVERVIEW_LIMIT = 500
Transition = Literal["submit", "validate", "return"]
_PERIOD = re.compile(PERIOD_PATTERN)


async def _rollback(session: AsyncSession) -> None:
    # a page answers a problem with a form, not an error: the request's unit of work would
    # commit, so what the failed call may have flushed is undone here
    await session.rollback()


# -- the list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rejection:
    """A rejected row of a CSV upload, with the message a person reads for its rule."""

    row: int
    column: str | None
    rule: str
    message: str


def rejections(report: BulkReport) -> list[Rejection]:
    return [
        Rejection(
            r.row,
            r.column,
            r.rule,
            message_for(r.column or "", FieldError(f"/{r.column}", r.rule, r.detail)),
        )
        for r in report.rejected
    ]


@dataclass(frozen=True)
class OverviewFilter:
    status: str | None = None
    indicator: str | None = None
    year: str | None = None

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> OverviewFilter:
        """Unknown filter values are dropped (the form offers only valid ones)."""
        status = query.get("status") or None
        year = query.get("year") or None
        return cls(
            status=status if status in STATUSES else None,
            indicator=(query.get("indicator") or None),
            year=year if year and len(year) == 4 and year.isdigit() else None,
        )


async def overview(session: AsyncSession, *, wanted: OverviewFilter) -> dict[str, object]:
    """Every reported value of the Node in every state (the page is for its stewards)."""
    rows = await values.values_with_indicators(session)
    counts = Counter(value.status for value, _ in rows)
    years = sorted({value.period[:4] for value, _ in rows}, reverse=True)
    shown = [
        (value, indicator)
        for value, indicator in rows
        if (wanted.status is None or value.status == wanted.status)
        and (wanted.indicator is None or indicator.code == wanted.indicator)
        and (wanted.year is None or value.period.startswith(wanted.year))
    ]
    return {
        "rows": shown[:OVERVIEW_LIMIT],
        "more": max(0, len(shown) - OVERVIEW_LIMIT),
        "total": len(rows),
        "counts": {s: counts.get(s, 0) for s in STATUSES},
        "awaiting": [(v, i) for v, i in rows if v.status == "submitted"],
        "years": years,
        "indicators": sorted({i.code: i for _, i in rows}.values(), key=lambda i: i.name),
        "wanted": wanted,
    }


# -- entering a value -------------------------------------------------------------------------


async def indicator_choices(session: AsyncSession) -> list[tuple[str, list[Indicator]]]:
    """The indicators a Node reports (derived ones are computed), by pathway."""
    grouped: dict[str, list[Indicator]] = defaultdict(list)
    for indicator in await indicators.list_indicators(session, source="reported"):
        grouped[indicator.pathway].append(indicator)
    return [
        (PATHWAY_NAMES[p], sorted(grouped[p], key=lambda i: i.name))
        for p in PATHWAY_NAMES
        if grouped[p]
    ]


def new_value_form(query: Mapping[str, str]) -> FormState:
    """An empty form, or one started from a link (``?indicator=…&period=…``)."""
    return FormState.of(query, CREATE_FIELDS)


async def create_value(
    session: AsyncSession, form: Mapping[str, str], *, actor: Actor
) -> tuple[ReportedValue | None, FormState]:
    """The value as a draft, or the form with what is wrong at its fields."""
    state = FormState.of(form, CREATE_FIELDS)
    try:
        value, _indicator = await workflow.create(session, create_body(state), actor=actor)
    except ProblemError as problem:
        await _rollback(session)
        state.show(problem, fields=CREATE_FIELDS)
        existing = problem.extensions.get("value_id")
        if existing is not None:
            state.values["existing"] = str(existing)
        return None, state
    return value, state


# -- one value --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueView:
    value: ReportedValue
    indicator: Indicator
    history: Sequence[ValueChange]
    etag: str
    can_submit: bool
    can_validate: bool

    @property
    def can_return(self) -> bool:
        return self.can_validate


async def value_view(session: AsyncSession, value_id: int, *, actor: Actor) -> ValueView:
    value, indicator = await workflow.get(session, value_id, actor=actor)
    return ValueView(
        value=value,
        indicator=indicator,
        history=await workflow.history(session, value_id, actor=actor),
        etag=workflow.etag_of(value),
        can_submit=value.status == "draft",
        # the button is shown to those the service lets validate: the Node's admins
        can_validate=actor.admin and value.status == "submitted",
    )


def correction_form(view: ValueView) -> FormState:
    value = view.value
    return FormState(
        values={
            "value": _plain(value.value),
            "evidence_url": value.evidence_url or "",
            "evidence_note": value.evidence_note or "",
            "note": "",
        }
    )


def _plain(number: float) -> str:
    """A figure as a form shows it for editing: no grouping, no needless ``.0``."""
    return str(int(number)) if number == int(number) and abs(number) < 1e15 else repr(number)


async def correct_value(
    session: AsyncSession, value_id: int, form: Mapping[str, str], *, actor: Actor
) -> FormState:
    """A correction with ``If-Match`` = the ETag the form was drawn with: when someone changed
    the value meanwhile, nothing is written and the form says so (status 412), keeping what
    the person typed beside the value as it now is."""
    state = FormState.of(form, UPDATE_FIELDS)
    try:
        await workflow.update(
            session, value_id, update_body(state), actor=actor, if_match=form.get("etag") or None
        )
    except ProblemError as problem:
        await _rollback(session)
        if problem.status == 412:
            state.status = 412
            state.add(
                "",
                "Someone changed this value after you opened it. It is shown below as it is "
                "now; your correction is still in the form: check it and save again.",
            )
        else:
            state.show(problem, fields=UPDATE_FIELDS)
    return state


async def transition(
    session: AsyncSession,
    value_id: int,
    action: Transition,
    form: Mapping[str, str],
    *,
    actor: Actor,
) -> FormState:
    """Submit, validate or return the version the person was shown (else 412: look again)."""
    state = FormState.of(form, ("note",))
    calls = {
        "submit": workflow.submit,
        "validate": workflow.validate,
        "return": workflow.return_to_draft,
    }
    try:
        value, _indicator = await workflow.get(session, value_id, actor=actor)
        if form.get("etag") != workflow.etag_of(value):
            state.status = 412
            state.add("", "This value changed after you opened it; look at it again first.")
            return state
        body = transition_body(form)
        await calls[action](session, value_id, actor=actor, note=body.note)
    except ProblemError as problem:
        await _rollback(session)
        if problem.status in (401, 403, 404):
            raise
        state.show(problem, fields=("note",))
    return state


# -- derived values ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DerivedGroup:
    indicator: Indicator
    values: list[DerivedRead]

    @property
    def latest_computed_at(self) -> datetime | None:
        return max((v.computed_at for v in self.values), default=None)


async def derived_view(
    session: AsyncSession, *, last_refresh: RefreshReport | None
) -> dict[str, object]:
    """Every derived value by indicator, newest period first, with its source and time."""
    catalogue = await indicators.by_codes(session)
    grouped: dict[str, list[DerivedRead]] = defaultdict(list)
    for item in await list_derived(session):
        grouped[item.indicator].append(item)
    groups = [
        DerivedGroup(catalogue[code], sorted(items, key=lambda d: d.period, reverse=True))
        for code, items in grouped.items()
        if code in catalogue
    ]
    waiting = [i for i in catalogue.values() if i.source == "derived" and i.code not in grouped]
    return {
        "groups": sorted(groups, key=lambda g: (g.indicator.pathway, g.indicator.name)),
        "waiting": sorted(waiting, key=lambda i: i.name),
        "last_refresh": last_refresh,
    }


# -- CSV upload -------------------------------------------------------------------------------


async def upload_csv(
    session: AsyncSession,
    data: bytes,
    *,
    mode: str,
    actor: Actor,
    max_rows: int,
) -> tuple[BulkReport | None, FormState]:
    """The bulk import of ``POST /values/bulk``: every row checked, each rejection with its
    line, column and rule; with ``all`` nothing is written unless every row passes."""
    state = FormState(values={"mode": mode})
    chosen: BulkMode = "valid" if mode == "valid" else "all"
    try:
        if not data:
            raise InvalidInput(
                "Choose a CSV file to upload", errors=[FieldError("/file", "required", "a file")]
            )
        rows = bulk.parse_csv(data, max_rows=max_rows)
        report = await bulk.import_csv(session, rows, actor=actor, mode=chosen)
    except ProblemError as problem:
        await _rollback(session)
        state.show(problem, fields=("file",))
        return None, state
    if report.rejected and chosen == "all":
        await _rollback(session)
        state.status = 422
    return report, state


# the upload's report links at most this many of the values it wrote
WRITTEN_SHOWN = 100


async def written_values(
    session: AsyncSession, report: BulkReport
) -> list[tuple[ReportedValue, Indicator]]:
    """The values an upload wrote (the first :data:`WRITTEN_SHOWN`), to link by name."""
    wanted = set(report.value_ids[:WRITTEN_SHOWN])
    if not wanted:
        return []
    return [(v, i) for v, i in await values.values_with_indicators(session) if v.id in wanted]


# -- charts and reports -----------------------------------------------------------------------

GRANULARITIES: tuple[Granularity, ...] = ("year", "quarter", "month")


@dataclass(frozen=True)
class ChartsView:
    choices: list[Indicator]
    series: Series | None
    granularity: Granularity
    profile: Profile
    period: str


async def charts_view(
    session: AsyncSession, *, node: str, code: str | None, granularity: str, period: str | None
) -> ChartsView:
    """One indicator over time (public figures: validated and derived), and the Node's
    pathway profile for one period."""
    choices = sorted(await indicators.list_indicators(session), key=lambda i: i.name)
    chosen: Granularity = next((g for g in GRANULARITIES if g == granularity), "year")
    if code is None or code not in {i.code for i in choices}:
        code = next((i.code for i in choices if i.code == "staff.fte"), None) or (
            choices[0].code if choices else None
        )
    series = await reporting.series(session, code, granularity=chosen) if code else None
    # the last full year unless a valid period was asked for
    shown = period if period is not None and _is_period(period) else str(utcnow().year - 1)
    return ChartsView(
        choices=choices,
        series=series,
        granularity=chosen,
        profile=await reporting.profile(session, shown, node=node),
        period=shown,
    )


def _is_period(text: str | None) -> bool:
    return text is not None and _PERIOD.match(text) is not None


async def report_years(session: AsyncSession) -> list[str]:
    """Years with a validated or derived value, newest first, and always last year."""
    years = {str(utcnow().year - 1)}
    for value, _indicator in await values.values_with_indicators(session, statuses=["validated"]):
        years.add(value.period[:4])
    for item in await list_derived(session):
        years.add(item.period[:4])
    return sorted(years, reverse=True)


def check_year(year: str) -> str:
    if not (_is_period(year) and granularity_of(year) == "year"):
        raise NotFound(f"No annual report for {year!r}")
    return year
