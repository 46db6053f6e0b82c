"""ORM tables of the metadata service, one module per table."""

from converge_metadata.models.base import Base

__all__ = ["Base"]
