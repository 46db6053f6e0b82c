"""``GET /api/v1/changes``: the change feed, with long-polling."""

from __future__ import annotations

from typing import Annotated

from converge_common.inputs import INT32_MAX
from fastapi import APIRouter, Query, Request

from converge_registry.changes.schemas import ChangeFeed
from converge_registry.changes.service import read_feed

__all__ = ["router"]

router = APIRouter(tags=["changes"])


@router.get(
    "/changes",
    summary="Changes after a sequence number (long-poll with `wait`)",
    response_model=ChangeFeed,
)
async def list_changes(
    request: Request,
    since: Annotated[
        int,
        Query(ge=-1, le=INT32_MAX, description="Last seq seen; -1 = the current position"),
    ] = 0,
    wait: Annotated[float, Query(ge=0, description="Seconds to wait for a change")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> ChangeFeed:
    settings = request.app.state.settings
    return await read_feed(
        request.app.state.db,
        request.app.state.change_notifier,
        since=since,
        wait_s=min(wait, settings.changes_max_wait_s),
        limit=limit,
    )
