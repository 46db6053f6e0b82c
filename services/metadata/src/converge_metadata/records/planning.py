"""Turn validated record content into the rows a write stores (record, version, facets, text)."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

import orjson

from converge_metadata.models import Record
from converge_metadata.records.indexing import (
    SearchDocument,
    display_title,
    facet_values,
    search_document,
)
from converge_metadata.records.schemas import RecordBase
from converge_metadata.vocab import Vocabularies

__all__ = [
    "JsonText",
    "Planned",
    "Prepared",
    "content_hash",
    "derive_local_id",
    "document_of",
    "new_local_id",
    "plan",
    "plan_prepared",
    "prepare",
]

_ID_ALPHABET = "abcdefghjkmnpqrstvwxyz23456789"
_UNSAFE = re.compile(r"[^A-Za-z0-9._~-]+")


def new_local_id() -> str:
    """A short random id (10 characters, no look-alikes) for records created without one."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(10))


def derive_local_id(record: RecordBase) -> str | None:
    """A stable id from the record's own identifiers (bio.tools id, DOI, accession), so that
    importing the same source twice updates instead of duplicating."""
    preferred = ("biotools", "doi", "accession", "handle", "ark")
    by_scheme = {i.scheme: i.value for i in reversed(record.identifiers)}
    if record.software is not None and record.software.biotools_id:
        by_scheme.setdefault("biotools", record.software.biotools_id)
    for scheme in preferred:
        if scheme in by_scheme:
            slug = _UNSAFE.sub("-", by_scheme[scheme]).strip("-._~")[:100]
            if slug:
                return slug if scheme == "biotools" else f"{scheme}-{slug}"[:100]
    return None


_CONTENT_FIELDS = set(RecordBase.model_fields)


def document_of(record: RecordBase) -> dict[str, Any]:
    """The stored JSON form: defaults and nulls left out, so equal content hashes equally."""
    doc: dict[str, Any] = record.model_dump(
        mode="json", exclude_none=True, exclude_defaults=True, include=_CONTENT_FIELDS
    )
    doc["type"] = record.type
    doc["title"] = dict(record.title)
    return doc


def content_hash(document: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(document, option=orjson.OPT_SORT_KEYS)).hexdigest()


class JsonText(str):
    """A JSON document already serialised (sorted keys): stored as it is, not encoded again."""

    __slots__ = ()

    def parsed(self) -> dict[str, Any]:
        value: dict[str, Any] = orjson.loads(str(self))  # orjson takes exact str only
        return value


@dataclass(frozen=True, slots=True)
class Prepared:
    """Everything a record's write needs that does not depend on the database: its columns,
    stored document and hash, facet values and search text. Plain strings and tuples, so a
    worker process can compute it and send it back cheaply."""

    local_id: str
    columns: dict[str, Any]
    document: JsonText
    content_hash: str
    facets: tuple[tuple[str, str], ...]
    search: SearchDocument

    @property
    def status(self) -> str:
        return str(self.columns["status"])


def prepare(record: RecordBase, *, local_id: str, vocab: Vocabularies) -> Prepared:
    """The database-independent part of storing ``record`` (already normalised)."""
    raw = orjson.dumps(document_of(record), option=orjson.OPT_SORT_KEYS)
    columns = {
        "type": record.type,
        "status": record.status,
        "access_level": record.access.level,
        "embargo_until": record.access.embargo_until,
        "sort_title": display_title(record).casefold()[:200],
        "license": record.license,
        "issued_year": record.issued.year if record.issued else None,
    }
    return Prepared(
        local_id=local_id,
        columns=columns,
        document=JsonText(raw.decode()),
        content_hash=hashlib.sha256(raw).hexdigest(),
        facets=tuple(facet_values(record)),
        search=search_document(record, local_id, vocab),
    )


@dataclass
class Planned:
    """One record's rows for a write; ``pk`` is filled once the record row exists."""

    local_id: str
    values: dict[str, Any]
    version_row: dict[str, Any]
    facets: tuple[tuple[str, str], ...]
    search: SearchDocument
    pk: int | None = None


def _datestamp(columns: dict[str, Any], modified_at: datetime) -> datetime:
    until = columns["embargo_until"]
    if columns["access_level"] == "embargoed" and until is not None:
        return max(modified_at, datetime.combine(until, time.min, tzinfo=UTC))
    return modified_at


def plan(
    record: RecordBase,
    *,
    local_id: str,
    existing: Record | None,
    actor: str,
    now: datetime,
    action: str,
    vocab: Vocabularies,
    actor_name: str | None = None,
) -> Planned:
    """The rows that store ``record`` (already normalised) as the next version of ``existing``."""
    prepared = prepare(record, local_id=local_id, vocab=vocab)
    return plan_prepared(
        prepared, existing=existing, actor=actor, now=now, action=action, actor_name=actor_name
    )


def plan_prepared(
    prepared: Prepared,
    *,
    existing: Record | None,
    actor: str,
    now: datetime,
    action: str,
    actor_name: str | None = None,
) -> Planned:
    """The rows that store a prepared record as the next version of ``existing``; ``actor``
    is who writes (a token subject or client id), ``actor_name`` their name for people."""
    published_at = existing.published_at if existing is not None else None
    if prepared.status == "published" and published_at is None:
        published_at = now
    version = existing.version + 1 if existing is not None else 1
    values: dict[str, Any] = {
        "local_id": prepared.local_id,
        **prepared.columns,
        "document": prepared.document,
        "content_hash": prepared.content_hash,
        "version": version,
        "created_at": existing.created_at if existing is not None else now,
        "modified_at": now,
        "published_at": published_at,
        "deleted_at": None,
        "datestamp": _datestamp(prepared.columns, now),
        "created_by": existing.created_by if existing is not None else actor,
        "modified_by": actor,
    }
    version_row = {
        "version": version,
        "action": action,
        "actor": actor,
        "actor_name": actor_name[:255] if actor_name else None,
        "created_at": now,
        "document": prepared.document,
    }
    return Planned(
        local_id=prepared.local_id,
        values=values,
        version_row=version_row,
        facets=prepared.facets,
        search=prepared.search,
        pk=existing.pk if existing is not None else None,
    )
