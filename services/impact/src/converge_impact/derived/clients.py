"""Typed clients of the Node's metadata service and of the registry.

Every answer is validated against what was asked for (shape, the Node it is about) before
anything is derived from it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, TypeVar

import httpx
from converge_common.http import HttpLimits, fetch
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from converge_impact.tokens import ClientCredentials

__all__ = [
    "CatalogueStats",
    "CourseMonth",
    "FairSummary",
    "MetadataClient",
    "RecordCount",
    "RegistryClient",
    "ServiceEntry",
    "SourceError",
    "Transition",
]

M = TypeVar("M", bound=BaseModel)
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
MAX_HISTORY_PAGES = 50


class SourceError(Exception):
    """A source could not be read, or answered something that does not fit."""


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")


class RecordCount(_Answer):
    type: Literal["Dataset", "Software", "TrainingMaterial", "CourseInstance"]
    access_level: Literal["public", "embargoed", "controlled"]
    month: str = Field(pattern=MONTH)
    count: int = Field(ge=0)


class CourseMonth(_Answer):
    month: str = Field(pattern=MONTH)
    events: int = Field(ge=0)
    participants: int = Field(ge=0)


class CatalogueStats(_Answer):
    node: str
    generated_at: datetime
    records: list[RecordCount] = Field(max_length=100_000)
    courses: list[CourseMonth] = Field(max_length=10_000)


class FairSummary(_Answer):
    records: int = Field(ge=0)
    mean_score: float | None = Field(ge=0, le=1)
    histogram: dict[str, int]


class ServiceEntry(_Answer):
    node_id: str
    kind: str
    state: str


class _ServicePage(_Answer):
    items: list[ServiceEntry] = Field(max_length=1000)
    next_cursor: str | None = None


class Transition(_Answer):
    from_state: str | None
    to_state: Literal["unknown", "active", "degraded", "unreachable", "retired"]
    at: datetime


class _TransitionPage(_Answer):
    items: list[Transition] = Field(max_length=1000)
    next_cursor: str | None = None


async def _get(
    client: httpx.AsyncClient,
    url: str,
    model: type[M],
    *,
    limits: HttpLimits,
    headers: dict[str, str] | None = None,
    params: dict[str, str | int] | None = None,
) -> tuple[M, int]:
    try:
        response = await fetch(client, "GET", url, limits=limits, headers=headers, params=params)
    except httpx.HTTPError as exc:
        raise SourceError(f"{url}: {type(exc).__name__}") from exc
    if response.status_code != 200:
        return model.model_construct(), response.status_code
    try:
        return model.model_validate_json(response.content), 200
    except ValidationError as exc:
        raise SourceError(f"{url}: the answer does not fit ({exc.error_count()} errors)") from exc


class MetadataClient:
    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        *,
        node_id: str,
        token: ClientCredentials,
        limits: HttpLimits,
    ) -> None:
        self._client = client
        self.base_url = base_url.rstrip("/")
        self._node = node_id
        self._token = token
        self._limits = limits

    async def stats(self) -> CatalogueStats:
        url = self.base_url + "/api/v1/stats"
        for attempt in range(2):
            stats, status = await _get(
                self._client,
                url,
                CatalogueStats,
                limits=self._limits,
                headers=await self._token.header(),
            )
            if status == 401 and attempt == 0:
                self._token.forget()
                continue
            if status != 200:
                raise SourceError(f"{url}: HTTP {status}")
            if stats.node != self._node:
                raise SourceError(
                    f"{url}: the stats are of Node {stats.node!r}, not {self._node!r}"
                )
            return stats
        raise SourceError(f"{url}: the token was refused")

    async def fair_summary(self) -> FairSummary:
        url = self.base_url + "/api/v1/fair/summary"
        summary, status = await _get(self._client, url, FairSummary, limits=self._limits)
        if status != 200:
            raise SourceError(f"{url}: HTTP {status}")
        if sum(summary.histogram.values()) != summary.records:
            raise SourceError(f"{url}: the histogram does not add up to the record count")
        return summary


class RegistryClient:
    def __init__(
        self, client: httpx.AsyncClient, base_url: str, *, node_id: str, limits: HttpLimits
    ) -> None:
        self._client = client
        self.base_url = base_url.rstrip("/")
        self._node = node_id
        self._limits = limits

    async def services(self) -> list[ServiceEntry]:
        url = self.base_url + "/api/v1/services"
        page, status = await _get(
            self._client,
            url,
            _ServicePage,
            limits=self._limits,
            params={"node": self._node, "limit": 100},
        )
        if status != 200:
            raise SourceError(f"{url}: HTTP {status}")
        if any(s.node_id != self._node for s in page.items):
            raise SourceError(f"{url}: the answer lists another Node's services")
        return page.items

    async def history(self, kind: str) -> list[Transition]:
        """Every transition of one of this Node's services, oldest first."""
        url = f"{self.base_url}/api/v1/nodes/{self._node}/services/{kind}/history"
        found: list[Transition] = []
        cursor: str | None = None
        for _ in range(MAX_HISTORY_PAGES):
            params: dict[str, str | int] = {"limit": 100, "sort": "at"}
            if cursor:
                params["cursor"] = cursor
            page, status = await _get(
                self._client, url, _TransitionPage, limits=self._limits, params=params
            )
            if status != 200:
                raise SourceError(f"{url}: HTTP {status}")
            found += page.items
            cursor = page.next_cursor
            if not cursor:
                break
        return sorted(found, key=lambda t: t.at)
