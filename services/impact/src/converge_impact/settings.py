"""Settings of the impact service, read from ``CONVERGE_IMPACT_*`` environment variables."""

from __future__ import annotations

from converge_common.settings import NodeServiceSettings, cached_settings
from pydantic import Field
from pydantic_settings import SettingsConfigDict

__all__ = ["ImpactSettings", "get_settings"]


class ImpactSettings(NodeServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONVERGE_IMPACT_", extra="ignore")

    service_name: str = Field(default="impact")


get_settings = cached_settings(ImpactSettings)
