"""``record_facets``: one row per (record, dimension, value) that search filters and counts."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from converge_metadata.models.base import Base

__all__ = ["FACET_DIMENSIONS", "RecordFacet"]

# every dimension search counts; type, access, licence and year are also columns of ``records``
# (where filters read them), copied here so that facet counts need only this table
FACET_DIMENSIONS = ("type", "access", "license", "year", "topic", "organism", "keyword", "language")


class RecordFacet(Base):
    """Filter and facet values of live records: a term IRI, a lower-cased keyword, a language
    tag, the record type, its stored access level, SPDX licence id or year of issue."""

    __tablename__ = "record_facets"

    record_pk: Mapped[int] = mapped_column(
        ForeignKey("records.pk", ondelete="CASCADE"), primary_key=True
    )
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(255), primary_key=True)

    __table_args__ = (Index("ix_record_facets_dimension_value", "dimension", "value", "record_pk"),)
