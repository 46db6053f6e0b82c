"""Refreshing the derived values: read every source, then write what came back in one
transaction. A source that fails is reported and leaves its stored values as they were."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime

from converge_common.db import Database, utcnow
from sqlalchemy.ext.asyncio import AsyncSession

from converge_impact.derived import repository
from converge_impact.derived.clients import MetadataClient, RegistryClient, SourceError
from converge_impact.derived.compute import Derivation, from_fair, from_histories, from_stats
from converge_impact.derived.schemas import DerivedRead, RefreshReport, SourceOutcome
from converge_impact.derived.usage import usage_derivation
from converge_impact.indicators import repository as indicators
from converge_impact.periods import granularity_of
from converge_impact.tokens import TokenUnavailable

__all__ = ["Deriver", "list_derived"]

logger = logging.getLogger("converge.impact.derived")

# how far back the usage indicators are recomputed on each refresh
USAGE_YEARS = 3


@dataclass
class Deriver:
    metadata: MetadataClient | None
    registry: RegistryClient | None

    async def _read(
        self, name: str, read: Callable[[], Awaitable[Derivation]] | None, why_not: str
    ) -> tuple[SourceOutcome, Derivation | None]:
        if read is None:
            return SourceOutcome(source=name, status="skipped", detail=why_not), None
        try:
            return SourceOutcome(source=name, status="ok"), await read()
        except (SourceError, TokenUnavailable) as exc:
            logger.warning(
                "derived source %s failed: %s", name, exc, extra={"event": "derive_failed"}
            )
            return SourceOutcome(source=name, status="error", detail=str(exc)[:500]), None

    async def _stats(self, now: datetime) -> Derivation:
        assert self.metadata is not None
        stats = await self.metadata.stats()
        return from_stats(stats, source=f"metadata:{self.metadata.base_url}/api/v1/stats", now=now)

    async def _fair(self, now: datetime) -> Derivation:
        assert self.metadata is not None
        summary = await self.metadata.fair_summary()
        url = f"metadata:{self.metadata.base_url}/api/v1/fair/summary"
        return from_fair(summary, source=url, now=now)

    async def _availability(self, now: datetime) -> Derivation:
        assert self.registry is not None
        services = await self.registry.services()
        histories = [await self.registry.history(s.kind) for s in services]
        kinds = ",".join(sorted(s.kind for s in services)) or "none"
        source = f"registry:{self.registry.base_url}/api/v1/nodes/*/services/{{{kinds}}}/history"
        return from_histories(histories, source=source, now=now)

    async def refresh(self, db: Database) -> RefreshReport:
        started = utcnow()
        meta = "no metadata_url configured"
        reads = [
            await self._read(
                "metadata.stats", (lambda: self._stats(started)) if self.metadata else None, meta
            ),
            await self._read(
                "metadata.fair", (lambda: self._fair(started)) if self.metadata else None, meta
            ),
            await self._read(
                "registry.availability",
                (lambda: self._availability(started)) if self.registry else None,
                "no registry_url configured",
            ),
        ]
        async for session in db.session():
            for outcome, derivation in reads:
                if derivation is not None:
                    outcome.values = await _write(session, derivation, computed_at=started)
            usage = await self._usage(session, started)
        return RefreshReport(
            started_at=started, finished_at=utcnow(), sources=[o for o, _ in reads] + [usage]
        )

    async def _usage(self, session: AsyncSession, now: datetime) -> SourceOutcome:
        # the Node's own processed usage: always there, empty until events are processed
        begin = date(now.year - USAGE_YEARS, 1, 1)
        derivation = await usage_derivation(session, begin=begin, end=now.date())
        return SourceOutcome(
            source="usage", status="ok", values=await _write(session, derivation, computed_at=now)
        )


async def _write(session: AsyncSession, derivation: Derivation, *, computed_at: datetime) -> int:
    catalogue = await indicators.by_codes(session)
    replaced = [catalogue[c].id for c in derivation.replaces if c in catalogue]
    if replaced:
        await repository.delete_months(session, replaced, from_month=derivation.replace_from)
    written = 0
    for figure in derivation.figures:
        indicator = catalogue.get(figure.code)
        if indicator is None or indicator.source != "derived":
            continue
        await repository.upsert(
            session,
            indicator_id=indicator.id,
            period=figure.period,
            granularity=granularity_of(figure.period),
            value=figure.value,
            source=figure.source,
            computed_at=computed_at,
        )
        written += 1
    return written


async def list_derived(session: AsyncSession, *, code: str | None = None) -> list[DerivedRead]:
    indicator_id = None
    if code is not None:
        found = await indicators.by_code(session, code)
        if found is None:
            return []
        indicator_id = found.id
    return [
        DerivedRead(
            indicator=i.code,
            period=d.period,
            granularity=granularity_of(d.period),
            value=d.value,
            unit=i.unit,
            source=d.source,
            computed_at=d.computed_at,
        )
        for d, i in await repository.list_derived(session, indicator_id=indicator_id)
    ]
