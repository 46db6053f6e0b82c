"""The FAIR self-assessment: metric by metric with hints, and the catalogue summary."""

from __future__ import annotations

import httpx
import pytest
from converge_metadata.publishing.fair.metrics import PublicationFacts, assess
from converge_metadata.records.schemas import RecordRead

from tests.metadata.publishing.sample import hand_written


def results(body: dict[str, object]) -> dict[str, bool]:
    metrics = body["metrics"]
    assert isinstance(metrics, list)
    return {m["id"]: m["passed"] for m in metrics}


class TestRecordAssessment:
    async def test_rich_record_passes_everything(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/records/mouse-atlas/fair")
        body = response.json()
        failed = [m for m in body["metrics"] if not m["passed"]]
        # the description is shorter than the rich-metadata threshold
        assert [m["id"] for m in failed] == ["FsF-F2-01M"]
        assert failed[0]["hint"].startswith("Add a description")
        assert body["total"] == 12
        assert body["score"] == pytest.approx(11 / 12, abs=1e-4)

    async def test_minimal_record_gets_hints(self, client: httpx.AsyncClient) -> None:
        body = (await client.get("/api/v1/records/minimal-dataset/fair")).json()
        passed = results(body)
        assert passed["FsF-F1-02MD"] is False
        assert passed["FsF-R1.1-01M"] is False
        assert passed["FsF-F4-01M"] is True
        assert passed["FsF-A1-02M"] is True  # served over https
        assert all(m["hint"] for m in body["metrics"] if not m["passed"])

    async def test_hidden_record_is_404(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/api/v1/records/a-draft/fair")).status_code == 404

    def test_publication_facts_change_the_result(self) -> None:
        record = next(r for r in hand_written() if r.id == "a-draft")
        read = RecordRead.model_validate(
            {
                **record.model_dump(exclude={"id"}),
                "id": "a-draft",
                "node": "de",
                "global_id": "de:a-draft",
                "version": 1,
                "created_at": "2024-01-01T00:00:00Z",
                "modified_at": "2024-01-01T00:00:00Z",
                "published_at": None,
                "created_by": "x",
                "modified_by": "x",
            }
        )
        hidden = assess(read, PublicationFacts(harvestable=False, https=False))
        shown = assess(read, PublicationFacts(harvestable=True, https=True))
        assert shown.passed - hidden.passed == 2


class TestSummary:
    async def test_distribution(self, client: httpx.AsyncClient) -> None:
        body = (await client.get("/api/v1/fair/summary")).json()
        assert body["records"] == 206
        assert sum(body["histogram"].values()) == 206
        assert set(body["by_type"]) == {"Dataset", "Software", "TrainingMaterial", "CourseInstance"}
        licence = next(m for m in body["metrics"] if m["id"] == "FsF-R1.1-01M")
        assert licence["passed"] + licence["failed"] == 206
        assert 0 < licence["failed"] < 206
