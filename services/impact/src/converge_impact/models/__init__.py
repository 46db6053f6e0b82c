"""ORM tables of the impact service, one module per table."""

from converge_impact.models.base import Base

__all__ = ["Base"]
