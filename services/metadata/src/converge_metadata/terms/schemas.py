"""Shapes of term lookups."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["TermList", "TermRead"]


class TermRead(BaseModel):
    id: str = Field(examples=["topic_0121"], description="The term's id in its vocabulary")
    uri: str = Field(examples=["http://edamontology.org/topic_0121"])
    label: str = Field(examples=["Proteomics"])
    synonyms: list[str]
    matched: str | None = Field(
        default=None,
        description="The label or synonym the text matched (absent for a lookup by id)",
        examples=["Quantitative proteomics"],
    )
    matched_field: Literal["label", "synonym"] | None = None


class TermList(BaseModel):
    vocabulary: str
    items: list[TermRead]
