"""The federation's starter catalogue, shipped as data in ``converge_impact/catalogue/``.

Loaded at every start: missing indicators are added and the federation's own ones brought up
to date with the shipped text, so every Node runs the catalogue of its installed version. A
Node's own indicators (scope ``node``) are never touched.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files

from converge_common.db import utcnow
from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from converge_impact.indicators import repository
from converge_impact.models import Indicator
from converge_impact.vocabulary import CombineRule, IndicatorType, Pathway, Source

__all__ = ["CatalogueEntry", "ensure_catalogue", "starter_catalogue"]


class CatalogueEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    name: str
    description: str
    pathway: Pathway
    type: IndicatorType
    unit: str
    combine_nodes: CombineRule
    combine_periods: CombineRule
    source: Source
    derivation: str | None = None


@lru_cache(maxsize=1)
def starter_catalogue() -> tuple[CatalogueEntry, ...]:
    raw = json.loads(files("converge_impact.catalogue").joinpath("indicators.json").read_text())
    return tuple(CatalogueEntry.model_validate(item) for item in raw["indicators"])


async def ensure_catalogue(session: AsyncSession) -> int:
    """Add or refresh the shipped indicators; returns how many rows changed."""
    existing = await repository.by_codes(session)
    changed = 0
    now = utcnow()
    for entry in starter_catalogue():
        values = entry.model_dump()
        row = existing.get(entry.code)
        if row is None:
            repository.add(
                session, Indicator(**values, scope="federation", created_at=now, updated_at=now)
            )
            changed += 1
        elif row.scope == "federation" and any(getattr(row, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = now
            changed += 1
    return changed
