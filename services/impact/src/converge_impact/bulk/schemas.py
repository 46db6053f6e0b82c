"""Shapes of bulk uploads and exports."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from converge_impact.derived.schemas import DerivedRead
from converge_impact.indicators.schemas import IndicatorRead
from converge_impact.values.schemas import ValueRead

__all__ = [
    "CSV_COLUMNS",
    "BulkMode",
    "BulkReport",
    "ExportChange",
    "ExportDocument",
    "RowRejection",
]

CSV_COLUMNS = ("indicator", "period", "value", "evidence_url", "evidence_note")
BulkMode = Literal["all", "valid"]


class RowRejection(BaseModel):
    row: int = Field(description="Line number in the file (the header is line 1)")
    column: str | None
    rule: str
    detail: str


class BulkReport(BaseModel):
    mode: BulkMode
    rows: int
    written: int = Field(description="Values created (as drafts)")
    value_ids: list[int]
    rejected: list[RowRejection]


class ExportChange(BaseModel):
    value_id: int
    indicator: str
    period: str
    action: str
    actor: str
    at: datetime
    old_value: float | None
    new_value: float | None
    old_status: str | None
    new_status: str
    note: str | None


class ExportDocument(BaseModel):
    node: str
    exported_at: datetime
    indicators: list[IndicatorRead]
    values: list[ValueRead]
    history: list[ExportChange]
    derived: list[DerivedRead]
