"""Settings of the impact service, read from ``CONVERGE_IMPACT_*`` environment variables."""

from __future__ import annotations

from converge_common.settings import NodeServiceSettings, cached_settings
from pydantic import Field
from pydantic_settings import SettingsConfigDict

__all__ = ["ImpactSettings", "get_settings"]


class ImpactSettings(NodeServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONVERGE_IMPACT_", extra="ignore")

    service_name: str = Field(default="impact")

    # the Node's metadata service, read for derived indicators (empty: not derived from it)
    metadata_url: str = ""
    # the audience of tokens for the metadata service; empty: this service's own audience
    metadata_audience: str = ""
    # derived values are recomputed every interval while the service runs (0: only on demand)
    derive_interval_s: float = Field(default=3600.0, ge=0)
    # bulk CSV uploads
    csv_max_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    csv_max_rows: int = Field(default=10_000, ge=1)


get_settings = cached_settings(ImpactSettings)
