"""Content negotiation of the gateway's own answers: one ``Accept`` parser for every route."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["choose_media_type"]


def _ranges(accept: str) -> list[tuple[float, str]]:
    ranges: list[tuple[float, str]] = []
    for part in accept.split(",")[:50]:
        media, *params = (p.strip().lower() for p in part.split(";"))
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        if media:
            ranges.append((quality, media))
    # stable: among equal qualities, the caller's order
    return sorted(ranges, key=lambda r: -r[0])


def _matches(media_range: str, offer: str) -> bool:
    if media_range in ("*/*", offer):
        return True
    kind, _, sub = media_range.partition("/")
    return sub == "*" and offer.startswith(kind + "/")


def choose_media_type(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer the caller prefers (``offers`` in the server's order of preference, which
    settles a wildcard); the first offer without ``Accept``; ``None`` when none is acceptable."""
    if not accept or not accept.strip():
        return offers[0]
    ranges = _ranges(accept)
    # a type refused by name (q=0) is not taken through a wildcard either
    refused = {media for quality, media in ranges if quality <= 0}
    for quality, media_range in ranges:
        if quality <= 0:
            continue
        for offer in offers:
            if offer not in refused and _matches(media_range, offer):
                return offer
    return None
