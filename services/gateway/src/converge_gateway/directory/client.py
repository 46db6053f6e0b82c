"""A small typed client of the registry's public API (the operator configured its URL)."""

from __future__ import annotations

from typing import Any, TypeVar

import httpx
from converge_common.http import HttpLimits, fetch
from pydantic import BaseModel

from converge_gateway.directory.schemas import (
    ChangeFeed,
    NodeEntry,
    RegistryNodePage,
    RegistryPersonPage,
    RegistryService,
    RegistryServiceDetail,
    RegistryServicePage,
    RegistryTransition,
    RegistryTransitionPage,
)

__all__ = ["RegistryClient", "RegistryUnavailable"]

P = TypeVar("P", bound=BaseModel)
MAX_PAGES = 1000


class RegistryUnavailable(Exception):
    """The registry did not answer, or answered something the gateway cannot read."""


class RegistryClient:
    def __init__(self, client: httpx.AsyncClient, *, base_url: str, limits: HttpLimits) -> None:
        self._client = client
        self._base = base_url.rstrip("/") + "/api/v1"
        self._limits = limits

    async def _get(
        self, path: str, params: dict[str, Any], model: type[P], limits: HttpLimits | None = None
    ) -> P:
        query = {k: v for k, v in params.items() if v is not None}
        try:
            response = await fetch(
                self._client, "GET", self._base + path, params=query, limits=limits or self._limits
            )
        except httpx.HTTPError as exc:
            raise RegistryUnavailable(f"{path}: {type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:
            raise RegistryUnavailable(f"{path}: HTTP {response.status_code}")
        try:
            return model.model_validate_json(response.content)
        except ValueError as exc:
            raise RegistryUnavailable(f"{path}: unreadable answer") from exc

    async def _all(self, path: str, params: dict[str, Any], model: type[P]) -> list[Any]:
        items: list[Any] = []
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            page: Any = await self._get(path, {**params, "limit": 100, "cursor": cursor}, model)
            items.extend(page.items)
            cursor = page.next_cursor
            if not cursor:
                return items
        raise RegistryUnavailable(f"{path}: more than {MAX_PAGES} pages")

    async def snapshot(self) -> list[NodeEntry]:
        """Every Node with its metadata and impact services, sorted by Node id."""
        nodes = await self._all("/nodes", {}, RegistryNodePage)
        by_kind: dict[str, dict[str, RegistryService]] = {}
        for kind in ("metadata", "impact"):
            services = await self._all("/services", {"kind": kind}, RegistryServicePage)
            by_kind[kind] = {s.node_id: s for s in services if s.kind == kind}
        entries = []
        for node in nodes:
            metadata = by_kind["metadata"].get(node.id)
            impact = by_kind["impact"].get(node.id)
            entries.append(
                NodeEntry(
                    id=node.id,
                    name=node.name,
                    country=node.country,
                    status=node.status,
                    metadata_url=metadata.base_url.rstrip("/") if metadata else None,
                    service_state=metadata.state if metadata else None,
                    impact_url=impact.base_url.rstrip("/") if impact else None,
                    impact_state=impact.state if impact else None,
                )
            )
        return sorted(entries, key=lambda e: e.id)

    async def changes(self, since: int, *, wait_s: float) -> ChangeFeed:
        limits = HttpLimits(
            connect_s=self._limits.connect_s,
            read_s=wait_s + self._limits.read_s,
            total_s=wait_s + self._limits.total_s,
            max_bytes=self._limits.max_bytes,
            retries=0,
        )
        params = {"since": since, "wait": wait_s, "limit": 1000}
        return await self._get("/changes", params, ChangeFeed, limits=limits)

    async def service_detail(self, node_id: str, kind: str) -> RegistryServiceDetail:
        """One service with its availability over the registry's windows (24h, 7d, 30d)."""
        return await self._get(f"/nodes/{node_id}/services/{kind}", {}, RegistryServiceDetail)

    async def history(self, node_id: str, kind: str, *, limit: int) -> list[RegistryTransition]:
        """The service's latest state changes, newest first."""
        page = await self._get(
            f"/nodes/{node_id}/services/{kind}/history",
            {"limit": limit, "sort": "-at"},
            RegistryTransitionPage,
        )
        return page.items[:limit]

    async def people(
        self,
        *,
        expertise: list[str],
        languages: list[str],
        node: str | None,
        limit: int,
        cursor: str | None,
    ) -> RegistryPersonPage:
        """A page of the federation's people, by name; every topic of ``expertise`` and any of
        ``languages`` must match. Asked anonymously: the registry gives no e-mail."""
        params = {
            "expertise": expertise or None,
            "language": languages or None,
            "node": node,
            "limit": limit,
            "cursor": cursor,
            "sort": "name",
        }
        return await self._get("/people", params, RegistryPersonPage)
