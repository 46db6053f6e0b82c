"""``/api/v1/records/{id}/fair`` and ``/api/v1/fair/summary``."""

from __future__ import annotations

from converge_common.app import SessionDep
from fastapi import APIRouter

from converge_metadata.publishing.context import ContextDep
from converge_metadata.publishing.fair import service
from converge_metadata.publishing.fair.schemas import FairAssessment, FairSummary

__all__ = ["router"]

router = APIRouter(tags=["FAIR assessment"])


@router.get("/records/{record_id}/fair", response_model=FairAssessment)
async def get_record_fair(
    record_id: str, session: SessionDep, context: ContextDep
) -> FairAssessment:
    """The FAIR self-assessment of a published record, metric by metric, with hints."""
    return await service.record_assessment(session, record_id, context=context)


@router.get("/fair/summary", response_model=FairSummary)
async def get_fair_summary(session: SessionDep, context: ContextDep) -> FairSummary:
    """How FAIR the published catalogue is: score distribution, per type and per metric."""
    return await service.summary(session, context=context)
