"""Settings of the impact service, read from ``CONVERGE_IMPACT_*`` environment variables."""

from __future__ import annotations

from converge_common.settings import NodeServiceSettings, cached_settings
from pydantic import Field
from pydantic_settings import SettingsConfigDict

__all__ = ["ImpactSettings", "get_settings"]


class ImpactSettings(NodeServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONVERGE_IMPACT_", extra="ignore")

    service_name: str = Field(default="impact")

    # the Node's metadata service: derived indicators are read from it and usage events pulled
    # (empty: neither)
    metadata_url: str = Field(
        default="", description="The Node's metadata service (derived indicators, usage events)"
    )
    metadata_audience: str = Field(
        default="", description="Audience of tokens for the metadata service; empty: ours"
    )
    # derived values are recomputed every interval while the service runs (0: only on demand)
    derive_interval_s: float = Field(default=3600.0, ge=0)
    # bulk CSV uploads
    csv_max_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    csv_max_rows: int = Field(default=10_000, ge=1)
    # COUNTER usage
    metadata_scope: str = Field(
        default="",
        max_length=500,
        description="Scope asked for in that token; empty: node:<node_id>:admin",
    )
    usage_pull_interval_s: float = Field(default=300.0, gt=0, description="Between feed pulls")
    usage_pull_page_size: int = Field(default=1000, ge=1, le=5000)
    usage_pull_max_pages: int = Field(
        default=100, ge=1, le=10_000, description="Pages per pull (one transaction)"
    )
    usage_upload_max_bytes: int = Field(
        default=256 * 1024 * 1024, ge=1024, description="Largest log file an upload may send"
    )
    usage_platform: str = Field(
        default="", max_length=200, description="DSR Platform; empty: the Node's name"
    )


get_settings = cached_settings(ImpactSettings)
