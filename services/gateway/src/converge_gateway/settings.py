"""Settings of the gateway service, read from ``CONVERGE_GATEWAY_*`` environment variables."""

from __future__ import annotations

from converge_common.settings import BaseServiceSettings, cached_settings
from pydantic import Field
from pydantic_settings import SettingsConfigDict

__all__ = ["GatewaySettings", "get_settings"]


class GatewaySettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONVERGE_GATEWAY_", extra="ignore")

    service_name: str = Field(default="gateway")


get_settings = cached_settings(GatewaySettings)
