"""Synthetic logs with known COUNTER answers (Code of Practice for Research Data, release 1)."""

from __future__ import annotations

from typing import Any

import httpx
from converge_common.testing.plugin import Tokens, bearer

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
)

Counts = dict[tuple[str, str], dict[str, dict[str, int]]]


def counts_of(report: dict[str, Any]) -> Counts:
    """{(proprietary id, access method): {month: {metric: count}}} of a DSR."""
    out: Counts = {}
    for item in report["Report_Datasets"]:
        ids = {i["Type"]: i["Value"] for i in item["Dataset_ID"]}
        per_month = out.setdefault((ids["Proprietary"], item["Access_Method"]), {})
        for perf in item["Performance"]:
            month = perf["Period"]["Begin_Date"][:7]
            per_month[month] = {i["Metric_Type"]: i["Count"] for i in perf["Instance"]}
    return out


async def load(api: httpx.AsyncClient, tokens: Tokens, body: bytes, fmt: str) -> dict[str, Any]:
    response = await api.post(
        "/api/v1/usage/loads",
        params={"format": fmt},
        content=body,
        headers=bearer(tokens.node("de")),
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def dsr(api: httpx.AsyncClient, begin: str = "2025-01", end: str = "2025-12") -> Counts:
    response = await api.get("/api/v1/reports/dsr", params={"begin_date": begin, "end_date": end})
    assert response.status_code == 200, response.text
    return counts_of(response.json())


def metrics(ti: int, ui: int, tr: int = 0, ur: int = 0) -> dict[str, int]:
    values = {
        "total-dataset-investigations": ti,
        "unique-dataset-investigations": ui,
        "total-dataset-requests": tr,
        "unique-dataset-requests": ur,
    }
    return {k: v for k, v in values.items() if v}


A = "10.0.0.1"
MACHINE_IP = "10.0.0.2"

SCENARIO = [
    # a reader: a double click 29 s apart counts once, a third click 31 s later counts again
    Use("2025-03-10T10:00:00", "ds1", A, FIREFOX),
    Use("2025-03-10T10:00:29", "ds1", A, FIREFOX),
    Use("2025-03-10T10:01:00", "ds1", A, FIREFOX),
    # the same reader follows the download link: a request, and also an investigation
    Use("2025-03-10T10:05:00", "ds1", A, FIREFOX, download=True),
    # 20 s apart, but across an hour boundary: identified by address, two sessions
    Use("2025-03-10T10:59:50", "ds2", A, FIREFOX),
    Use("2025-03-10T11:00:10", "ds2", A, FIREFOX),
    # a robot: excluded everywhere
    Use("2025-03-10T10:02:00", "ds1", "66.249.66.1", GOOGLEBOT),
    Use("2025-03-10T10:02:10", "ds1", "66.249.66.1", GOOGLEBOT, download=True),
    # scripted clients are machine access, not robots; different user agents, different users
    Use("2025-03-10T10:03:00", "ds1", MACHINE_IP, CURL, download=True),
    Use("2025-03-10T10:03:05", "ds1", MACHINE_IP, PYTHON_REQUESTS),
    # a signed-in user from two addresses in one hour: one user, one session
    Use("2025-03-10T10:10:00", "ds1", "10.0.0.3", CHROME, user="bob"),
    Use("2025-03-10T10:20:00", "ds1", "10.0.0.4", CHROME, user="bob"),
    # the same address with another user agent: another user
    Use("2025-03-10T10:30:00", "ds1", A, SAFARI),
    # a signed-in user's double click across an hour boundary still counts once
    Use("2025-03-10T11:59:50", "ds3", "10.0.0.3", CHROME, user="bob"),
    Use("2025-03-10T12:00:10", "ds3", "10.0.0.3", CHROME, user="bob"),
    # failed requests do not count
    Use("2025-03-10T10:40:00", "ds1", A, FIREFOX, status=404),
]

EXPECTED: Counts = {
    ("de:ds1", "Regular"): {"2025-03": metrics(6, 3, 1, 1)},
    ("de:ds1", "Machine"): {"2025-03": metrics(2, 2, 1, 1)},
    ("de:ds2", "Regular"): {"2025-03": metrics(2, 2)},
    ("de:ds3", "Regular"): {"2025-03": metrics(1, 1)},
}


class TestKnownAnswers:
    async def test_combined_log_format(self, impact_api: httpx.AsyncClient, tokens: Tokens) -> None:
        report = await load(impact_api, tokens, clf(SCENARIO, extra=["not a log line"]), "clf")
        assert report["robots"] == 2
        assert report["rejected"] == 1
        assert report["errors"] == [
            {"line": len(SCENARIO) + 1, "reason": "not in the Combined Log Format"}
        ]
        assert report["ignored"] == 1  # the 404
        assert await dsr(impact_api) == EXPECTED

    async def test_counter_processor_log(
        self, impact_api: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        report = await load(impact_api, tokens, counter(SCENARIO), "counter")
        assert report["robots"] == 2
        assert report["rejected"] == 0
        assert await dsr(impact_api) == EXPECTED

    async def test_double_click_at_29_and_31_seconds(
        self, impact_api: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        uses = [
            Use("2025-04-01T09:00:00", "ds1", A, FIREFOX),
            Use("2025-04-01T09:00:29", "ds1", A, FIREFOX),  # double click of the first
            Use("2025-04-01T09:10:00", "ds2", A, FIREFOX),
            Use("2025-04-01T09:10:31", "ds2", A, FIREFOX),  # a second action
        ]
        await load(impact_api, tokens, clf(uses), "clf")
        counts = await dsr(impact_api)
        assert counts[("de:ds1", "Regular")]["2025-04"] == metrics(1, 1)
        assert counts[("de:ds2", "Regular")]["2025-04"] == metrics(2, 1)

    async def test_unique_by_cookie_and_by_address(
        self, impact_api: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        def line(at: str, ip: str, session: str, cookie: str) -> str:
            fields = [at, ip, session, cookie, "-", "https://n.example/api/v1/records/ds1",
                      "doi:10.1234/ds1", "-", "-", FIREFOX] + ["-"] * 9  # fmt: skip
            return "\t".join(fields)

        body = "\n".join(
            [
                # one user cookie from two addresses in one hour: one session
                line("2025-05-02T08:00:00+00:00", "10.1.0.1", "-", "cookie-1"),
                line("2025-05-02T08:40:00+00:00", "10.1.0.2", "-", "cookie-1"),
                # one address and user agent, two session cookies: two sessions
                line("2025-05-02T09:00:00+00:00", "10.1.0.3", "sess-1", "-"),
                line("2025-05-02T09:05:00+00:00", "10.1.0.3", "sess-2", "-"),
                # no cookie: address + user agent + hour; the same twice in an hour: one
                line("2025-05-02T10:00:00+00:00", "10.1.0.4", "-", "-"),
                line("2025-05-02T10:50:00+00:00", "10.1.0.4", "-", "-"),
                # ... and again in the next hour: another session
                line("2025-05-02T11:10:00+00:00", "10.1.0.4", "-", "-"),
            ]
        ).encode()
        await load(impact_api, tokens, body, "counter")
        assert (await dsr(impact_api))[("de:ds1", "Regular")]["2025-05"] == metrics(7, 5)
