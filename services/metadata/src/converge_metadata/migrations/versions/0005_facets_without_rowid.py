"""On SQLite, ``record_facets`` becomes a WITHOUT ROWID table clustered on its primary key.

Revision ID: 0005_facets_without_rowid
Revises: 0004_catalogue_generation
Create Date: 2026-12-01 20:30:00

A facet row is its key: (record_pk, dimension, value). As a rowid table SQLite kept three
B-trees per row (the rowid table, the primary key index and the value index); clustered on
the primary key it keeps two, which made 100k-record imports about 9% faster. PostgreSQL has
no rowid and is left as it is.
"""

from __future__ import annotations

from alembic import op

revision = "0005_facets_without_rowid"
down_revision = "0004_catalogue_generation"
branch_labels = None
depends_on = None

_COLUMNS = (
    "record_pk INTEGER NOT NULL, dimension VARCHAR(16) NOT NULL, value VARCHAR(255) NOT NULL, "
    "CONSTRAINT pk_record_facets PRIMARY KEY (record_pk, dimension, value), "
    "CONSTRAINT fk_record_facets_record_pk_records FOREIGN KEY (record_pk) "
    "REFERENCES records (pk) ON DELETE CASCADE"
)


def _rebuild(options: str) -> None:
    op.execute(f"CREATE TABLE record_facets_rebuilt ({_COLUMNS}){options}")
    op.execute(
        "INSERT INTO record_facets_rebuilt (record_pk, dimension, value) "
        "SELECT record_pk, dimension, value FROM record_facets ORDER BY record_pk, dimension, value"
    )
    op.execute("DROP INDEX ix_record_facets_dimension_value")
    op.execute("DROP TABLE record_facets")
    op.execute("ALTER TABLE record_facets_rebuilt RENAME TO record_facets")
    op.execute(
        "CREATE INDEX ix_record_facets_dimension_value ON record_facets (dimension, value, record_pk)"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(" WITHOUT ROWID")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild("")
