"""A record's FAIR assessment as its Node makes it (``/api/v1/records/{id}/fair``), for the
record page: how many checks pass, and for each one missed, the hint of what to add.

The assessment is an addition to the page: a Node that does not answer, or answers something
unreadable, leaves the section out, never the record."""

from __future__ import annotations

import asyncio
import logging

import httpx
from converge_common.http import ResponseTooLarge
from converge_common.ssrf import UnsafeTarget
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from converge_gateway.context import Gateway
from converge_gateway.fanout.calls import get_from_node
from converge_gateway.fanout.engine import NodeAnswerInvalid, NodeRejected
from converge_gateway.records.service import split_global_id

__all__ = ["FairAssessment", "FairMetric", "fair_assessment"]

logger = logging.getLogger("converge.gateway.portal")


class FairMetric(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(max_length=64)
    principle: str = Field(max_length=16)
    name: str = Field(max_length=300)
    passed: bool
    hint: str | None = Field(default=None, max_length=1000)


class FairAssessment(BaseModel):
    model_config = ConfigDict(extra="ignore")

    record_id: str = Field(max_length=200)
    score: float = Field(ge=0, le=1)
    passed: int = Field(ge=0)
    total: int = Field(ge=0)
    metrics: list[FairMetric] = Field(max_length=100)

    @property
    def missed(self) -> list[FairMetric]:
        return [m for m in self.metrics if not m.passed]


async def fair_assessment(gateway: Gateway, global_id: str) -> FairAssessment | None:
    """The Node's assessment of the record, or None when there is none to show."""
    node_id, local_id = split_global_id(global_id)
    node = gateway.directory.get(node_id)
    if node is None or node.metadata_url is None:
        return None

    # not through the fan-out's breaker: a Node without the assessment (an older version) must
    # not be counted as failing the searches and records the breaker guards
    try:
        async with asyncio.timeout(gateway.settings.node_timeout_s):
            response = await get_from_node(
                gateway.nodes_client,
                f"{node.metadata_url}/api/v1/records/{local_id}/fair",
                limits=gateway.node_limits,
            )
        assessment = FairAssessment.model_validate_json(response.content)
    except (
        TimeoutError,
        httpx.HTTPError,
        OSError,
        ResponseTooLarge,
        UnsafeTarget,
        NodeAnswerInvalid,
        NodeRejected,
    ):
        return None
    except ValidationError:
        logger.info("unreadable FAIR assessment from %s", node_id, extra={"node": node_id})
        return None
    return assessment if assessment.record_id == local_id else None
