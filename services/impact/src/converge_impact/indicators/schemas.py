"""Shapes of indicators (the contract shared with the gateway)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from converge_impact.vocabulary import CombineRule, IndicatorType, Pathway, Source

__all__ = ["CODE_PATTERN", "IndicatorCreate", "IndicatorList", "IndicatorRead", "IndicatorUpdate"]

CODE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+){1,5}$"
Code = Annotated[str, Field(pattern=CODE_PATTERN, max_length=100, examples=["staff.fte"])]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Description = Annotated[str, Field(max_length=4000)]
Unit = Annotated[str, Field(min_length=1, max_length=40)]


class IndicatorRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    description: str
    pathway: Pathway
    type: IndicatorType
    unit: str
    combine_nodes: CombineRule
    combine_periods: CombineRule
    source: Source
    derivation: str | None
    scope: Literal["federation", "node"]


class IndicatorList(BaseModel):
    items: list[IndicatorRead]
    total: int


class IndicatorUpdate(BaseModel):
    """What a Node admin may change on the Node's own indicator (``PUT``)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name
    description: Description = ""
    pathway: Pathway
    type: IndicatorType
    unit: Unit
    combine_nodes: CombineRule = "sum"
    combine_periods: CombineRule = "sum"


class IndicatorCreate(IndicatorUpdate):
    """A Node's own indicator: always reported (derivations are the catalogue's), scope node."""

    code: Code

    @model_validator(mode="after")
    def _not_a_catalogue_prefix(self) -> IndicatorCreate:
        if self.code.split(".")[0] in {"usage", "fair"}:
            raise PydanticCustomError(
                "reserved_prefix", "codes starting usage. or fair. are the federation's"
            )
        return self
