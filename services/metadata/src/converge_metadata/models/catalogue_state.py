"""``catalogue_state``: one row whose ``generation`` grows with every committed write."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Integer
from sqlalchemy.orm import Mapped, mapped_column

from converge_metadata.models.base import Base

__all__ = ["CatalogueState"]


class CatalogueState(Base):
    """The catalogue's write generation: every transaction that writes record versions adds one
    in the same transaction, so a reader that sees the same number sees the same records.

    In-process search structures (the facet index) and cached answers are keyed by it. A
    counter row rather than a sequence: a sequence value is visible before its transaction
    commits, this row's new value only after (PostgreSQL serialises writers on the row lock)."""

    __tablename__ = "catalogue_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (CheckConstraint("id = 1", name="ck_catalogue_state_single_row"),)
