"""The records API: create, read, replace with If-Match, delete with tombstones, versions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from converge_common.testing.plugin import Tokens, bearer

from tests.metadata.conftest import dataset


async def _create(api: httpx.AsyncClient, steward: dict[str, str], **kw: object) -> httpx.Response:
    response = await api.post("/api/v1/records", json=dataset(**kw), headers=steward)
    assert response.status_code == 201, response.text
    return response


class TestCreate:
    async def test_anonymous_is_401(self, api: httpx.AsyncClient) -> None:
        response = await api.post("/api/v1/records", json=dataset())
        assert response.status_code == 401

    async def test_other_node_steward_is_403(self, api: httpx.AsyncClient, tokens: Tokens) -> None:
        response = await api.post(
            "/api/v1/records", json=dataset(), headers=bearer(tokens.node("fi"))
        )
        assert response.status_code == 403

    async def test_steward_creates_normalised_record(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        response = await _create(api, steward)
        body = response.json()
        assert response.headers["etag"] == '"mouse-atlas.v1"'
        assert response.headers["location"].endswith("/api/v1/records/mouse-atlas")
        assert body["global_id"] == "de:mouse-atlas"
        assert body["license"] == "CC-BY-4.0"
        assert body["topics"] == [
            {"uri": "http://edamontology.org/topic_3308", "label": "Transcriptomics"}
        ]
        assert body["dataset"]["organisms"][0] == {
            "uri": "http://purl.obolibrary.org/obo/NCBITaxon_10090",
            "label": "Mus musculus",
        }
        assert body["creators"][0]["orcid"] == "https://orcid.org/0000-0002-1825-0097"
        assert body["identifiers"][0]["value"] == "10.5281/zenodo.1234"
        assert body["version"] == 1
        assert body["published_at"] is not None

    async def test_generated_id_when_omitted(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        body = dataset()
        del body["id"]
        response = await api.post("/api/v1/records", json=body, headers=steward)
        assert response.status_code == 201
        assert len(response.json()["id"]) == 10

    async def test_duplicate_id_is_409(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        await _create(api, steward)
        response = await api.post("/api/v1/records", json=dataset(), headers=steward)
        assert response.status_code == 409
        assert response.json()["errors"][0]["pointer"] == "/id"


class TestValidation:
    async def _errors(
        self, api: httpx.AsyncClient, steward: dict[str, str], **kw: object
    ) -> list[tuple[str, str]]:
        response = await api.post("/api/v1/records", json=dataset(**kw), headers=steward)
        assert response.status_code == 422, response.text
        return [(e["pointer"], e["rule"]) for e in response.json()["errors"]]

    async def test_orcid_checksum(self, api: httpx.AsyncClient, steward: dict[str, str]) -> None:
        creators = [{"name": "X", "orcid": "0000-0002-1825-0098"}]
        assert await self._errors(api, steward, creators=creators) == [
            ("/creators/0/orcid", "orcid_checksum")
        ]

    async def test_vocabularies(self, api: httpx.AsyncClient, steward: dict[str, str]) -> None:
        errors = await self._errors(api, steward, topics=["topic_9999", "operation_0004"])
        assert ("/topics/0", "edam_term") in errors
        assert ("/topics/1", "edam_branch") in errors

    async def test_syntax_rules(self, api: httpx.AsyncClient, steward: dict[str, str]) -> None:
        errors = await self._errors(
            api,
            steward,
            identifiers=[{"scheme": "doi", "value": "11.1/x"}],
            landing_page="ftp://example.org",
            title={"english!": "x"},
            issued="2023-13-01",
        )
        assert ("/identifiers/0/value", "doi") in errors
        assert ("/landing_page", "url") in errors
        assert ("/issued", "date") in errors
        assert any(p.startswith("/title") and r == "language_tag" for p, r in errors)

    async def test_unknown_taxon_syntax_only(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        # a real taxon the shipped subset does not carry (a flowering plant, Cymbalaria muralis)
        ok = dataset(dataset={"organisms": ["NCBITaxon:1609474"]})
        response = await api.post("/api/v1/records", json=ok, headers=steward)
        assert response.status_code == 201
        assert response.json()["dataset"]["organisms"] == [
            {"uri": "http://purl.obolibrary.org/obo/NCBITaxon_1609474"}
        ]
        errors = await self._errors(api, steward, id="x2", dataset={"organisms": ["E. coli"]})
        assert errors == [("/dataset/organisms/0", "ncbi_taxon")]

    async def test_part_must_match_type(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        errors = await self._errors(api, steward, software={"operations": []})
        assert errors == [("/software", "type_part")]

    async def test_controlled_needs_dac_and_duo(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        errors = await self._errors(api, steward, access={"level": "controlled"})
        assert errors == [("/access", "dac_contact")]
        access = {
            "level": "controlled",
            "dac": {"name": "DAC", "email": "dac@example.org"},
            "data_use": ["GRU", "DUO:9999999"],
        }
        assert await self._errors(api, steward, access=access) == [
            ("/access/data_use/1", "duo_term")
        ]


class TestReadVisibility:
    async def test_draft_hidden_from_anonymous(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        await _create(api, steward, status="draft")
        assert (await api.get("/api/v1/records/mouse-atlas")).status_code == 404
        own = await api.get("/api/v1/records/mouse-atlas", headers=steward)
        assert own.status_code == 200
        assert own.json()["status"] == "draft"

    async def test_running_embargo_hidden_then_lapsed_public(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        future = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
        past = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
        await _create(
            api, steward, id="future", access={"level": "embargoed", "embargo_until": future}
        )
        await _create(
            api, steward, id="lapsed", access={"level": "embargoed", "embargo_until": past}
        )
        assert (await api.get("/api/v1/records/future")).status_code == 404
        assert (await api.get("/api/v1/records/future", headers=steward)).status_code == 200
        assert (await api.get("/api/v1/records/lapsed")).status_code == 200
        listed = await api.get("/api/v1/records")
        assert [r["id"] for r in listed.json()["items"]] == ["lapsed"]


class TestUpdate:
    async def test_if_match_required_and_stale_is_412(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        etag = (await _create(api, steward)).headers["etag"]
        changed = dataset(keywords=["cortex"])
        del changed["id"]
        missing = await api.put("/api/v1/records/mouse-atlas", json=changed, headers=steward)
        assert missing.status_code == 428
        first = await api.put(
            "/api/v1/records/mouse-atlas", json=changed, headers={**steward, "If-Match": etag}
        )
        assert first.status_code == 200
        assert first.json()["version"] == 2
        assert first.headers["etag"] == '"mouse-atlas.v2"'
        changed["keywords"] = ["hippocampus"]
        stale = await api.put(
            "/api/v1/records/mouse-atlas", json=changed, headers={**steward, "If-Match": etag}
        )
        assert stale.status_code == 412
        current = await api.get("/api/v1/records/mouse-atlas")
        assert current.json()["keywords"] == ["cortex"]

    async def test_anonymous_and_wrong_role(self, api: httpx.AsyncClient, tokens: Tokens) -> None:
        body = dataset()
        del body["id"]
        assert (await api.put("/api/v1/records/x", json=body)).status_code == 401
        other = await api.put("/api/v1/records/x", json=body, headers=bearer(tokens.nobody()))
        assert other.status_code == 403

    async def test_published_cannot_return_to_draft(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        etag = (await _create(api, steward)).headers["etag"]
        body = dataset(status="draft")
        del body["id"]
        response = await api.put(
            "/api/v1/records/mouse-atlas", json=body, headers={**steward, "If-Match": etag}
        )
        assert response.status_code == 409


class TestDeleteAndVersions:
    async def test_delete_leaves_tombstone_and_restore_revives(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        etag = (await _create(api, steward)).headers["etag"]
        assert (await api.delete("/api/v1/records/mouse-atlas", headers=steward)).status_code == 428
        anon = await api.delete("/api/v1/records/mouse-atlas", headers={"If-Match": etag})
        assert anon.status_code == 401
        deleted = await api.delete(
            "/api/v1/records/mouse-atlas", headers={**steward, "If-Match": etag}
        )
        assert deleted.status_code == 204
        gone = await api.get("/api/v1/records/mouse-atlas")
        assert gone.status_code == 410
        assert gone.json()["version"] == 2
        versions = (await api.get("/api/v1/records/mouse-atlas/versions", headers=steward)).json()
        assert [(v["version"], v["action"]) for v in versions["items"]] == [
            (2, "delete"),
            (1, "create"),
        ]
        restored = await api.post(
            "/api/v1/records/mouse-atlas/versions/1/restore",
            headers={**steward, "If-Match": '"mouse-atlas.v2"'},
        )
        assert restored.status_code == 200, restored.text
        assert restored.json()["version"] == 3
        assert "deleted_at" not in restored.json()
        assert (await api.get("/api/v1/records/mouse-atlas")).status_code == 200

    async def test_version_detail_and_restore_content(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        etag = (await _create(api, steward)).headers["etag"]
        body = dataset(keywords=["changed"])
        del body["id"]
        await api.put(
            "/api/v1/records/mouse-atlas", json=body, headers={**steward, "If-Match": etag}
        )
        v1 = (await api.get("/api/v1/records/mouse-atlas/versions/1")).json()
        assert v1["record"]["keywords"] == ["single-cell", "brain"]
        assert v1["actor"] == "node-de"
        restored = await api.post(
            "/api/v1/records/mouse-atlas/versions/1/restore",
            headers={**steward, "If-Match": '"mouse-atlas.v2"'},
        )
        assert restored.json()["keywords"] == ["single-cell", "brain"]
        assert restored.json()["version"] == 3
        missing = await api.get("/api/v1/records/mouse-atlas/versions/9")
        assert missing.status_code == 404
