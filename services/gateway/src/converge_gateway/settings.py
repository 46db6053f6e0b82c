"""Settings of the gateway service, read from ``CONVERGE_GATEWAY_*`` environment variables."""

from __future__ import annotations

import math

from converge_common.ratelimit import RateLimitSettings
from converge_common.settings import BaseServiceSettings, cached_settings
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

__all__ = ["GatewaySettings", "get_settings"]


class GatewaySettings(BaseServiceSettings, RateLimitSettings):
    model_config = SettingsConfigDict(env_prefix="CONVERGE_GATEWAY_", extra="ignore")

    service_name: str = Field(default="gateway")
    # the registry tells the gateway which Nodes exist and where their services are
    registry_url: str = ""
    # the gateway's own client credentials (it never forwards a caller's token to a Node)
    client_id: str = ""
    client_secret: SecretStr = SecretStr("")
    # loopback and private addresses are refused unless the deployment allows them (the demo)
    allow_private_targets: bool = False
    # how long a Node's host name, once resolved and checked, is reused (0: resolve every call)
    dns_cache_ttl_s: float = Field(default=10.0, ge=0, le=300)

    # Discovery: service states the gateway calls; others are reported as skipped
    callable_states: list[str] = Field(default_factory=lambda: ["active", "degraded"])
    registry_wait_s: float = Field(default=25.0, ge=0, le=120)
    registry_retry_max_s: float = Field(default=60.0, gt=0)
    registry_first_load_s: float = Field(default=5.0, gt=0)
    # keep the last known good directory in data_dir, for a restart while the registry is down
    directory_snapshot: bool = True

    # Fan-out: one overall deadline, and a tighter limit on each Node within it
    deadline_s: float = Field(default=2.0, gt=0, le=60)
    # of the deadline, the time kept to merge the Nodes' answers and send the response: the
    # Nodes get deadline_s - answer_reserve_s, so the answer itself arrives by the deadline
    answer_reserve_s: float = Field(default=0.05, ge=0, le=5)
    node_timeout_s: float = Field(default=1.8, gt=0, le=60)
    # connections to each Node (a pool per Node), enough for that many concurrent searches
    node_connections: int = Field(default=100, ge=1, le=10_000)
    node_max_response_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    # Reciprocal rank fusion constant (Cormack et al. use 60)
    rrf_k: int = Field(default=60, ge=1)
    # the largest page a Node serves (its page_size_max)
    node_page_max: int = Field(default=100, ge=1)

    # Facets: each Node is asked for ceil(shown * factor) + extra values per dimension (as
    # Elasticsearch sizes its shard_size), and at most this many searches per request complete
    # the counts of the values shown at Nodes that did not list them
    facet_size_default: int = Field(default=10, ge=1, le=100)
    facet_node_factor: float = Field(default=1.5, ge=1, le=10)
    facet_node_extra: int = Field(default=10, ge=0, le=100)
    facet_completion_max_calls: int = Field(default=24, ge=0, le=200)

    # Circuit breaker per Node
    breaker_failures: int = Field(default=5, ge=1)
    breaker_open_s: float = Field(default=30.0, gt=0)

    # Response cache for identical searches
    cache_ttl_s: float = Field(default=5.0, ge=0)
    cache_max_entries: int = Field(default=1000, ge=0)

    # Rate limit per client (token subject, else address): per_minute in any minute, and at
    # most burst in the time per_minute takes to allow burst requests (0: no limit). Where the
    # counts live: rate_limit_storage_url (memory://, or redis:// shared by the replicas).
    rate_limit_per_minute: int = Field(default=600, ge=0)
    rate_limit_burst: int = Field(default=60, ge=1)

    # Harvesting
    federation_id: str = Field(
        default="converge.elixir-europe.org", pattern=r"^[A-Za-z0-9][A-Za-z0-9.-]*$"
    )
    federation_name: str = "ELIXIR CONVERGE federation"
    admin_email: str = "converge-admin@elixir-europe.org"
    oai_token_ttl_s: int = Field(default=24 * 3600, ge=60)
    # the most items one ListRecords / ListIdentifiers page holds, over however many Nodes
    oai_page_size: int = Field(default=250, ge=1, le=5000)

    @model_validator(mode="after")
    def _reserve_within_deadline(self) -> GatewaySettings:
        if self.answer_reserve_s >= self.deadline_s:
            raise ValueError("answer_reserve_s must be shorter than deadline_s")
        return self

    @property
    def rate_limit_rules(self) -> str:
        """The per-client limits in the notation of the ``limits`` library; empty: none."""
        if self.rate_limit_per_minute == 0:
            return ""
        per_minute, burst = self.rate_limit_per_minute, self.rate_limit_burst
        burst_window_s = max(1, math.ceil(burst * 60 / per_minute))
        return f"{per_minute}/minute;{burst} per {burst_window_s} second"

    @property
    def nodes_deadline_s(self) -> float:
        """How long the Nodes are given: the deadline less the time to answer."""
        return self.deadline_s - self.answer_reserve_s


get_settings = cached_settings(GatewaySettings)
