"""Settings of the metadata service, read from ``CONVERGE_METADATA_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from converge_common.settings import NodeServiceSettings, cached_settings
from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from converge_metadata.vocab.loader import default_data_dir

__all__ = ["MetadataSettings", "get_settings"]


class MetadataSettings(NodeServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONVERGE_METADATA_", extra="ignore")

    service_name: str = Field(default="metadata")
    vocab_dir: Path = Field(
        default_factory=default_data_dir,
        description="Directory holding edam/, ncbi-taxonomy/, spdx/ and duo/",
    )
    taxonomy_store: Path | None = Field(
        default=None,
        description="SQLite file holding the full NCBI Taxonomy that `converge-metadata vocab "
        "load-taxonomy` writes and the service reads at start; default "
        "<DATA_DIR>/ncbi-taxonomy.sqlite. Without it, the taxa shipped in vocab_dir",
    )
    facet_limit: int = Field(default=10, ge=1, le=100, description="Values per facet dimension")
    search_facet_index: bool = Field(
        default=True,
        description="Count facets from an in-process copy of the facet table (about 10 MB per "
        "100k records per worker), rebuilt in the background after writes; false counts in SQL",
    )
    search_cache_size: int = Field(
        default=512,
        ge=0,
        le=100_000,
        description="Anonymous search answers kept per worker until the next write; 0 disables",
    )
    search_max_filter_values: int = Field(
        default=20, ge=1, le=1000, description="Values per search filter (topic, keyword, ...)"
    )
    import_max_bytes: int = Field(default=100 * 1024 * 1024, ge=1, description="Import body cap")
    import_max_depth: int = Field(
        default=64,
        ge=2,
        le=200,
        description="How deep arrays and objects (JSON) or elements (XML) may nest in an import; "
        "a record nested deeper is rejected with rule max_depth",
    )
    import_batch_size: int = Field(
        default=500, ge=1, le=5000, description="Records per import transaction"
    )
    import_jobs_max_running: int = Field(
        default=1,
        ge=1,
        le=8,
        description="Background imports (POST /api/v1/imports, the workspace) that may run at "
        "once on this Node; a further upload is refused (409) until one ends",
    )
    import_job_heartbeat_s: float = Field(
        default=5.0, gt=0, le=60, description="How often a running import job shows it is alive"
    )
    import_job_stale_s: float = Field(
        default=60.0,
        gt=0,
        description="A running import job not heard of for this long is marked failed (its "
        "process ended, e.g. on a restart); keep it several heartbeats long",
    )

    # Publication for harvesters (OAI-PMH, DCAT-AP, FAIR Data Point, sitemap)
    oai_repository_id: str = Field(
        default="",
        pattern=r"^$|^[a-zA-Z][a-zA-Z0-9-]*(\.[a-zA-Z][a-zA-Z0-9-]*)+$",
        description="OAI repository identifier; default converge.<node>.elixir-europe.org",
    )
    admin_email: str = Field(default="converge@example.org", pattern=r"^[^@\s]+@[^@\s]+$")
    oai_page_size: int = Field(default=250, ge=1, le=5000)
    oai_token_ttl_s: int = Field(default=86400, ge=60)
    dcat_page_size: int = Field(default=100, ge=1, le=5000)
    sitemap_page_size: int = Field(default=50000, ge=1, le=50000)

    # Usage events for COUNTER (investigations and requests), read by the Node's impact service
    usage_recording: bool = Field(default=True, description="Record usage events")
    usage_queue_max: int = Field(
        default=10_000, ge=1, description="Events waiting in memory; further ones are dropped"
    )
    usage_batch_size: int = Field(default=500, ge=1, le=10_000, description="Events per write")
    usage_flush_interval_s: float = Field(
        default=1.0, gt=0, description="Longest an event waits in memory before it is written"
    )
    usage_session_cookie: str = Field(
        default="",
        pattern=r"^[A-Za-z0-9_.-]{0,64}$",
        description="Name of a cookie identifying a reader's session (its hash is stored); "
        "empty: none",
    )
    usage_feed_lag_s: float = Field(
        default=5.0,
        ge=0,
        description="The feed serves events written at least this long ago, so a batch still "
        "committing is never passed over",
    )
    usage_feed_max_limit: int = Field(default=5000, ge=1, le=50_000)

    @model_validator(mode="after")
    def _taxonomy_store(self) -> MetadataSettings:
        if self.taxonomy_store is None:
            self.taxonomy_store = self.data_dir / "ncbi-taxonomy.sqlite"
        return self


get_settings = cached_settings(MetadataSettings)
