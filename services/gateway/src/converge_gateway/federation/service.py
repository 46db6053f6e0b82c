"""The federation's state: every Node's services with their availability and latest changes,
read from the registry (the one that watches them) and kept a few seconds."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from converge_gateway.context import Gateway
from converge_gateway.directory.client import RegistryClient, RegistryUnavailable
from converge_gateway.directory.schemas import NodeEntry, ServiceKind
from converge_gateway.federation.schemas import (
    FederationStatus,
    NodeStatusView,
    ServiceStatusView,
    StateChange,
)

__all__ = ["RECENT", "federation_status"]

RECENT = 10
KINDS: tuple[ServiceKind, ...] = ("metadata", "impact")
_KEY = "federation-status"


async def _service(client: RegistryClient, node: NodeEntry, kind: ServiceKind) -> ServiceStatusView:
    detail, history = await asyncio.gather(
        client.service_detail(node.id, kind), client.history(node.id, kind, limit=RECENT)
    )
    return ServiceStatusView(
        kind=kind,
        state=detail.state,
        availability={name: w.availability for name, w in detail.availability.items()},
        recent=[StateChange(**t.model_dump()) for t in history],
    )


async def _node(client: RegistryClient | None, node: NodeEntry) -> NodeStatusView:
    kinds = [k for k in KINDS if node.url(k)]
    view = NodeStatusView(
        id=node.id, name=node.name, country=node.country, status=node.status, services=[]
    )
    if client is None:
        view.services = [
            ServiceStatusView(kind=k, state=node.state(k) or "unknown", availability={}, recent=[])
            for k in kinds
        ]
        return view
    try:
        view.services = list(await asyncio.gather(*(_service(client, node, k) for k in kinds)))
    except RegistryUnavailable as exc:
        view.error = str(exc)
        view.services = [
            ServiceStatusView(kind=k, state=node.state(k) or "unknown", availability={}, recent=[])
            for k in kinds
        ]
    return view


async def federation_status(gateway: Gateway) -> FederationStatus:
    if (cached := gateway.status_cache.get(_KEY)) is not None:
        return cached
    directory = gateway.directory
    nodes = await asyncio.gather(*(_node(directory.client, n) for n in directory.nodes))
    status = FederationStatus(
        nodes=list(nodes), checked_at=datetime.now(UTC), registry_error=directory.last_error
    )
    gateway.status_cache.put(_KEY, status)
    return status
