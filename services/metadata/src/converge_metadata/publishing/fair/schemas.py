"""FAIR assessment results as the API returns them."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["FairAssessment", "FairMetricResult", "FairSummary", "MetricSummary"]


class FairMetricResult(BaseModel):
    id: str = Field(description="Metric id in the FAIRsFAIR / F-UJI style, e.g. FsF-F1-02MD")
    principle: str = Field(description="FAIR principle, e.g. F1")
    name: str
    passed: bool
    hint: str | None = Field(description="What to add to pass; null when passed")


class FairAssessment(BaseModel):
    record_id: str
    score: float = Field(description="Share of metrics passed, 0..1")
    passed: int
    total: int
    metrics: list[FairMetricResult]


class MetricSummary(BaseModel):
    id: str
    name: str
    passed: int
    failed: int


class FairSummary(BaseModel):
    """The distribution of FAIR scores across the published catalogue."""

    records: int
    mean_score: float | None
    histogram: dict[str, int] = Field(
        description="Records per score decile, '0.0-0.1' .. '0.9-1.0'"
    )
    by_type: dict[str, float] = Field(description="Mean score per record type")
    metrics: list[MetricSummary]
