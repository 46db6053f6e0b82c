"""Shapes of series and profiles (the contract shared with the gateway)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from converge_impact.periods import Granularity
from converge_impact.vocabulary import Pathway, Source

__all__ = [
    "PathwayProfile",
    "PathwaySeries",
    "Profile",
    "ProfileIndicator",
    "Series",
    "SeriesPoint",
]


class SeriesPoint(BaseModel):
    period: str
    value: float
    source: Source
    computed_at: datetime | None
    validated_at: datetime | None


class Series(BaseModel):
    indicator: str
    name: str
    granularity: Granularity
    unit: str
    combine_periods: str
    points: list[SeriesPoint]


class PathwaySeries(BaseModel):
    pathway: Pathway
    name: str
    granularity: Granularity
    indicators: list[Series]


class ProfileIndicator(BaseModel):
    code: str
    name: str
    value: float
    unit: str
    source: Source


class PathwayProfile(BaseModel):
    pathway: Pathway
    name: str
    indicators: list[ProfileIndicator]


class Profile(BaseModel):
    period: str
    node: str
    pathways: list[PathwayProfile]
