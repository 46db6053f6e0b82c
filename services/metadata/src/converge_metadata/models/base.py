"""The declarative base of the metadata service, with the project's naming convention."""

from __future__ import annotations

from converge_common.db import UTCDateTime, make_base_metadata
from sqlalchemy.orm import DeclarativeBase

__all__ = ["Base", "UTCDateTime"]


class Base(DeclarativeBase):
    metadata = make_base_metadata()
