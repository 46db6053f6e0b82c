"""The nesting depth of JSON text, measured on the bytes before a parser sees them.

``ijson``'s memory grows with the square of the depth (every event carries its whole path) and
``json.loads`` recurses once per level, so a 200 KB array nested 100,000 deep takes gigabytes or
the stack. This scanner finds the first byte that goes deeper than the limit in time linear in
the input and memory linear in one chunk, all of it in C: escape pairs and escaped quotes are
removed with ``bytes.replace``, every byte but brackets and quotes is dropped with one
``bytes.translate``, what lies between quote pairs (string content) is cut out, and the
running depth of the brackets left is one numpy cumulative sum. Only the (rare) chunk that does
go too deep is walked byte by byte, to name the offset.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "DepthLimitedReader",
    "DepthScanner",
    "NestingTooDeep",
    "Readable",
]

DEFAULT_MAX_DEPTH = 64

# brackets of both kinds as one, and quotes; every other byte is dropped
_KEEP = bytes.maketrans(b"{}", b"[]")
_DROP = bytes(b for b in range(256) if b not in b'[]{}"')
_OPEN = ord("[")


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class NestingTooDeep(ValueError):
    """The input nests arrays and objects deeper than ``limit``; ``offset`` is the byte that
    opens the level beyond it, counted from the start of the input."""

    def __init__(self, limit: int, offset: int) -> None:
        super().__init__(f"arrays and objects nest deeper than {limit} levels (at byte {offset})")
        self.limit = limit
        self.offset = offset


class DepthScanner:
    """The running nesting depth over consecutive chunks of one JSON text."""

    def __init__(self, limit: int = DEFAULT_MAX_DEPTH) -> None:
        self.limit = limit
        self.depth = 0
        self.consumed = 0  # bytes fed before the current chunk
        # a chunk may end inside a string, or inside a string right after a lone backslash
        self._in_string = False
        self._escaped = False

    def feed(self, chunk: bytes) -> int | None:
        """The offset in ``chunk`` of the first byte that opens a level beyond the limit, or
        ``None`` when the chunk stays within it."""
        in_string, escaped = self._in_string, self._escaped
        data = b"\\" + chunk if escaped else chunk
        # escape pairs go first (a run of backslashes pairs up from its start), then escaped
        # quotes; a lone backslash at the end escapes the next chunk's first byte
        trailing = len(data) - len(data.rstrip(b"\\"))
        self._escaped = trailing % 2 == 1
        if self._escaped:
            data = data[:-1]
        marks = data.replace(b"\\\\", b"").replace(b'\\"', b"").translate(_KEEP, _DROP)
        # what lies between quote pairs is string content; most strings hold no bracket, and
        # dropping two adjacent quotes changes no other byte's side, so those go first
        marks = marks.replace(b'""', b"")
        parts = ((b'"' + marks) if in_string else marks).split(b'"')
        self._in_string = len(parts) % 2 == 0
        brackets = b"".join(parts[0::2])
        opened = brackets.count(b"[")
        if self.depth + opened <= self.limit:
            self.depth += 2 * opened - len(brackets)
            self.consumed += len(chunk)
            return None
        steps = np.frombuffer(brackets, dtype=np.uint8) == _OPEN
        running = np.cumsum(steps.astype(np.int64) * 2 - 1) + self.depth
        if int(running.max()) <= self.limit:
            self.depth = int(running[-1])
            self.consumed += len(chunk)
            return None
        return _first_too_deep(chunk, self.depth, self.limit, in_string=in_string, escaped=escaped)

    def check(self, text: bytes) -> None:
        """Raise :class:`NestingTooDeep` when the whole of ``text`` goes too deep."""
        offset = self.feed(text)
        if offset is not None:
            raise NestingTooDeep(self.limit, self.consumed + offset)


def _first_too_deep(data: bytes, depth: int, limit: int, *, in_string: bool, escaped: bool) -> int:
    """The offset of the first opening bracket beyond ``limit``, ``data`` starting at ``depth``
    in the given string state. Only called on a chunk known to go too deep."""
    for offset, byte in enumerate(data):
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return offset
        elif byte in (0x5D, 0x7D):
            depth -= 1
    raise AssertionError("the chunk was found to go too deep")  # pragma: no cover


class DepthLimitedReader:
    """A binary reader that hands a parser only bytes within the depth limit: the chunk that
    goes too deep is cut just before the offending byte, so the parser still yields every item
    that ends before it, and the next read raises :class:`NestingTooDeep`."""

    def __init__(self, stream: Readable, limit: int) -> None:
        self._stream = stream
        self._scanner = DepthScanner(limit)
        self._error: NestingTooDeep | None = None

    def read(self, size: int = -1) -> bytes:
        if self._error is not None:
            raise self._error
        chunk = self._stream.read(size)
        offset = self._scanner.feed(chunk)
        if offset is None:
            return chunk
        self._error = NestingTooDeep(self._scanner.limit, self._scanner.consumed + offset)
        if offset == 0:
            raise self._error
        return chunk[:offset]
