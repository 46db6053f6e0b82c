"""Records, their versions, facet values and the full-text index.

Revision ID: 0001_records
Revises:
Create Date: 2026-11-25 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_records"
down_revision = None
branch_labels = None
depends_on = None

# Column weights are applied at query time on SQLite (bm25) and here on PostgreSQL.
_PG_SEARCH = """
CREATE TABLE record_search (
    record_pk INTEGER PRIMARY KEY REFERENCES records (pk) ON DELETE CASCADE,
    title TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    keywords TEXT NOT NULL DEFAULT '',
    people TEXT NOT NULL DEFAULT '',
    ids TEXT NOT NULL DEFAULT '',
    terms TEXT NOT NULL DEFAULT '',
    tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A')
        || setweight(to_tsvector('english', keywords || ' ' || terms || ' ' || ids), 'B')
        || setweight(to_tsvector('english', people), 'C')
        || setweight(to_tsvector('english', body), 'D')
    ) STORED
)
"""

_SQLITE_SEARCH = """
CREATE VIRTUAL TABLE record_search USING fts5(
    title, body, keywords, people, ids, terms,
    tokenize = 'porter unicode61 remove_diacritics 2'
)
"""


def upgrade() -> None:
    op.create_table(
        "records",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("local_id", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("access_level", sa.String(length=16), nullable=False),
        sa.Column("embargo_until", sa.Date(), nullable=True),
        sa.Column("sort_title", sa.String(length=200), nullable=False),
        sa.Column("license", sa.String(length=100), nullable=True),
        sa.Column("issued_year", sa.Integer(), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("datestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("modified_by", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_records")),
        sa.UniqueConstraint("local_id", name=op.f("uq_records_local_id")),
    )
    op.create_index("ix_records_datestamp_pk", "records", ["datestamp", "pk"])
    op.create_index("ix_records_modified_at_pk", "records", ["modified_at", "pk"])
    op.create_index("ix_records_sort_title_pk", "records", ["sort_title", "pk"])
    op.create_index("ix_records_status_deleted_at", "records", ["status", "deleted_at"])
    op.create_table(
        "record_versions",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_pk", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["record_pk"],
            ["records.pk"],
            name=op.f("fk_record_versions_record_pk_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_record_versions")),
        sa.UniqueConstraint("record_pk", "version", name=op.f("uq_record_versions_record_pk")),
    )
    op.create_table(
        "record_facets",
        sa.Column("record_pk", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_pk"],
            ["records.pk"],
            name=op.f("fk_record_facets_record_pk_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("record_pk", "dimension", "value", name=op.f("pk_record_facets")),
    )
    op.create_index(
        "ix_record_facets_dimension_value", "record_facets", ["dimension", "value", "record_pk"]
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_SEARCH)
        op.execute("CREATE INDEX ix_record_search_tsv ON record_search USING GIN (tsv)")
    else:
        op.execute(_SQLITE_SEARCH)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS record_search")
    op.drop_index("ix_record_facets_dimension_value", table_name="record_facets")
    op.drop_table("record_facets")
    op.drop_table("record_versions")
    op.drop_index("ix_records_status_deleted_at", table_name="records")
    op.drop_index("ix_records_sort_title_pk", table_name="records")
    op.drop_index("ix_records_modified_at_pk", table_name="records")
    op.drop_index("ix_records_datestamp_pk", table_name="records")
    op.drop_table("records")
