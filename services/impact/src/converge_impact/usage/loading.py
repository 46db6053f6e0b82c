"""Loading a log file: from a path (the CLI) or an uploaded body (spooled to a bounded
temporary file first, so parsing reads it line by line)."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.ext.asyncio import AsyncSession

from converge_impact.usage import service
from converge_impact.usage.parsers import Format, parse
from converge_impact.usage.schemas import LoadError, LoadReportRead

__all__ = ["load_file", "load_path", "load_stream"]

_SPOOL_BYTES = 8 * 1024 * 1024


def _read(report: service.LoadReport, format: Format) -> LoadReportRead:
    return LoadReportRead(
        format=format,
        lines=report.lines,
        counted=report.counted,
        robots=report.robots,
        ignored=report.ignored,
        rejected=report.rejected,
        errors=[LoadError(line=e.line, reason=e.reason) for e in report.errors],
        months=report.months,
    )


async def load_file(session: AsyncSession, source: BinaryIO, *, format: Format) -> LoadReportRead:
    report = await service.ingest_hits(session, parse(source, format), source=format)
    return _read(report, format)


async def load_path(session: AsyncSession, path: Path, *, format: Format) -> LoadReportRead:
    with path.open("rb") as source:
        return await load_file(session, source, format=format)


async def load_stream(
    session: AsyncSession, body: AsyncIterator[bytes], *, format: Format
) -> LoadReportRead:
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as spool:
        async for chunk in body:
            spool.write(chunk)
        spool.seek(0)
        return await load_file(session, spool, format=format)  # type: ignore[arg-type]
