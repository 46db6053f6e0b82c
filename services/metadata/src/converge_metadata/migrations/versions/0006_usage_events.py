"""Usage events (COUNTER investigations and requests) and the daily salts that hash clients.

Revision ID: 0006_usage_events
Revises: 0005_facets_without_rowid
Create Date: 2026-12-03 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_usage_events"
down_revision = "0005_facets_without_rowid"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "usage_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("record_id", sa.String(100), nullable=False),
        sa.Column("record_version", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("distribution", sa.Integer(), nullable=True),
        sa.Column("client_hash", sa.String(32), nullable=False),
        sa.Column("user_hash", sa.String(32), nullable=True),
        sa.Column("session_hash", sa.String(32), nullable=True),
        sa.Column("user_agent", sa.String(512), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_usage_events"),
    )
    op.create_index("ix_usage_events_recorded_at", "usage_events", ["recorded_at"])
    op.create_table(
        "usage_salts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("salt", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name="pk_usage_salts"),
    )


def downgrade() -> None:
    op.drop_table("usage_salts")
    op.drop_index("ix_usage_events_recorded_at", table_name="usage_events")
    op.drop_table("usage_events")
