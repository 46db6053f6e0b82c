"""The nesting-depth scanner the importers run ahead of their parsers, against a reference."""

from __future__ import annotations

import io
import json
import random
from typing import Any

import pytest
from converge_metadata.importers.depth import DepthLimitedReader, DepthScanner, NestingTooDeep

from tests.metadata.importers.conftest import BIOSCHEMAS, BIOTOOLS, BROKEN_BIOSCHEMAS

# strings that look like structure: brackets, escaped quotes, escaped backslashes
_TRICKY = ['"]]}}', "a\\", '\\"[', "{{[[", "\\\\", "plain", "ü[é"]


def _nested(depth: int) -> Any:
    value: Any = "leaf"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value, "s": _TRICKY[level % len(_TRICKY)]}
    return value


def _reference(text: bytes, limit: int) -> int | None:
    """The offset of the first bracket beyond ``limit``, walking the decoded text."""
    depth, in_string, escaped = 0, False, False
    for offset, byte in enumerate(text):
        char = chr(byte)
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return offset
        elif char in "]}":
            depth -= 1
    return None


def _random_document(rng: random.Random, level: int = 0) -> Any:
    roll = rng.random()
    if level > 14 or roll < 0.3:
        return rng.choice([*_TRICKY, 1, None, 2.5])
    if roll < 0.65:
        return [_random_document(rng, level + 1) for _ in range(rng.randrange(4))]
    keys = [rng.choice(_TRICKY) + str(i) for i in range(rng.randrange(4))]
    return {key: _random_document(rng, level + 1) for key in keys}


class TestScanner:
    def test_agrees_with_a_reference_walk_in_any_chunking(self) -> None:
        rng = random.Random(20261203)
        for _ in range(2000):
            text = json.dumps(_random_document(rng), ensure_ascii=rng.random() < 0.5).encode()
            limit = rng.randrange(1, 16)
            scanner, found, start = DepthScanner(limit), None, 0
            while start < len(text):
                size = rng.randrange(1, 12)
                offset = scanner.feed(text[start : start + size])
                if offset is not None:
                    found = start + offset
                    break
                start += size
            assert found == _reference(text, limit), (text, limit)

    def test_limit_is_inclusive(self) -> None:
        DepthScanner(64).check(json.dumps(_nested(64)).encode())
        with pytest.raises(NestingTooDeep) as caught:
            DepthScanner(64).check(json.dumps(_nested(65)).encode())
        assert caught.value.limit == 64

    def test_reader_cuts_before_the_offending_byte(self) -> None:
        data = b'[{"a": "[[["}, ' + b"[" * 10 + b"]" * 10 + b"]"
        reader = DepthLimitedReader(io.BytesIO(data), 5)
        head = reader.read(1 << 16)
        assert head == data[:19]  # the first element and four brackets of the second
        with pytest.raises(NestingTooDeep) as caught:
            reader.read(1 << 16)
        assert caught.value.offset == 19

    def test_real_sample_files_are_far_from_the_limit(self) -> None:
        paths = [
            *BIOTOOLS,
            *(p for p in BIOSCHEMAS if not str(p).endswith(tuple(BROKEN_BIOSCHEMAS))),
        ]
        for path in paths:
            DepthScanner(16).check(path.read_bytes())
