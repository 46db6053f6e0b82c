"""A covering index of the columns search filters and sorts on, keyed by pk (SQLite only).

Revision ID: 0003_search_cover
Revises: 0002_all_facets
Create Date: 2026-11-25 02:00:00

Search probes ``records`` by pk for every full-text match (visibility, filters, sort keys).
On SQLite that read the wide rowid rows, JSON documents and all; this narrow index answers
those probes and the browse scans from far fewer pages (search names it with INDEXED BY).
PostgreSQL's planner reaches the heap rows through the primary key and is left as it is.
"""

from __future__ import annotations

from alembic import op

revision = "0003_search_cover"
down_revision = "0002_all_facets"
branch_labels = None
depends_on = None

_COLUMNS = (
    "pk, status, deleted_at, access_level, embargo_until, type, license, issued_year, "
    "modified_at, sort_title"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"CREATE INDEX ix_records_search_cover ON records ({_COLUMNS})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP INDEX ix_records_search_cover")
