"""``GET /api/v1/stats``: aggregate counts for the Node's impact service (stewards only)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from converge_common.testing.plugin import Tokens, bearer

from tests.metadata.conftest import dataset

CONTROLLED = {
    "level": "controlled",
    "dac": {"name": "DAC", "email": "dac@example.org"},
    "data_use": ["DUO:0000042"],
}


def course(local_id: str, start: str, participants: int | None) -> dict[str, object]:
    part: dict[str, object] = {"start_date": start, "end_date": start, "online": True}
    if participants is not None:
        part["participants"] = participants
    return dataset(id=local_id, type="CourseInstance", dataset=None, course=part)


class TestStats:
    async def test_roles(
        self, api: httpx.AsyncClient, steward: dict[str, str], tokens: Tokens
    ) -> None:
        assert (await api.get("/api/v1/stats")).status_code == 401
        assert (
            await api.get("/api/v1/stats", headers=bearer(tokens.node("fi")))
        ).status_code == 403
        assert (await api.get("/api/v1/stats", headers=bearer(tokens.nobody()))).status_code == 403
        assert (await api.get("/api/v1/stats", headers=steward)).status_code == 200

    async def test_counts(self, api: httpx.AsyncClient, steward: dict[str, str]) -> None:
        bodies = [
            dataset(id="a"),
            dataset(id="b", access=CONTROLLED),
            dataset(id="c", access={"level": "embargoed", "embargo_until": "2099-01-01"}),
            dataset(id="d", status="draft"),
            course("c1", "2025-03-10", 12),
            course("c2", "2025-03-28", 8),
            course("c3", "2025-05-01", None),
        ]
        for body in bodies:
            response = await api.post("/api/v1/records", json=body, headers=steward)
            assert response.status_code == 201, response.text
        stats = (await api.get("/api/v1/stats", headers=steward)).json()
        month = datetime.now(UTC).strftime("%Y-%m")
        assert stats["node"] == "de"
        assert {
            (r["type"], r["access_level"], r["month"], r["count"]) for r in stats["records"]
        } == {
            ("Dataset", "public", month, 1),
            ("Dataset", "controlled", month, 1),
            ("Dataset", "embargoed", month, 1),
            ("CourseInstance", "public", month, 3),
        }
        assert stats["courses"] == [
            {"month": "2025-03", "events": 2, "participants": 20, "with_participants": 2},
            {"month": "2025-05", "events": 1, "participants": 0, "with_participants": 0},
        ]
