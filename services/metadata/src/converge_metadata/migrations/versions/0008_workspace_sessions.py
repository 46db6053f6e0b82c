"""Server-side sessions of the Node workspace (stewards signed in with OpenID Connect).

Revision ID: 0008_workspace_sessions
Revises: 0007_search_field_labels
Create Date: 2026-12-03 17:00:00

The table is ``converge_common.workspace.sessions.workspace_sessions_table``; the impact
service has the same table in its own database, created by its own migration.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_workspace_sessions"
down_revision = "0007_search_field_labels"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workspace_sessions",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("state", sa.String(128), nullable=True),
        sa.Column("nonce", sa.String(128), nullable=True),
        sa.Column("code_verifier", sa.String(128), nullable=True),
        sa.Column("return_to", sa.String(2048), nullable=True),
        sa.Column("subject", sa.String(255), nullable=True),
        sa.Column("display_name", sa.String(255), nullable=True),
        sa.Column("access_token", sa.Text(), nullable=True),
        sa.Column("id_token", sa.Text(), nullable=True),
        sa.Column("csrf_token", sa.String(128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_workspace_sessions"),
    )
    op.create_index("ix_workspace_sessions_expires_at", "workspace_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_workspace_sessions_expires_at", table_name="workspace_sessions")
    op.drop_table("workspace_sessions")
