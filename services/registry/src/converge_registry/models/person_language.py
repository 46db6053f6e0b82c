"""A language (ISO 639-1) a person can help in."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from converge_registry.models.base import Base


class PersonLanguage(Base):
    __tablename__ = "person_languages"

    person_id: Mapped[str] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(3), primary_key=True, index=True)
