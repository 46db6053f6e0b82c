"""The declarative base of the impact service, with the project's naming convention.

Timestamp columns use ``converge_common.db.UTCDateTime`` (one rule for every service).
"""

from __future__ import annotations

from converge_common.db import make_base_metadata
from sqlalchemy.orm import DeclarativeBase

__all__ = ["Base"]


class Base(DeclarativeBase):
    metadata = make_base_metadata()
