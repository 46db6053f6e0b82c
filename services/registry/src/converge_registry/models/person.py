"""A person of a Node's expert network (data stewards, trainers)."""

from __future__ import annotations

from datetime import datetime

from converge_common.db import UTCDateTime, utcnow
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from converge_registry.models.base import Base
from converge_registry.models.person_expertise import PersonExpertise
from converge_registry.models.person_language import PersonLanguage


class Person(Base):
    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    node_id: Mapped[str] = mapped_column(ForeignKey("nodes.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    orcid: Mapped[str | None] = mapped_column(String(19), unique=True)
    role: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    expertise: Mapped[list[PersonExpertise]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=PersonExpertise.topic
    )
    languages: Mapped[list[PersonLanguage]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=PersonLanguage.language
    )
