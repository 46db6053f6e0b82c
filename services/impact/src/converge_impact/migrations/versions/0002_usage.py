"""COUNTER usage: events, datasets, monthly counts and the feed's cursor.

Revision ID: 0002_usage
Revises: 0001
Create Date: 2026-12-03 09:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_usage"
down_revision = "0001"
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
        sa.Column("occurred_s", sa.BigInteger(), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("dataset_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        sa.Column("access", sa.SmallInteger(), nullable=False),
        sa.Column("resource", sa.String(64), nullable=False),
        sa.Column("user_key", sa.String(40), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("source_ref", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_usage_events"),
        sa.UniqueConstraint("source", "source_ref", name="uq_usage_events_source_ref"),
    )
    op.create_index("ix_usage_events_month", "usage_events", ["month"])
    op.create_table(
        "usage_datasets",
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("doi", sa.String(255), nullable=True),
        sa.Column("title", sa.String(1000), nullable=True),
        sa.Column("publisher", sa.String(500), nullable=True),
        sa.Column("publication_year", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_usage_datasets"),
    )
    op.create_table(
        "usage_monthly",
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("dataset_id", sa.String(200), nullable=False),
        sa.Column("access_method", sa.String(8), nullable=False),
        sa.Column("total_investigations", sa.Integer(), nullable=False),
        sa.Column("unique_investigations", sa.Integer(), nullable=False),
        sa.Column("total_requests", sa.Integer(), nullable=False),
        sa.Column("unique_requests", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "dataset_id", "access_method", name="pk_usage_monthly"),
    )
    op.create_table(
        "usage_feed_state",
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("cursor", sa.String(40), nullable=False),
        sa.Column("pulled_s", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("source", name="pk_usage_feed_state"),
    )


def downgrade() -> None:
    op.drop_table("usage_feed_state")
    op.drop_table("usage_monthly")
    op.drop_table("usage_datasets")
    op.drop_index("ix_usage_events_month", table_name="usage_events")
    op.drop_table("usage_events")
