"""``workspace_sessions``: signed-in stewards' server-side sessions (converge_common.workspace)."""

from __future__ import annotations

from converge_common.workspace import workspace_sessions_table

from converge_metadata.models.base import Base

__all__ = ["workspace_sessions"]

workspace_sessions = workspace_sessions_table(Base.metadata)
