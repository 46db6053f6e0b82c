"""``converge_common.db.UTCDateTime``: aware UTC in and out, naive refused, on both backends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
import pytest_asyncio
from converge_common.db import make_engine
from sqlalchemy import insert, select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.shared.harness import Base, Stamp

PARIS_SUMMER = timezone(timedelta(hours=2))


@pytest_asyncio.fixture(loop_scope="session")
async def engine(harness_db: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(harness_db)
    async with engine.begin() as conn:  # the harness builds its tables itself (no migrations)
        await conn.run_sync(Base.metadata.create_all)
    try:
        yield engine
    finally:
        await engine.dispose()


class TestUTCDateTime:
    async def test_an_aware_value_in_another_zone_comes_back_as_the_same_instant_in_utc(
        self, engine: AsyncEngine
    ) -> None:
        at = datetime(2026, 6, 1, 14, 30, 15, 123456, tzinfo=PARIS_SUMMER)
        async with engine.begin() as conn:
            await conn.execute(insert(Stamp), [{"id": 1, "at": at}, {"id": 2, "at": None}])
            rows = {row.id: row.at for row in await conn.execute(select(Stamp.id, Stamp.at))}
        assert rows[1] == at
        assert rows[1] is not None
        assert rows[1].tzinfo is UTC
        assert rows[1].hour == 12
        assert rows[2] is None

    async def test_comparisons_in_sql_use_the_utc_instant(self, engine: AsyncEngine) -> None:
        early = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
        late = datetime(2026, 6, 1, 13, 0, tzinfo=PARIS_SUMMER)  # 11:00 UTC, before `early`
        async with engine.begin() as conn:
            await conn.execute(insert(Stamp), [{"id": 1, "at": early}, {"id": 2, "at": late}])
            ordered = (await conn.execute(select(Stamp.id).order_by(Stamp.at))).scalars().all()
            after = (
                (
                    await conn.execute(
                        select(Stamp.id).where(
                            Stamp.at > datetime(2026, 6, 1, 13, 30, tzinfo=PARIS_SUMMER)
                        )
                    )
                )
                .scalars()
                .all()
            )
        assert ordered == [2, 1]
        assert after == [1]

    async def test_the_same_utc_wall_time_is_stored_on_both_backends(
        self, engine: AsyncEngine
    ) -> None:
        async with engine.begin() as conn:
            await conn.execute(
                insert(Stamp), [{"id": 1, "at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=PARIS_SUMMER)}]
            )
            if engine.dialect.name == "postgresql":
                raw = (
                    await conn.execute(
                        text(
                            "SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
                            " FROM stamp"
                        )
                    )
                ).scalar_one()
            else:
                raw = (await conn.execute(text("SELECT substr(at, 1, 19) FROM stamp"))).scalar_one()
        assert raw == "2026-01-02 01:04:05"

    async def test_a_naive_value_is_refused_and_nothing_is_written(
        self, engine: AsyncEngine
    ) -> None:
        with pytest.raises(StatementError, match="naive datetime 2026-06-01T12:00:00 refused"):
            async with engine.begin() as conn:
                await conn.execute(insert(Stamp), [{"id": 1, "at": datetime(2026, 6, 1, 12, 0)}])
        async with engine.connect() as conn:
            assert (await conn.execute(select(Stamp.id))).scalars().all() == []
