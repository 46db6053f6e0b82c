"""Settings of the registry service, read from ``CONVERGE_REGISTRY_*`` environment variables."""

from __future__ import annotations

from converge_common.settings import BaseServiceSettings, cached_settings
from pydantic import Field
from pydantic_settings import SettingsConfigDict

__all__ = ["RegistrySettings", "get_settings"]


class RegistrySettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONVERGE_REGISTRY_", extra="ignore")

    service_name: str = Field(default="registry")


get_settings = cached_settings(RegistrySettings)
