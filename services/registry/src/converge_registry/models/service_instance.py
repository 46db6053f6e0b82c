"""A service a Node runs, with what the registry last learnt about its health."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from converge_common.db import UTCDateTime, utcnow
from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from converge_registry.models.base import Base


class ServiceInstance(Base):
    __tablename__ = "service_instances"
    __table_args__ = (UniqueConstraint("node_id", "kind", name="uq_service_instances_node_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    node_id: Mapped[str] = mapped_column(ForeignKey("nodes.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    base_url: Mapped[str] = mapped_column(String(2000))
    api_version: Mapped[str] = mapped_column(String(32))
    capabilities: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), index=True)
    state_since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_probe_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_probe_result: Mapped[str | None] = mapped_column(String(16))
    last_probe_status: Mapped[int | None] = mapped_column(Integer)
    last_probe_error: Mapped[str | None] = mapped_column(String(300))
    last_probe_latency_ms: Mapped[float | None] = mapped_column(Float)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    # the probe schedule: the prober takes the earliest due rows through this index
    next_probe_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    probing: Mapped[bool] = mapped_column(Boolean, default=True)
