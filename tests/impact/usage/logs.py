"""Synthetic usage with known COUNTER answers, written as each input format."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from converge_impact.usage.schemas import FeedPage

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
CHROME = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Safari/537.36"
)
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
CURL = "curl/8.4.0"
PYTHON_REQUESTS = "python-requests/2.31.0"


@dataclass(frozen=True)
class Use:
    at: str  # ISO 8601, UTC
    record: str
    ip: str
    agent: str
    download: bool = False
    user: str | None = None
    status: int = 200

    @property
    def when(self) -> datetime:
        return datetime.fromisoformat(self.at).replace(tzinfo=UTC)

    @property
    def path(self) -> str:
        if self.download:
            return f"/api/v1/records/{self.record}/distributions/0/download"
        return f"/api/v1/records/{self.record}"


def clf(uses: list[Use], *, extra: list[str] = ()) -> bytes:  # type: ignore[assignment]
    lines = []
    for use in uses:
        stamp = use.when.strftime("%d/%b/%Y:%H:%M:%S +0000")
        status = 302 if use.download and use.status == 200 else use.status
        lines.append(
            f'{use.ip} - {use.user or "-"} [{stamp}] "GET {use.path} HTTP/1.1" {status} 512 '
            f'"-" "{use.agent}"'
        )
    return ("\n".join([*lines, *extra]) + "\n").encode()


TITLES = {"ds1": "Mouse brain atlas", "ds2": "Zebrafish embryo images", "ds3": "Yeast proteome"}


def doi(record: str) -> str:
    return f"10.1234/{record}"


def counter(uses: list[Use]) -> bytes:
    lines = ["#Version: 0.0.1", "#Fields: event_time\tclient_ip\t..."]
    for use in uses:
        if use.status != 200:
            continue
        fields = [
            use.when.isoformat(),
            use.ip,
            "-",
            "-",
            use.user or "-",
            "https://node.example.org" + use.path,
            f"doi:{doi(use.record)}",
            "atlas.h5ad" if use.download else "-",
            "1024" if use.download else "-",
            use.agent,
            TITLES[use.record],
            "ELIXIR Germany",
            "-",
            "Josiah Carberry",
            "2023-05-01",
            "1",
            "-",
            "https://node.example.org/records/" + use.record,
            "2023",
        ]
        lines.append("\t".join(fields))
    return ("\n".join(lines) + "\n").encode()


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def feed(uses: list[Use], *, first_id: int = 1) -> FeedPage:
    """The page the metadata service would serve for these uses (successful ones only)."""
    items: list[dict[str, Any]] = []
    for use in uses:
        if use.status != 200:
            continue
        items.append(
            {
                "id": first_id + len(items),
                "occurred_at": use.when.isoformat(),
                "record_id": use.record,
                "record_version": 1,
                "kind": "request" if use.download else "investigation",
                "channel": "download" if use.download else "api",
                "distribution": 0 if use.download else None,
                "client_hash": _hash(use.when.date().isoformat(), use.ip, use.agent),
                # the metadata service salts every hash by the day
                "user_hash": _hash(use.when.date().isoformat(), use.user) if use.user else None,
                "session_hash": None,
                "user_agent": use.agent,
            }
        )
    records = {
        r: {
            "type": "Dataset",
            "title": TITLES[r],
            "doi": doi(r),
            "publisher": "ELIXIR Germany",
            "publication_year": 2023,
            "version": 1,
        }
        for r in {u.record for u in uses}
    }
    cursor = str(first_id + len(items) - 1) if items else "0"
    return FeedPage.model_validate({"items": items, "cursor": cursor, "records": records})
