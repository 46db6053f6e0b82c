"""JSON Lines in the service's own schema: one ``RecordCreate`` object per line."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import IO, Any

from converge_metadata.importers.common import (
    MappingContext,
    SourceItem,
    doi_or_none,
    local_id_for,
)
from converge_metadata.importers.depth import DepthScanner, NestingTooDeep

__all__ = ["parse_jsonl"]

_ID_SCHEMES = ("biotools", "doi", "accession", "handle", "ark", "url", "other")


def parse_jsonl(stream: IO[bytes], name: str, ctx: MappingContext) -> Iterator[SourceItem]:
    """One item per non-empty line; records in our own schema need no mapping. A line that is
    not JSON, or nests deeper than ``ctx.max_depth``, is rejected and the next line is read."""
    limit = ctx.max_depth
    for number, raw in enumerate(stream, start=1):
        line = raw.strip()
        if not line:
            continue
        position = f"{name}:{number}"
        try:
            # a line with fewer brackets than the limit cannot nest deeper than it
            if line.count(b"[") + line.count(b"{") > limit:
                DepthScanner(limit).check(line)
        except NestingTooDeep as exc:
            detail = f"line {number} is not read: {exc}"
            yield SourceItem.failed(position, "", "max_depth", detail)
            continue
        try:
            record = json.loads(line)
        except RecursionError:  # a line the byte scan cannot read (UTF-16) nesting too deep
            yield SourceItem.failed(position, "", "max_depth", f"line {number} nests too deep")
            continue
        except (ValueError, UnicodeDecodeError) as exc:
            yield SourceItem.failed(position, "", "json", f"line {number} is not JSON: {exc}")
            continue
        if not isinstance(record, dict):
            yield SourceItem.failed(position, "", "type", "each line must be a JSON object")
            continue
        yield _with_id(record, position)


def _with_id(record: dict[str, Any], position: str) -> SourceItem:
    """Give a record without ``id`` a stable one so importing the file again updates it."""
    item = SourceItem(position, record.get("id") if isinstance(record.get("id"), str) else None)
    item.record = record
    if item.identifier:
        return item
    found = _primary_identifier(record)
    if found is not None:
        item.identifier = found[1]
        record["id"] = local_id_for(*found)
        return item
    digest = hashlib.sha256(
        json.dumps([record.get("type"), record.get("title")], sort_keys=True).encode()
    ).hexdigest()[:20]
    record["id"] = f"rec-{digest}"
    item.warnings.append("no id or identifiers: the id is derived from the type and title")
    return item


def _primary_identifier(record: dict[str, Any]) -> tuple[str, str] | None:
    software = record.get("software")
    if isinstance(software, dict) and isinstance(software.get("biotools_id"), str):
        return "biotools", software["biotools_id"]
    pairs = [
        (i.get("scheme"), i.get("value"))
        for i in record.get("identifiers") or []
        if isinstance(i, dict) and isinstance(i.get("value"), str)
    ]
    for scheme in _ID_SCHEMES:
        for found_scheme, value in pairs:
            if found_scheme == scheme:
                value = str(value).strip()
                return scheme, (doi_or_none(value) or value) if scheme == "doi" else value
    return None
