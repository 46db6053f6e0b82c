"""An EDAM topic a person is expert in (one row each, so that search uses an index)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from converge_registry.models.base import Base


class PersonExpertise(Base):
    __tablename__ = "person_expertise"

    person_id: Mapped[str] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)
