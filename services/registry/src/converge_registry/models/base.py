"""The declarative base of the registry service, with the project's naming convention."""

from __future__ import annotations

from converge_common.db import make_base_metadata
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    metadata = make_base_metadata()
