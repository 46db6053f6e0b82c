"""``/api/v1/stats``: aggregate counts for the Node's impact service."""

from __future__ import annotations

from converge_common.app import SessionDep
from converge_common.auth import RequireNodeSteward
from fastapi import APIRouter

from converge_metadata.dependencies import NodeDep
from converge_metadata.stats import service
from converge_metadata.stats.schemas import CatalogueStats

__all__ = ["router"]

router = APIRouter(tags=["stats"])


@router.get("/stats", response_model=CatalogueStats)
async def get_stats(
    session: SessionDep, node: NodeDep, principal: RequireNodeSteward
) -> CatalogueStats:
    """Published records by type, access level and month of publication, and course instances
    by start month with their participants. Includes records under a running embargo, so it
    needs the Node steward role (the Node's impact service calls it with its own token)."""
    return await service.catalogue_stats(session, node=node)
