"""Which parser reads which format, and guessing the format of a file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from converge_metadata.importers.bioschemas import parse_bioschemas
from converge_metadata.importers.biotools import parse_biotools
from converge_metadata.importers.common import MappingContext, SourceItem
from converge_metadata.importers.datacite import parse_datacite
from converge_metadata.importers.jsonl import parse_jsonl
from converge_metadata.importers.schemas import ImportFormat

__all__ = ["PARSERS", "Parser", "guess_format"]

Parser = Callable[[IO[bytes], str, MappingContext], Iterator[SourceItem]]

PARSERS: dict[ImportFormat, Parser] = {
    ImportFormat.jsonl: parse_jsonl,
    ImportFormat.biotools: parse_biotools,
    ImportFormat.bioschemas: parse_bioschemas,
    ImportFormat.datacite: parse_datacite,
}

_SUFFIXES = {
    ".jsonl": ImportFormat.jsonl,
    ".ndjson": ImportFormat.jsonl,
    ".jsonld": ImportFormat.bioschemas,
    ".xml": ImportFormat.datacite,
}


def guess_format(path: Path, head: bytes) -> ImportFormat | None:
    """The format of a file from its name (``.biotools.json``, ``.jsonld``, ``.xml``,
    ``.jsonl``) or, for plain ``.json``, from its first bytes."""
    name = path.name.lower()
    if name.endswith(".biotools.json"):
        return ImportFormat.biotools
    if (found := _SUFFIXES.get(path.suffix.lower())) is not None:
        return found
    text = head.lstrip(b" \t\r\n\xef\xbb\xbf")
    if text.startswith(b"<"):
        return ImportFormat.datacite
    if b'"@context"' in head or b'"@type"' in head:
        return ImportFormat.bioschemas
    if b'"biotoolsID"' in head:
        return ImportFormat.biotools
    if text.startswith(b"{") and b"\n{" in text:
        return ImportFormat.jsonl
    return None
