"""ORM tables of the registry service, one module per table."""

from converge_registry.models.base import Base

__all__ = ["Base"]
