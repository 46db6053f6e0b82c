"""Shapes of derived values and of a refresh."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from converge_impact.periods import Granularity

__all__ = ["DerivedRead", "RefreshReport", "SourceOutcome"]


class DerivedRead(BaseModel):
    indicator: str
    period: str
    granularity: Granularity
    value: float
    unit: str
    source: str = Field(description="The service and endpoint the value was computed from")
    computed_at: datetime


class SourceOutcome(BaseModel):
    source: Literal["metadata.stats", "metadata.fair", "registry.availability", "usage"]
    status: Literal["ok", "error", "skipped"]
    detail: str | None = None
    values: int = Field(default=0, description="Derived values written from this source")


class RefreshReport(BaseModel):
    started_at: datetime
    finished_at: datetime
    sources: list[SourceOutcome]
