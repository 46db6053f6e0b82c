"""Shapes of people."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

__all__ = ["PersonCreate", "PersonRead", "PersonUpdate", "normalise_topic"]

EDAM_PREFIX = "http://edamontology.org/"
TOPIC = r"^topic_[0-9]{4}$"
LANGUAGE = r"^[a-z]{2,3}$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def normalise_topic(value: str) -> str:
    """``http://edamontology.org/topic_0121`` or ``topic_0121`` -> ``topic_0121``."""
    return value.strip().removeprefix(EDAM_PREFIX)


def _orcid_ok(orcid: str) -> bool:
    digits = orcid.replace("-", "")
    total = 0
    for char in digits[:-1]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


class _PersonFields(BaseModel):
    @field_validator("expertise", mode="before", check_fields=False)
    @classmethod
    def _topics(cls, value: object) -> object:
        # only a list of strings is normalised; anything else is left for validation to refuse
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return sorted({normalise_topic(v) for v in value})
        return value

    @field_validator("languages", mode="before", check_fields=False)
    @classmethod
    def _languages(cls, value: object) -> object:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return sorted({v.lower() for v in value})
        return value

    @field_validator("orcid", check_fields=False)
    @classmethod
    def _orcid(cls, value: str | None) -> str | None:
        if value is not None and not _orcid_ok(value):
            raise PydanticCustomError("orcid_checksum", "the ORCID check digit is wrong")
        return value


class PersonCreate(_PersonFields):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    orcid: str | None = Field(default=None, pattern=r"^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$")
    role: str = Field(min_length=1, max_length=100, examples=["data steward", "trainer"])
    expertise: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="EDAM topics, e.g. topic_0121 (Proteomics) or its IRI",
    )
    languages: list[str] = Field(
        default_factory=list, max_length=30, description="ISO 639-1 codes, e.g. pt"
    )
    email: str | None = Field(default=None, max_length=320, pattern=EMAIL)

    @field_validator("expertise")
    @classmethod
    def _topic_shape(cls, value: list[str]) -> list[str]:
        return _check_each(value, TOPIC, "edam_topic")

    @field_validator("languages")
    @classmethod
    def _language_shape(cls, value: list[str]) -> list[str]:
        return _check_each(value, LANGUAGE, "iso639")


class PersonUpdate(_PersonFields):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    orcid: str | None = Field(default=None, pattern=r"^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$")
    role: str | None = Field(default=None, min_length=1, max_length=100)
    expertise: list[str] | None = Field(default=None, max_length=50)
    languages: list[str] | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=320, pattern=EMAIL)

    @field_validator("expertise")
    @classmethod
    def _topic_shape(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _check_each(value, TOPIC, "edam_topic")

    @field_validator("languages")
    @classmethod
    def _language_shape(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _check_each(value, LANGUAGE, "iso639")


def _check_each(values: list[str], pattern: str, rule: str) -> list[str]:
    for value in values:
        if not re.fullmatch(pattern, value):
            raise PydanticCustomError(rule, "{value} is not valid", {"value": value})
    return values


class PersonRead(BaseModel):
    id: str
    node_id: str
    name: str
    orcid: str | None
    role: str
    expertise: list[str]
    languages: list[str]
    email: str | None = Field(description="Shown to authenticated callers only")
    created_at: datetime
    updated_at: datetime
