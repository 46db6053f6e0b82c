"""Editing records: PATCH with JSON Merge Patch (RFC 7396), PUT of the body a GET returned,
and every problem with a body in one answer."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from converge_common.testing.plugin import Tokens, bearer
from converge_metadata.records.editing import MAX_BODY_DEPTH, merge_patch

from tests.metadata.conftest import dataset

MERGE_PATCH = "application/merge-patch+json"
RECORD = "/api/v1/records/mouse-atlas"

# RFC 7396, Appendix A: (original, patch, result)
APPENDIX_A: list[tuple[Any, Any, Any]] = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


class TestMergePatch:
    @pytest.mark.parametrize(("original", "patch", "result"), APPENDIX_A)
    def test_rfc7396_appendix_a(self, original: Any, patch: Any, result: Any) -> None:
        before = repr(original)
        assert merge_patch(original, patch) == result
        assert repr(original) == before  # the target is not changed in place


async def _create(api: httpx.AsyncClient, steward: dict[str, str], **kw: Any) -> str:
    response = await api.post("/api/v1/records", json=dataset(**kw), headers=steward)
    assert response.status_code == 201, response.text
    return str(response.headers["etag"])


async def _patch(
    api: httpx.AsyncClient, steward: dict[str, str], patch: Any, *, etag: str | None
) -> httpx.Response:
    headers = {**steward, "Content-Type": MERGE_PATCH}
    if etag is not None:
        headers["If-Match"] = etag
    return await api.patch(RECORD, content=_json(patch), headers=headers)


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _errors(response: httpx.Response) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [(e["pointer"], e["rule"]) for e in response.json()["errors"]]


class TestPatchThroughTheApi:
    """Appendix A's cases that fit a record, applied to a stored one."""

    async def test_replace_add_and_remove_members(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        etag = await _create(api, steward)
        # {"a":"b"} + {"a":"c"}; {"a":"b"} + {"b":"c"}; {"a":"b","b":"c"} + {"a":null}
        patch = {"license": "MIT", "modified": "2024-02-01", "issued": None}
        response = await _patch(api, steward, patch, etag=etag)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["license"] == "MIT"
        assert body["modified"] == "2024-02-01"
        assert "issued" not in body
        assert body["version"] == 2
        assert response.headers["etag"] == '"mouse-atlas.v2"'
        # everything the patch did not name is as it was
        assert body["title"] == {"en": "Mouse brain atlas", "de": "Mausgehirnatlas"}
        assert body["keywords"] == ["single-cell", "brain"]
        assert (await api.get(RECORD)).json() == body

    async def test_objects_merge_and_null_removes_inside(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        etag = await _create(api, steward)
        # {"a":{"b":"c"}} + {"a":{"b":"d","c":null}} -> {"a":{"b":"d"}}
        patch = {"title": {"de": None, "fi": "Hiiren aivokartasto"}, "dataset": {"organisms": None}}
        response = await _patch(api, steward, patch, etag=etag)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["title"] == {"en": "Mouse brain atlas", "fi": "Hiiren aivokartasto"}
        assert body["dataset"]["organisms"] == []
        assert body["dataset"]["distributions"][0]["byte_size"] == 1024

    async def test_arrays_replace(self, api: httpx.AsyncClient, steward: dict[str, str]) -> None:
        etag = await _create(api, steward)
        # {"a":[{"b":"c"}]} + {"a":[1]} -> {"a":[1]}: an array is replaced, never merged
        patch = {"creators": [{"name": "EMBL-EBI", "type": "Organization"}]}
        response = await _patch(api, steward, patch, etag=etag)
        assert response.status_code == 200, response.text
        assert response.json()["creators"] == [{"type": "Organization", "name": "EMBL-EBI"}]

    async def test_a_member_is_created_with_its_object(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        etag = await _create(api, steward)
        # {} + {"a":{"bb":{"ccc":null}}} -> {"a":{"bb":{}}}: the object is made, null dropped
        patch = {"publisher": {"name": "EMBL", "ror": None}}
        response = await _patch(api, steward, patch, etag=etag)
        assert response.status_code == 200, response.text
        assert response.json()["publisher"] == {"name": "EMBL"}

    @pytest.mark.parametrize("patch", [["c"], "bar", None, 1])
    async def test_a_patch_that_is_not_an_object_is_422(
        self, api: httpx.AsyncClient, steward: dict[str, str], patch: Any
    ) -> None:
        # {"a":"b"} + ["c"] -> ["c"]: the whole record would be replaced by a non-record
        etag = await _create(api, steward)
        response = await _patch(api, steward, patch, etag=etag)
        assert response.status_code == 422, response.text
        assert (await api.get(RECORD)).json()["version"] == 1

    async def test_vocabularies_normalise_patched_values(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        etag = await _create(api, steward)
        response = await _patch(api, steward, {"topics": ["topic_0121"]}, etag=etag)
        assert response.status_code == 200, response.text
        assert response.json()["topics"] == [
            {"uri": "http://edamontology.org/topic_0121", "label": "Proteomics"}
        ]


class TestPatchRules:
    async def test_needs_merge_patch_media_type(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        etag = await _create(api, steward)
        for media in ("application/json", "text/plain", None):
            headers = {**steward, "If-Match": etag}
            if media:
                headers["Content-Type"] = media
            response = await api.patch(RECORD, content=b'{"license": "MIT"}', headers=headers)
            assert response.status_code == 415, (media, response.text)
            assert response.json()["type"].endswith("/unsupported-media-type")
        assert (await api.get(RECORD)).json()["license"] == "CC-BY-4.0"

    async def test_authorisation_comes_before_the_media_type(
        self, api: httpx.AsyncClient, tokens: Tokens, steward: dict[str, str]
    ) -> None:
        await _create(api, steward)
        anonymous = await api.patch(RECORD, json={"license": "MIT"})
        assert anonymous.status_code == 401
        other = await api.patch(RECORD, json={}, headers=bearer(tokens.node("fi")))
        assert other.status_code == 403
        headers = {**bearer(tokens.node("fi")), "Content-Type": MERGE_PATCH}
        assert (await api.patch(RECORD, content=b"{}", headers=headers)).status_code == 403

    async def test_if_match_required_and_stale_is_412(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        etag = await _create(api, steward)
        missing = await _patch(api, steward, {"license": "MIT"}, etag=None)
        assert missing.status_code == 428
        assert (await _patch(api, steward, {"license": "MIT"}, etag=etag)).status_code == 200
        stale = await _patch(api, steward, {"license": "Apache-2.0"}, etag=etag)
        assert stale.status_code == 412
        assert stale.json()["current_etag"] == '"mouse-atlas.v2"'
        assert (await api.get(RECORD)).json()["license"] == "MIT"

    async def test_unknown_record_is_404(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        response = await _patch(api, steward, {"license": "MIT"}, etag='"nothing.v1"')
        assert response.status_code == 404

    async def test_history_records_the_patch(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        etag = await _create(api, steward)
        await _patch(api, steward, {"keywords": ["cortex"]}, etag=etag)
        versions = (await api.get(f"{RECORD}/versions", headers=steward)).json()["items"]
        assert [(v["version"], v["action"]) for v in versions] == [(2, "update"), (1, "create")]
        first = (await api.get(f"{RECORD}/versions/1", headers=steward)).json()
        assert first["record"]["keywords"] == ["single-cell", "brain"]

    async def test_a_patch_that_changes_nothing_makes_no_version(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        etag = await _create(api, steward)
        response = await _patch(api, steward, {"license": "CC-BY-4.0"}, etag=etag)
        assert response.status_code == 200
        assert response.headers["etag"] == etag

    async def test_every_problem_of_the_result_in_one_answer(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        etag = await _create(api, steward)
        patch = {
            "topics": ["topic_9999"],
            "creators": [{"name": "X", "orcid": "0000-0002-1825-0098"}],
            "version": 7,
            "software": {"operations": []},
        }
        errors = _errors(await _patch(api, steward, patch, etag=etag))
        assert sorted(errors) == [
            ("/creators/0/orcid", "orcid_checksum"),
            ("/software", "type_part"),
            ("/topics/0", "edam_term"),
            ("/version", "read_only"),
        ]
        assert (await api.get(RECORD)).json()["version"] == 1

    async def test_published_cannot_return_to_draft(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        etag = await _create(api, steward)
        response = await _patch(api, steward, {"status": "draft"}, etag=etag)
        assert response.status_code == 409
        assert response.json()["errors"][0]["rule"] == "unpublish"

    async def test_a_patch_nesting_too_deep_is_422(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        etag = await _create(api, steward)
        deep: Any = "x"
        for _ in range(MAX_BODY_DEPTH + 1):
            deep = {"a": deep}
        assert _errors(await _patch(api, steward, {"title": deep}, etag=etag)) == [
            ("", "max_depth")
        ]


class TestPutTheBodyAGetReturned:
    async def test_get_body_back_with_a_change(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        etag = await _create(api, steward, access={"level": "public"})
        read = await api.get(RECORD, headers=steward)
        body = read.json()
        body["keywords"] = ["cortex"]
        response = await api.put(RECORD, json=body, headers={**steward, "If-Match": etag})
        assert response.status_code == 200, response.text
        assert response.json()["keywords"] == ["cortex"]
        assert response.json()["version"] == 2

    async def test_get_body_back_unchanged_makes_no_version(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        etag = await _create(api, steward)
        body = (await api.get(RECORD, headers=steward)).json()
        response = await api.put(RECORD, json=body, headers={**steward, "If-Match": etag})
        assert response.status_code == 200, response.text
        assert response.headers["etag"] == etag

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("id", "another"),
            ("node", "fi"),
            ("global_id", "fi:mouse-atlas"),
            ("version", 9),
            ("created_at", "2001-01-01T00:00:00Z"),
            ("modified_at", "not a time"),
            ("published_at", None),
            ("deleted_at", "2030-01-01T00:00:00Z"),
            ("created_by", "someone-else"),
            ("modified_by", 5),
        ],
    )
    async def test_a_changed_read_only_field_is_refused(
        self, api: httpx.AsyncClient, steward: dict[str, str], field: str, value: Any
    ) -> None:
        etag = await _create(api, steward)
        body = (await api.get(RECORD, headers=steward)).json()
        body[field] = value
        body["keywords"] = ["cortex"]
        response = await api.put(RECORD, json=body, headers={**steward, "If-Match": etag})
        assert _errors(response) == [(f"/{field}", "read_only")]
        assert (await api.get(RECORD)).json()["keywords"] == ["single-cell", "brain"]

    async def test_read_only_fields_may_be_left_out(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        etag = await _create(api, steward)
        body = dataset(keywords=["cortex"])
        del body["id"]
        response = await api.put(RECORD, json=body, headers={**steward, "If-Match": etag})
        assert response.status_code == 200, response.text

    async def test_an_unknown_field_is_still_refused(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        etag = await _create(api, steward)
        body = (await api.get(RECORD, headers=steward)).json()
        body["fair_score"] = 1
        response = await api.put(RECORD, json=body, headers={**steward, "If-Match": etag})
        assert _errors(response) == [("/fair_score", "no_additional_properties")]


class TestOneAnswer:
    """Schema, vocabulary and type rules are reported together, never in rounds."""

    async def test_create_reports_every_kind_of_problem(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        body = dataset(
            id="Not An Id!",
            creators=[{"name": "X", "orcid": "0000-0002-1825-0098"}],
            topics=["topic_9999", "operation_0004"],
            languages=["not a tag"],
            software={"operations": ["topic_3308"]},
            access={
                "level": "controlled",
                "dac": {"name": "DAC", "email": "dac@example.org"},
                "data_use": ["DUO:9999999"],
            },
            publisher={"name": "EMBL", "url": "not a url"},
        )
        response = await api.post("/api/v1/records", json=body, headers=steward)
        errors = _errors(response)
        assert any(pointer == "/id" for pointer, _ in errors)
        for expected in [
            ("/creators/0/orcid", "orcid_checksum"),
            ("/topics/0", "edam_term"),
            ("/topics/1", "edam_branch"),
            ("/languages/0", "language_tag"),
            ("/software", "type_part"),
            ("/software/operations/0", "edam_branch"),
            ("/publisher/url", "url"),
            ("/access/data_use/0", "duo_term"),
        ]:
            assert expected in errors, (expected, errors)
        assert response.json()["detail"].startswith(f"{len(errors)} field(s) failed validation")
        assert (await api.get("/api/v1/records", headers=steward)).json()["items"] == []

    async def test_a_bad_type_still_checks_the_vocabularies(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        body = dataset(type="Spreadsheet", topics=["topic_9999"])
        errors = _errors(await api.post("/api/v1/records", json=body, headers=steward))
        assert sorted(errors) == [("/topics/0", "edam_term"), ("/type", "enum")]

    async def test_a_missing_title_still_checks_the_vocabularies(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        body = dataset(topics=["topic_9999"])
        del body["title"]
        errors = _errors(await api.post("/api/v1/records", json=body, headers=steward))
        assert sorted(errors) == [("/title", "required"), ("/topics/0", "edam_term")]

    async def test_put_reports_every_kind_of_problem(
        self, api: httpx.AsyncClient, steward: dict[str, str]
    ) -> None:
        etag = await _create(api, steward)
        body = (await api.get(RECORD, headers=steward)).json()
        body.update(version=3, issued="2023-13-01", topics=["topic_9999"])
        response = await api.put(RECORD, json=body, headers={**steward, "If-Match": etag})
        assert sorted(_errors(response)) == [
            ("/issued", "date"),
            ("/topics/0", "edam_term"),
            ("/version", "read_only"),
        ]
