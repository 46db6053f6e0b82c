"""The catalogue's write generation, a single counter row bumped by every write transaction.

Revision ID: 0004_catalogue_generation
Revises: 0003_search_cover
Create Date: 2026-12-01 20:00:00

Search keeps an in-process facet index and a short answer cache; both are valid exactly while
this number is unchanged.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_catalogue_generation"
down_revision = "0003_search_cover"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalogue_state",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_catalogue_state_single_row"),
    )
    op.execute("INSERT INTO catalogue_state (id, generation) VALUES (1, 1)")


def downgrade() -> None:
    op.drop_table("catalogue_state")
