"""Settings of the gateway service, read from ``CONVERGE_GATEWAY_*`` environment variables."""

from __future__ import annotations

from converge_common.settings import BaseServiceSettings, cached_settings
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

__all__ = ["GatewaySettings", "get_settings"]


class GatewaySettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONVERGE_GATEWAY_", extra="ignore")

    service_name: str = Field(default="gateway")
    # the registry tells the gateway which Nodes exist and where their services are
    registry_url: str = ""
    # the gateway's own client credentials (it never forwards a caller's token to a Node)
    client_id: str = ""
    client_secret: SecretStr = SecretStr("")
    # loopback and private addresses are refused unless the deployment allows them (the demo)
    allow_private_targets: bool = False


get_settings = cached_settings(GatewaySettings)
