"""Settings of the registry service, read from ``CONVERGE_REGISTRY_*`` environment variables."""

from __future__ import annotations

from converge_common.ratelimit import RateLimitSettings
from converge_common.settings import BaseServiceSettings, cached_settings
from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import SettingsConfigDict

__all__ = ["BootstrapNode", "RegistrySettings", "get_settings"]


class BootstrapNode(BaseModel):
    """A Node admitted at start-up (the demo federation; an operator may use the API instead)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    name: str
    country: str = Field(pattern=r"^[A-Z]{2}$")
    client_ids: list[str] = Field(default_factory=list)
    entitlements: list[str] = Field(default_factory=list)


class RegistrySettings(BaseServiceSettings, RateLimitSettings):
    model_config = SettingsConfigDict(env_prefix="CONVERGE_REGISTRY_", extra="ignore")

    service_name: str = Field(default="registry")

    # SSRF: loopback, private and link-local targets only when the deployment says so
    allow_private_targets: bool = False

    # Probing
    probe_enabled: bool = True
    webhooks_enabled: bool = True
    # 1,000 services at 120 s keep the registry under 5 % of a core (docs/benchmarks.md)
    probe_interval_s: float = Field(default=120.0, gt=0)
    # a failed probe is repeated this soon (at most one interval) until UNREACHABLE_AFTER
    # failures confirm it: a stopped service is called unreachable within about one interval
    probe_confirm_s: float = Field(default=5.0, gt=0)
    probe_jitter: float = Field(default=0.1, ge=0, le=0.5)
    probe_timeout_s: float = Field(default=5.0, gt=0)
    probe_slow_ms: float = Field(default=2000.0, gt=0)
    probe_concurrency: int = Field(default=20, ge=1, le=500)
    probe_tick_s: float = Field(default=1.0, gt=0)
    probe_max_backoff_s: float = Field(default=3600.0, gt=0)
    probe_max_bytes: int = Field(default=64 * 1024, ge=1024)
    unreachable_after: int = Field(default=3, ge=1)
    heartbeat_window_s: float = Field(default=300.0, gt=0)

    # Change feed and webhooks
    changes_max_wait_s: float = Field(default=30.0, ge=0, le=120)
    webhook_timeout_s: float = Field(default=5.0, gt=0)
    webhook_batch_size: int = Field(default=100, ge=1, le=1000)
    webhook_max_backoff_s: float = Field(default=600.0, gt=0)

    # FAIR Data Point style pings from anonymous clients, per client address, in any hour;
    # the counts live in rate_limit_storage_url (memory://, or redis:// shared by replicas)
    ping_rate_per_hour: int = Field(default=10, ge=1)

    bootstrap_nodes: list[BootstrapNode] = Field(default_factory=list)


get_settings = cached_settings(RegistrySettings)
