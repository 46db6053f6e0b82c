"""Read JSON documents from a file: one object, or an array read item by item (``ijson``) so
a large export never sits in memory whole."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import IO, Any

import ijson

from converge_metadata.importers.common import SourceItem
from converge_metadata.importers.depth import (
    DEFAULT_MAX_DEPTH,
    DepthLimitedReader,
    DepthScanner,
    NestingTooDeep,
)

__all__ = ["iter_json_documents", "peek"]

_WHITESPACE = b" \t\r\n\xef\xbb\xbf"


class _Prefixed:
    """A binary reader that first returns bytes already peeked from ``stream``."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head = head
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        if not self._head:
            return self._stream.read(size)
        if size < 0:
            data, self._head = self._head + self._stream.read(), b""
            return data
        data, self._head = self._head[:size], self._head[size:]
        return data


def peek(stream: IO[bytes], size: int = 4096) -> tuple[bytes, _Prefixed]:
    """The first bytes of ``stream`` and a reader that still yields them."""
    head = stream.read(size)
    return head, _Prefixed(head, stream)


def iter_json_documents(
    stream: IO[bytes],
    name: str,
    *,
    list_keys: Sequence[str] = (),
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> Iterator[tuple[str, Any | SourceItem]]:
    """``(position, document)`` for each document; a :class:`SourceItem` failure instead when the
    JSON is broken or nests deeper than ``max_depth``. A top-level array is streamed; an object
    whose ``list_keys`` entry is an array (an API page) yields that array's items."""
    head, reader = peek(stream)
    if head.lstrip(_WHITESPACE)[:1] == b"[":
        yield from _iter_array(DepthLimitedReader(reader, max_depth), name)
        return
    text = reader.read()
    try:
        DepthScanner(max_depth).check(text)
    except NestingTooDeep as exc:
        yield name, SourceItem.failed(name, "", "max_depth", f"not read: {exc}")
        return
    try:
        document = json.loads(text)
    except RecursionError:  # text the byte scan cannot read (UTF-16) nesting too deep
        yield name, SourceItem.failed(name, "", "max_depth", "not read: nested too deep")
        return
    except (ValueError, UnicodeDecodeError) as exc:
        yield name, SourceItem.failed(name, "", "json", f"not valid JSON: {exc}")
        return
    for key in list_keys:
        if isinstance(document, dict) and isinstance(document.get(key), list):
            for index, item in enumerate(document[key]):
                yield f"{name}#/{key}/{index}", item
            return
    yield name, document


def _iter_array(reader: DepthLimitedReader, name: str) -> Iterator[tuple[str, Any | SourceItem]]:
    index = 0
    try:
        for item in ijson.items(reader, "item", use_float=True):
            yield f"{name}[{index}]", item
            index += 1
    except NestingTooDeep as exc:
        # the stream cannot be resumed after the item, as after broken JSON
        position = f"{name}[{index}]"
        detail = f"not read from item {index} on: {exc}"
        yield position, SourceItem.failed(position, "", "max_depth", detail)
    except (ijson.JSONError, ValueError, UnicodeDecodeError) as exc:
        position = f"{name}[{index}]"
        yield (
            position,
            SourceItem.failed(position, "", "json", f"not valid JSON from item {index} on: {exc}"),
        )
