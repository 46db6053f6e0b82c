"""What every gateway request needs, built once in the lifespan and reached by dependency."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
from converge_common.cache import LRUCache
from converge_common.http import HttpLimits
from fastapi import Depends, Request

from converge_gateway.directory.service import NodeDirectory
from converge_gateway.fanout.engine import FanOut
from converge_gateway.federation.schemas import FederationStatus
from converge_gateway.oai.tokens import HarvestTokens
from converge_gateway.search.cursor import FederatedCursor
from converge_gateway.settings import GatewaySettings

__all__ = ["STATUS_TTL_S", "TERMS_TTL_S", "Gateway", "GatewayDep", "get_gateway"]

STATUS_TTL_S = 5.0
# EDAM labels change with a release, not between requests
TERMS_TTL_S = 300.0


@dataclass
class Gateway:
    settings: GatewaySettings
    directory: NodeDirectory
    fanout: FanOut
    # every call to a Node goes through the SSRF guard
    nodes_client: httpx.AsyncClient
    node_limits: HttpLimits
    cache: LRUCache[Hashable, dict[str, Any]]
    # federated impact answers, kept apart so they never evict searches (and vice versa)
    impact_cache: LRUCache[Hashable, dict[str, Any]]
    cursor: FederatedCursor
    harvest_tokens: HarvestTokens
    # each Node's OAI identifier prefix (from its Identify), to address its records
    oai_prefixes: dict[str, str] = field(default_factory=dict)
    # the federation's state from the registry, read at most every few seconds
    status_cache: LRUCache[Hashable, FederationStatus] = field(
        default_factory=lambda: LRUCache(max_entries=1, ttl_s=STATUS_TTL_S)
    )
    # EDAM topics (id -> label) and texts (-> the topics they find), from the Nodes' terms
    terms_cache: LRUCache[Hashable, Any] = field(
        default_factory=lambda: LRUCache(max_entries=10_000, ttl_s=TERMS_TTL_S)
    )


async def get_gateway(request: Request) -> Gateway:
    # async although it awaits nothing: FastAPI runs a plain ``def`` dependency in a worker
    # thread, and the hop back queues the request behind every Node call in flight
    gateway: Gateway = request.app.state.gateway
    return gateway


GatewayDep = Annotated[Gateway, Depends(get_gateway)]
