"""What every format's parser shares: the item it yields, the vocabulary lookups it maps terms
with, and small helpers (language maps, rights statements, stable local ids)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from converge_common.errors import FieldError
from pydantic import ValidationError

from converge_metadata.importers.depth import DEFAULT_MAX_DEPTH
from converge_metadata.records.fields import LOCAL_ID_PATTERN, normalise_doi, orcid_checksum_ok
from converge_metadata.records.schemas import RightsStatement

__all__ = [
    "EdamLookup",
    "MappingContext",
    "SourceItem",
    "SpdxLookup",
    "as_list",
    "clean_orcid",
    "doi_or_none",
    "local_id_for",
    "rights_statement",
]

# (value, branch) -> canonical IRI, or None when it is not a live term of that EDAM branch
EdamLookup = Callable[[str, str], str | None]
# licence id, name, URL or common variant -> SPDX id in the list's spelling, or None
SpdxLookup = Callable[[str], str | None]

_LOCAL_ID = re.compile(LOCAL_ID_PATTERN)
_UNSAFE = re.compile(r"[^A-Za-z0-9._~-]+")
_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])\s*$")


@dataclass
class MappingContext:
    """Vocabulary lookups a parser maps source terms with, the status new records get, and
    how deep the input may nest (arrays and objects, or XML elements)."""

    edam: EdamLookup
    spdx: SpdxLookup
    status: str = "published"
    max_depth: int = DEFAULT_MAX_DEPTH


@dataclass
class SourceItem:
    """One record found in the input, mapped to ``RecordCreate`` input, or why it could not be."""

    position: str
    identifier: str | None = None
    record: dict[str, Any] | None = None
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def failed(
        cls, position: str, pointer: str, rule: str, detail: str, identifier: str | None = None
    ) -> SourceItem:
        return cls(position, identifier, None, [FieldError(pointer, rule, detail)])


def as_list(value: Any) -> list[Any]:
    """JSON-LD and bio.tools give one value or a list of them; ``None`` is no value."""
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def doi_or_none(value: str) -> str | None:
    try:
        return normalise_doi(value)
    except ValueError:
        return None


def clean_orcid(value: str | None) -> str | None:
    """An ORCID iD as ``https://orcid.org/...`` when it is well-formed with a valid check digit."""
    if not value:
        return None
    match = _ORCID.search(value.strip())
    if match is None or not orcid_checksum_ok(match.group(1).replace("-", "")):
        return None
    return "https://orcid.org/" + match.group(1)


def rights_statement(
    *, text: str | None, uri: str | None = None, language: str | None = None
) -> dict[str, Any] | None:
    """A rights statement as the record model takes it, or ``None`` when there is nothing.
    Sources are lax: a URI that is no http(s) URL (``urn:...``) is the text when there is none
    and is left out otherwise, a language tag that is no BCP 47 tag is left out, and a text is
    cut at 2,000 characters."""
    text = (text or "").strip()[:2000] or None
    uri = (uri or "").strip() or None
    words = text or (uri[:2000] if uri else None)
    shapes = [
        {"text": text, "uri": uri, "language": language},
        {"text": words, "language": language},
        {"text": text, "uri": uri},
        {"text": words},
    ]
    for shape in shapes:
        try:
            statement = RightsStatement.model_validate(shape)
        except ValidationError:
            continue
        return statement.model_dump(exclude_none=True)
    return None


def local_id_for(scheme: str, value: str) -> str:
    """A stable local id from a record's primary external identifier, so that importing the
    same source again finds the same record: bio.tools ids as they are, DOIs as ``doi-<slug>``
    and anything else (URLs, JSON-LD ``@id``) as a short hash."""
    if scheme == "biotools" and _LOCAL_ID.match(value):
        return value
    if scheme in ("doi", "accession"):
        slug = _UNSAFE.sub("-", value).strip("-._~")
        candidate = f"{scheme}-{slug}"
        if _LOCAL_ID.match(candidate):
            return candidate
    digest = hashlib.sha256(f"{scheme}:{value}".encode()).hexdigest()[:20]
    return f"{scheme}-{digest}"
