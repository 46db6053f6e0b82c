"""Shapes of reported values and their history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from converge_impact.indicators.schemas import CODE_PATTERN
from converge_impact.periods import PERIOD_PATTERN, Granularity
from converge_impact.vocabulary import ValueStatus

__all__ = [
    "ChangeRead",
    "EvidenceNote",
    "EvidenceUrl",
    "Period",
    "TransitionBody",
    "ValueCreate",
    "ValueRead",
    "ValueUpdate",
]

Period = Annotated[str, Field(pattern=PERIOD_PATTERN, examples=["2025", "2025-Q3", "2025-07"])]
Figure = Annotated[float, Field(allow_inf_nan=False, ge=-1e15, le=1e15)]
EvidenceUrl = Annotated[str, Field(pattern=r"^https?://[^\s]+$", max_length=2000)]
EvidenceNote = Annotated[str, Field(max_length=4000)]
ChangeAction = Literal["create", "update", "submit", "validate", "return", "import"]


class ValueCreate(BaseModel):
    """A figure for one indicator and period; it starts as a draft."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    indicator: Annotated[str, Field(pattern=CODE_PATTERN, max_length=100)]
    period: Period
    value: Figure
    evidence_url: EvidenceUrl | None = None
    evidence_note: EvidenceNote | None = None


class ValueUpdate(BaseModel):
    """A correction (``PATCH`` with ``If-Match``): only the fields sent change."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    value: Figure | None = None
    evidence_url: EvidenceUrl | None = None
    evidence_note: EvidenceNote | None = None
    note: EvidenceNote | None = Field(default=None, description="Why, kept in the history")


class TransitionBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: EvidenceNote | None = None


class ValueRead(BaseModel):
    id: int
    indicator: str
    period: str
    granularity: Granularity
    value: float
    unit: str
    evidence_url: str | None
    evidence_note: str | None
    status: ValueStatus
    version: int
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime
    submitted_at: datetime | None
    validated_by: str | None
    validated_at: datetime | None


class ChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    action: ChangeAction
    actor: str
    at: datetime
    old_value: float | None
    new_value: float | None
    old_status: ValueStatus | None
    new_status: ValueStatus
    note: str | None
