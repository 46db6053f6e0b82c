"""The same usage given as metadata-service events, as a Combined Log Format file and as a
counter-processor file gives the same Dataset Master Report."""

from __future__ import annotations

from typing import Any

import httpx
from converge_common.db import Database
from converge_common.testing.plugin import Tokens
from converge_impact.models import UsageDataset, UsageEvent, UsageMonthly
from converge_impact.usage import service
from sqlalchemy import delete

from tests.impact.usage.logs import (
    CHROME,
    CURL,
    FIREFOX,
    GOOGLEBOT,
    PYTHON_REQUESTS,
    SAFARI,
    Use,
    clf,
    counter,
    feed,
)
from tests.impact.usage.test_counter_rules import counts_of, load, metrics

USES = [
    Use("2025-06-02T08:00:00", "ds1", "10.2.0.1", FIREFOX),
    Use("2025-06-02T08:00:20", "ds1", "10.2.0.1", FIREFOX),
    Use("2025-06-02T08:01:00", "ds1", "10.2.0.1", FIREFOX, download=True),
    Use("2025-06-02T08:01:25", "ds1", "10.2.0.1", FIREFOX, download=True),
    Use("2025-06-02T08:30:00", "ds2", "10.2.0.2", CHROME, user="carol"),
    Use("2025-06-02T09:30:00", "ds2", "10.2.0.3", CHROME, user="carol"),
    Use("2025-06-02T09:31:00", "ds2", "10.2.0.9", CURL, download=True),
    Use("2025-06-02T09:31:02", "ds2", "10.2.0.9", PYTHON_REQUESTS),
    Use("2025-06-03T12:00:00", "ds1", "66.249.66.1", GOOGLEBOT),
    Use("2025-06-30T23:59:50", "ds3", "10.2.0.4", SAFARI, user="dave"),
    Use("2025-07-01T00:00:10", "ds3", "10.2.0.4", SAFARI, user="dave"),
    Use("2025-07-15T14:00:00", "ds1", "10.2.0.5", SAFARI),
    Use("2025-07-15T14:00:01", "ds1", "10.2.0.5", SAFARI, status=500),
]

EXPECTED = {
    ("de:ds1", "Regular"): {"2025-06": metrics(2, 1, 1, 1), "2025-07": metrics(1, 1)},
    ("de:ds2", "Regular"): {"2025-06": metrics(2, 2)},
    ("de:ds2", "Machine"): {"2025-06": metrics(2, 2, 1, 1)},
    # across midnight every hash changes (the salt is daily): not a double click
    ("de:ds3", "Regular"): {"2025-06": metrics(1, 1), "2025-07": metrics(1, 1)},
}


async def _clear(db: Database) -> None:
    async for session in db.session():
        for table in (UsageEvent, UsageMonthly, UsageDataset):
            await session.execute(delete(table))


async def _report(api: httpx.AsyncClient) -> dict[str, Any]:
    response = await api.get(
        "/api/v1/reports/dsr", params={"begin_date": "2025-06", "end_date": "2025-07"}
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_events_clf_and_counter_files_give_the_same_dsr(
    impact_api: httpx.AsyncClient, impact_database: Database, tokens: Tokens
) -> None:
    async for session in impact_database.session():
        ingest = service.FeedIngest()
        await service.ingest_feed_page(session, feed(USES), into=ingest)
        await service.process_months(session, service.feed_months(ingest))
    from_events = await _report(impact_api)
    await _clear(impact_database)
    await load(impact_api, tokens, clf(USES), "clf")
    from_clf = await _report(impact_api)
    await _clear(impact_database)
    await load(impact_api, tokens, counter(USES), "counter")
    from_counter = await _report(impact_api)

    assert counts_of(from_events) == EXPECTED
    assert counts_of(from_clf) == EXPECTED
    assert counts_of(from_counter) == EXPECTED
    # the feed and the counter-processor log also carry the same descriptive metadata
    assert from_events["Report_Datasets"] == from_counter["Report_Datasets"]
    first = from_events["Report_Datasets"][0]
    assert first["Dataset_ID"] == [
        {"Type": "DOI", "Value": "10.1234/ds1"},
        {"Type": "Proprietary", "Value": "de:ds1"},
    ]
    assert first["Dataset_Title"] == "Mouse brain atlas"
    assert first["YOP"] == "2023"
