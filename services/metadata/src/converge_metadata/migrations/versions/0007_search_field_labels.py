"""On PostgreSQL, each searchable field gets a weight label of its own in ``record_search.tsv``.

Revision ID: 0007_search_field_labels
Revises: 0006_usage_events
Create Date: 2026-12-03 14:00:00

The field prefixes of the query language (``title:``, ``keyword:``, ``creator:``) restrict a
term to one column. SQLite's FTS5 table has the columns (``title``, ``keywords``, ``people``)
and filters on them directly, so it is left as it is. PostgreSQL matches one weighted
``tsvector``, where a tsquery restricts a lexeme by weight label (``'word':A``); until now
keywords shared label B with the annotation terms and identifiers. Now title is A, keywords
B, people C and the description, terms and identifiers D. The generated column is recomputed
for every row and its GIN index rebuilt. Ranking (``ts_rank``'s default weights 1.0, 0.4,
0.2, 0.1) now counts terms and identifiers as the description.
"""

from __future__ import annotations

from alembic import op

revision = "0007_search_field_labels"
down_revision = "0006_usage_events"
branch_labels = None
depends_on = None

_BY_FIELD = """
    setweight(to_tsvector('english', title), 'A')
    || setweight(to_tsvector('english', keywords), 'B')
    || setweight(to_tsvector('english', people), 'C')
    || setweight(to_tsvector('english', body || ' ' || terms || ' ' || ids), 'D')
"""

_BEFORE = """
    setweight(to_tsvector('english', title), 'A')
    || setweight(to_tsvector('english', keywords || ' ' || terms || ' ' || ids), 'B')
    || setweight(to_tsvector('english', people), 'C')
    || setweight(to_tsvector('english', body), 'D')
"""


def _relabel(expression: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # dropping the column drops its index; adding a stored generated column fills every row
    op.execute("ALTER TABLE record_search DROP COLUMN tsv")
    op.execute(
        f"ALTER TABLE record_search ADD COLUMN tsv tsvector GENERATED ALWAYS AS ({expression}) "
        "STORED"
    )
    op.execute("CREATE INDEX ix_record_search_tsv ON record_search USING GIN (tsv)")


def upgrade() -> None:
    _relabel(_BY_FIELD)


def downgrade() -> None:
    _relabel(_BEFORE)
