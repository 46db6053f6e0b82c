"""iCalendar (RFC 5545) text for a list of events: the few properties a course feed needs,
with text escaping (section 3.3.11) and line folding at 75 octets (section 3.1)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

__all__ = ["Event", "calendar", "escape_text", "fold"]

LINE_OCTETS = 75


@dataclass(frozen=True)
class Event:
    uid: str
    start: date | datetime  # a date is an all-day event; a datetime is aware
    end: date | datetime  # exclusive, as DTEND is
    summary: str
    url: str
    location: str | None = None
    description: str | None = None


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, newlines as ``\\n``."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Lines longer than 75 octets split into CRLF + space continuations, never inside a
    UTF-8 sequence (the leading space of a continuation counts towards its 75)."""
    out: list[str] = []
    current: list[str] = []
    size, limit = 0, LINE_OCTETS
    for char in line:
        octets = len(char.encode())
        if size + octets > limit:
            out.append("".join(current))
            current, size, limit = [], 0, LINE_OCTETS - 1
        current.append(char)
        size += octets
    out.append("".join(current))
    return "\r\n ".join(out)


def _when(name: str, value: date | datetime) -> str:
    if isinstance(value, datetime):
        return f"{name}:{value.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}"
    return f"{name};VALUE=DATE:{value.strftime('%Y%m%d')}"


def _event(event: Event, stamp: str) -> Iterable[str]:
    yield "BEGIN:VEVENT"
    yield f"UID:{escape_text(event.uid)}"
    yield f"DTSTAMP:{stamp}"
    yield _when("DTSTART", event.start)
    yield _when("DTEND", event.end)
    yield f"SUMMARY:{escape_text(event.summary)}"
    if event.location:
        yield f"LOCATION:{escape_text(event.location)}"
    yield f"URL:{event.url}"
    if event.description:
        yield f"DESCRIPTION:{escape_text(event.description)}"
    yield "END:VEVENT"


def calendar(
    events: Sequence[Event], *, product: str, name: str, stamp: datetime | None = None
) -> str:
    """A VCALENDAR of ``events``; ``product`` is the PRODID, ``name`` the calendar's name."""
    moment = (stamp or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{product}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for event in events:
        lines += _event(event, moment)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
