"""``/api/v1/usage/events`` (the feed for the Node's impact service) and the counted download
redirect ``/api/v1/records/{id}/distributions/{n}/download``."""

from __future__ import annotations

from typing import Annotated

from converge_common.app import SessionDep
from converge_common.auth import OptionalPrincipal, RequireNodeAdmin
from converge_common.errors import BadRequest, FieldError
from converge_common.openapi import problem_responses
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse

from converge_metadata.dependencies import ViewerDep
from converge_metadata.settings import MetadataSettings
from converge_metadata.usage import service
from converge_metadata.usage.recorder import RecorderDep
from converge_metadata.usage.schemas import RecordFacts, UsageEventPage, UsageEventRead

__all__ = ["router"]

router = APIRouter(tags=["usage"])


def _after(value: str | None) -> int:
    if value is None or value == "":
        return 0
    if not value.isdigit() or len(value) > 19:
        raise BadRequest(
            "after must be a cursor this feed returned",
            errors=[FieldError("/after", "cursor", "a non-negative integer from `cursor`")],
        )
    return int(value)


@router.get("/usage/events", responses=problem_responses(400))
async def list_usage_events(
    request: Request,
    session: SessionDep,
    principal: RequireNodeAdmin,
    after: Annotated[str | None, Query(description="The `cursor` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1)] = 1000,
) -> UsageEventPage:
    """Usage events in the order they were written, for the Node's impact service (the
    Node's admin role: its service's client-credentials token)."""
    settings: MetadataSettings = request.app.state.settings
    limit = min(limit, settings.usage_feed_max_limit)
    page = await service.events_page(
        session, after=_after(after), limit=limit, lag_s=settings.usage_feed_lag_s
    )
    items = [UsageEventRead.model_validate(e, from_attributes=True) for e in page.events]
    return UsageEventPage(
        items=items,
        limit=limit,
        next_cursor=str(page.cursor) if len(items) == limit else None,
        cursor=str(page.cursor),
        records={k: RecordFacts.model_validate(v) for k, v in page.records.items()},
    )


@router.get(
    "/records/{record_id}/distributions/{n}/download",
    status_code=302,
    response_class=RedirectResponse,
    responses={302: {"description": "To the distribution's URL (`Location`)"}},
)
async def download_distribution(
    record_id: str,
    n: Annotated[int, Path(ge=0, le=10_000, description="The distribution's index, from 0")],
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    principal: OptionalPrincipal,
    recorder: RecorderDep,
) -> RedirectResponse:
    """Follow a distribution to its download (or access) URL, counted as a COUNTER request.
    The data of a controlled-access record need the controlled-access reader role."""
    target = await service.download_target(
        session,
        record_id,
        n,
        viewer=viewer,
        controlled_reader=principal is not None and principal.can_read_controlled,
        authenticated=principal is not None,
    )
    recorder.record(
        request,
        record_id=record_id,
        channel="download",
        kind="request",
        version=target.record.version,
        distribution=n,
    )
    # not cached: every follow-through is a request the Node reports
    return RedirectResponse(target.url, status_code=302, headers={"Cache-Control": "no-store"})
