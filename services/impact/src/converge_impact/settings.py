"""Settings of the impact service, read from ``CONVERGE_IMPACT_*`` environment variables."""

from __future__ import annotations

from converge_common.settings import BaseServiceSettings, cached_settings
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

__all__ = ["ImpactSettings", "get_settings"]


class ImpactSettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONVERGE_IMPACT_", extra="ignore")

    service_name: str = Field(default="impact")
    node_id: str = Field(default="xx", pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    node_name: str = "Demo Node"
    registry_url: str = ""
    client_id: str = ""
    client_secret: SecretStr = SecretStr("")
    # the registry's audience for client-credentials tokens; empty: this service's own
    registry_audience: str = ""
    heartbeat_interval_s: float = Field(default=60.0, gt=0)


get_settings = cached_settings(ImpactSettings)
