"""Facet rows for type, access, licence and year, so search counts facets from one table.

Revision ID: 0002_all_facets
Revises: 0001_records
Create Date: 2026-11-25 01:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0002_all_facets"
down_revision = "0001_records"
branch_labels = None
depends_on = None

_COPIED = {
    "type": "type",
    "access": "access_level",
    "license": "license",
    "year": "CAST(issued_year AS VARCHAR)",
}


def upgrade() -> None:
    # live records only: a tombstone has no facet rows (its derived rows are dropped on delete)
    for dimension, column in _COPIED.items():
        op.execute(
            "INSERT INTO record_facets (record_pk, dimension, value) "
            f"SELECT pk, '{dimension}', {column} FROM records "  # noqa: S608
            f"WHERE deleted_at IS NULL AND {column} IS NOT NULL"
        )


def downgrade() -> None:
    op.execute(
        "DELETE FROM record_facets WHERE dimension IN ('type', 'access', 'license', 'year')"
    )
