"""Bulk CSV upload (per-row report, nothing half-written) and exports (JSON, CSV round trip)."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest_asyncio
from converge_common.testing.asgi import asgi_client
from converge_common.testing.plugin import service_database
from converge_impact.app import MIGRATIONS, create_app
from converge_impact.models import Base
from converge_impact.settings import ImpactSettings

from tests.impact.conftest import Headers, report, validated

# a second, empty impact database: where an export is loaded again
copy_db = service_database("impact_copy", MIGRATIONS, Base.metadata)
CSV = {"Content-Type": "text/csv"}

GOOD_AND_BAD = (
    "indicator,period,value,evidence_url,evidence_note\r\n"
    "staff.fte,2025,12.5,https://example.org/hr,HR report\r\n"  # line 2: fine
    "no.such,2025,1,,\r\n"  # line 3: unknown indicator
    "records.datasets.published,2025,3,,\r\n"  # line 4: derived
    "staff.fte,2025-13,1,,\r\n"  # line 5: bad period
    "funding.external,2025,lots,,\r\n"  # line 6: not a number
    "policy.documents,2025,2,ftp://x,\r\n"  # line 7: bad evidence URL
    "staff.fte,2025,13,,\r\n"  # line 8: same indicator and period as line 2
    "policy.documents,2024,4,,note\r\n"  # line 9: fine
)


async def _count(api: httpx.AsyncClient, headers: Headers) -> int:
    body = (await api.get("/api/v1/values", params={"limit": 100}, headers=headers)).json()
    return len(body["items"])


class TestUpload:
    async def test_roles_and_media_type(
        self, api: httpx.AsyncClient, steward: Headers, other_node: Headers
    ) -> None:
        url = "/api/v1/values/bulk"
        assert (await api.post(url, content=GOOD_AND_BAD, headers=CSV)).status_code == 401
        assert (
            await api.post(url, content=GOOD_AND_BAD, headers=CSV | other_node)
        ).status_code == 403
        wrong = await api.post(
            url, content=GOOD_AND_BAD, headers=steward | {"Content-Type": "text/plain"}
        )
        assert wrong.status_code == 415

    async def test_all_or_nothing_reports_every_rejected_row(
        self, api: httpx.AsyncClient, steward: Headers
    ) -> None:
        response = await api.post(
            "/api/v1/values/bulk", content=GOOD_AND_BAD, headers=CSV | steward
        )
        assert response.status_code == 422
        problem = response.json()
        rejected = {(r["row"], r["column"], r["rule"]) for r in problem["report"]["rejected"]}
        assert rejected == {
            (3, "indicator", "unknown_indicator"),
            (4, "indicator", "derived_indicator"),
            (5, "period", "string_pattern_mismatch"),
            (6, "value", "float_parsing"),
            (7, "evidence_url", "string_pattern_mismatch"),
            (8, "period", "duplicate_row"),
        }
        assert {e["pointer"] for e in problem["errors"]} >= {"/rows/3/indicator", "/rows/6/value"}
        assert problem["report"]["written"] == 0
        assert await _count(api, steward) == 0

    async def test_valid_mode_writes_the_rows_that_pass(
        self, api: httpx.AsyncClient, steward: Headers
    ) -> None:
        response = await api.post(
            "/api/v1/values/bulk",
            params={"mode": "valid"},
            content=GOOD_AND_BAD,
            headers=CSV | steward,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["rows"] == 8
        assert body["written"] == 2
        assert len(body["rejected"]) == 6
        values = (await api.get("/api/v1/values", headers=steward)).json()["items"]
        assert {(v["indicator"], v["period"], v["value"], v["status"]) for v in values} == {
            ("staff.fte", "2025", 12.5, "draft"),
            ("policy.documents", "2024", 4, "draft"),
        }
        first = next(v for v in values if v["indicator"] == "staff.fte")
        assert (first["evidence_url"], first["evidence_note"]) == (
            "https://example.org/hr",
            "HR report",
        )
        history = (await api.get(f"/api/v1/values/{first['id']}/history", headers=steward)).json()
        assert [h["action"] for h in history] == ["import"]

    async def test_rows_that_exist_already_are_rejected(
        self, api: httpx.AsyncClient, steward: Headers
    ) -> None:
        await report(api, steward, "staff.fte", "2025", 1)
        body = "indicator,period,value\r\nstaff.fte,2025,2\r\npolicy.documents,2025,1\r\n"
        response = await api.post("/api/v1/values/bulk", content=body, headers=CSV | steward)
        assert response.status_code == 422
        assert response.json()["report"]["rejected"][0]["rule"] == "value_exists"
        assert await _count(api, steward) == 1

    async def test_file_level_problems(self, api: httpx.AsyncClient, steward: Headers) -> None:
        no_header = await api.post(
            "/api/v1/values/bulk", content="code,when\r\nx,y\r\n", headers=CSV | steward
        )
        assert no_header.status_code == 422
        assert {e["pointer"] for e in no_header.json()["errors"]} == {
            "/header/indicator",
            "/header/period",
            "/header/value",
        }
        latin1 = "indicator,period,value,evidence_note\r\nstaff.fte,2025,1,Gr\xfc\xdfe\r\n".encode(
            "latin-1"
        )
        assert (
            await api.post("/api/v1/values/bulk", content=latin1, headers=CSV | steward)
        ).status_code == 400

    async def test_a_file_up_to_csv_max_bytes_passes_the_body_cap(
        self, impact_settings: Callable[..., ImpactSettings], steward: Headers
    ) -> None:
        # other routes stop at REQUEST_MAX_BODY_BYTES; this one at CSV_MAX_BYTES
        settings = impact_settings(request_max_body_bytes=1024, csv_max_bytes=8192)
        rows = "".join(f"staff.fte,{year},1,,\r\n" for year in range(2000, 2100))
        body = "indicator,period,value,evidence_url,evidence_note\r\n" + rows
        assert 1024 < len(body) < 8192
        async with asgi_client(create_app(settings)) as client:
            response = await client.post("/api/v1/values/bulk", content=body, headers=CSV | steward)
            assert response.status_code == 200, response.text
            assert response.json()["written"] == 100
            too_big = body + "x" * 8192
            refused = await client.post(
                "/api/v1/values/bulk", content=too_big, headers=CSV | steward
            )
            assert refused.status_code == 413


@pytest_asyncio.fixture(loop_scope="session")
async def copy_api(
    copy_db: str, impact_settings: Callable[..., ImpactSettings]
) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(create_app(impact_settings(database_url=copy_db))) as client:
        yield client


def _rows(text: str) -> list[dict[str, Any]]:
    return list(csv.DictReader(io.StringIO(text)))


class TestExport:
    async def test_roles(
        self, api: httpx.AsyncClient, steward: Headers, other_node: Headers
    ) -> None:
        for url in ("/api/v1/export", "/api/v1/export/values.csv"):
            assert (await api.get(url)).status_code == 401
            assert (await api.get(url, headers=other_node)).status_code == 403
            assert (await api.get(url, headers=steward)).status_code == 200

    async def test_everything_in_json(
        self, api: httpx.AsyncClient, steward: Headers, admin: Headers
    ) -> None:
        await validated(api, admin, "staff.fte", "2025", 12)
        await report(api, steward, "policy.documents", "2025", 3)
        body = (await api.get("/api/v1/export", headers=steward)).json()
        assert body["node"] == "de"
        assert len(body["indicators"]) >= 30
        assert {(v["indicator"], v["status"]) for v in body["values"]} == {
            ("staff.fte", "validated"),
            ("policy.documents", "draft"),
        }
        assert [h["action"] for h in body["history"] if h["indicator"] == "staff.fte"] == [
            "create",
            "submit",
            "validate",
        ]

    async def test_values_csv_round_trip(
        self,
        api: httpx.AsyncClient,
        copy_api: httpx.AsyncClient,
        steward: Headers,
        admin: Headers,
    ) -> None:
        await validated(api, admin, "staff.fte", "2025", 12.25, evidence_note='HR, "final", 2025')
        await report(
            api,
            steward,
            "communication.page_views",
            "2025-07",
            1234,
            evidence_url="https://x.org/a?b=1&c=2",
        )
        exported = await api.get("/api/v1/export/values.csv", headers=steward)
        assert exported.headers["content-type"].startswith("text/csv")
        loaded = await copy_api.post(
            "/api/v1/values/bulk", content=exported.content, headers=CSV | steward
        )
        assert loaded.status_code == 200, loaded.text
        assert loaded.json()["written"] == 2
        again = await copy_api.get("/api/v1/export/values.csv", headers=steward)
        keys = ("indicator", "period", "value", "evidence_url", "evidence_note")
        assert sorted(tuple(r[k] for k in keys) for r in _rows(again.text)) == sorted(
            tuple(r[k] for k in keys) for r in _rows(exported.text)
        )
        history = _rows((await api.get("/api/v1/export/history.csv", headers=steward)).text)
        assert [r["action"] for r in history if r["indicator"] == "staff.fte"] == [
            "create",
            "submit",
            "validate",
        ]
        indicators = _rows((await api.get("/api/v1/export/indicators.csv", headers=steward)).text)
        assert "staff.fte" in {r["code"] for r in indicators}
