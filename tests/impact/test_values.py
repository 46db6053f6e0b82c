"""Reported values: the draft -> submitted -> validated workflow, roles, corrections, history."""

from __future__ import annotations

import httpx

from tests.impact.conftest import Headers, report, validated

VALUE = {"indicator": "staff.fte", "period": "2025", "value": 12.5}


class TestCreate:
    async def test_roles(
        self,
        api: httpx.AsyncClient,
        steward: Headers,
        other_node: Headers,
        nobody: Headers,
    ) -> None:
        anonymous = await api.post("/api/v1/values", json=VALUE)
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"].startswith("Bearer")
        assert (await api.post("/api/v1/values", json=VALUE, headers=nobody)).status_code == 403
        assert (await api.post("/api/v1/values", json=VALUE, headers=other_node)).status_code == 403
        created = await api.post("/api/v1/values", json=VALUE, headers=steward)
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["status"] == "draft"
        assert body["granularity"] == "year"
        assert body["created_by"]
        assert body["unit"] == "FTE"
        assert created.headers["etag"] == f'"value-{body["id"]}.v1"'

    async def test_one_value_per_indicator_and_period(
        self, api: httpx.AsyncClient, steward: Headers
    ) -> None:
        await report(api, steward, "staff.fte", "2025", 1)
        again = await api.post("/api/v1/values", json=VALUE, headers=steward)
        assert again.status_code == 409
        assert again.json()["value_id"]

    async def test_derived_indicators_cannot_be_reported(
        self, api: httpx.AsyncClient, steward: Headers
    ) -> None:
        body = {"indicator": "records.datasets.published", "period": "2025", "value": 3}
        response = await api.post("/api/v1/values", json=body, headers=steward)
        assert response.status_code == 422
        assert response.json()["errors"][0] == {
            "pointer": "/indicator",
            "rule": "derived_indicator",
            "detail": "derived values are computed",
        }

    async def test_bad_fields_are_named(self, api: httpx.AsyncClient, steward: Headers) -> None:
        body = {"indicator": "staff.fte", "period": "2025-13", "value": "lots", "evidence_url": "x"}
        response = await api.post("/api/v1/values", json=body, headers=steward)
        assert response.status_code == 422
        pointers = {e["pointer"] for e in response.json()["errors"]}
        assert pointers == {"/period", "/value", "/evidence_url"}


class TestWorkflow:
    async def test_draft_submitted_validated_and_visibility(
        self, api: httpx.AsyncClient, steward: Headers, admin: Headers, other_node: Headers
    ) -> None:
        value = await report(api, steward, "staff.fte", "2025", 12.5)
        url = f"/api/v1/values/{value['id']}"
        # a draft is the Node's business only
        assert (await api.get(url)).status_code == 404
        assert (await api.get(url, headers=other_node)).status_code == 404
        assert (await api.get(url, headers=steward)).status_code == 200
        assert (await api.get("/api/v1/values")).json()["items"] == []
        # only a draft can be submitted; a steward cannot validate
        submitted = await api.post(url + "/submit", headers=steward)
        assert submitted.json()["status"] == "submitted"
        assert submitted.json()["submitted_at"]
        assert (await api.post(url + "/submit", headers=steward)).status_code == 409
        assert (await api.post(url + "/validate")).status_code == 401
        assert (await api.post(url + "/validate", headers=steward)).status_code == 403
        assert (await api.post(url + "/validate", headers=other_node)).status_code == 403
        assert (await api.get(url)).status_code == 404
        done = await api.post(url + "/validate", headers=admin)
        assert done.status_code == 200
        assert done.json()["status"] == "validated"
        assert done.json()["validated_by"]
        public = await api.get(url)
        assert public.status_code == 200
        assert public.json()["value"] == 12.5
        assert [v["id"] for v in (await api.get("/api/v1/values")).json()["items"]] == [value["id"]]

    async def test_admin_returns_a_submitted_value(
        self, api: httpx.AsyncClient, steward: Headers, admin: Headers
    ) -> None:
        value = await report(api, steward, "staff.fte", "2025", 3)
        url = f"/api/v1/values/{value['id']}"
        assert (await api.post(url + "/return", headers=admin)).status_code == 409  # a draft
        await api.post(url + "/submit", headers=steward)
        assert (await api.post(url + "/return", headers=steward)).status_code == 403
        back = await api.post(url + "/return", json={"note": "source?"}, headers=admin)
        assert back.json()["status"] == "draft"

    async def test_stewards_filter_by_status(
        self, api: httpx.AsyncClient, steward: Headers, admin: Headers
    ) -> None:
        await report(api, steward, "staff.fte", "2024", 1)
        await validated(api, admin, "staff.fte", "2025", 2)
        drafts = await api.get("/api/v1/values", params={"status": "draft"}, headers=steward)
        assert [v["period"] for v in drafts.json()["items"]] == ["2024"]
        # anonymous callers get validated values whatever they ask for
        asked = await api.get("/api/v1/values", params={"status": "draft"})
        assert [v["period"] for v in asked.json()["items"]] == ["2025"]


class TestCorrections:
    async def test_if_match_is_required_and_checked(
        self, api: httpx.AsyncClient, steward: Headers
    ) -> None:
        value = await report(api, steward, "staff.fte", "2025", 3)
        url = f"/api/v1/values/{value['id']}"
        missing = await api.patch(url, json={"value": 4}, headers=steward)
        assert missing.status_code == 428
        stale = await api.patch(url, json={"value": 4}, headers=steward | {"If-Match": '"x"'})
        assert stale.status_code == 412
        etag = (await api.get(url, headers=steward)).headers["etag"]
        ok = await api.patch(url, json={"value": 4}, headers=steward | {"If-Match": etag})
        assert ok.status_code == 200
        assert ok.json()["value"] == 4
        assert ok.headers["etag"] != etag
        assert (
            await api.patch(url, json={"value": 5}, headers={"If-Match": etag})
        ).status_code == 401

    async def test_steward_correction_of_a_validated_value_goes_back_to_draft(
        self, api: httpx.AsyncClient, steward: Headers, admin: Headers
    ) -> None:
        value = await validated(api, admin, "staff.fte", "2025", 10)
        url = f"/api/v1/values/{value['id']}"
        etag = (await api.get(url)).headers["etag"]
        fixed = await api.patch(
            url, json={"value": 11, "note": "typo"}, headers=steward | {"If-Match": etag}
        )
        assert fixed.json()["status"] == "draft"
        assert fixed.json()["validated_at"] is None
        assert (await api.get(url)).status_code == 404  # no longer public

    async def test_admin_correction_keeps_it_validated(
        self, api: httpx.AsyncClient, admin: Headers
    ) -> None:
        value = await validated(api, admin, "staff.fte", "2025", 10)
        url = f"/api/v1/values/{value['id']}"
        etag = (await api.get(url)).headers["etag"]
        fixed = await api.patch(url, json={"value": 9.5}, headers=admin | {"If-Match": etag})
        assert fixed.json()["status"] == "validated"
        assert (await api.get(url)).json()["value"] == 9.5

    async def test_history_keeps_every_change(
        self, api: httpx.AsyncClient, steward: Headers, admin: Headers, other_node: Headers
    ) -> None:
        value = await validated(api, admin, "staff.fte", "2025", 10)
        url = f"/api/v1/values/{value['id']}"
        etag = (await api.get(url)).headers["etag"]
        await api.patch(
            url, json={"value": 11, "note": "typo"}, headers=steward | {"If-Match": etag}
        )
        assert (await api.get(url + "/history")).status_code == 401
        assert (await api.get(url + "/history", headers=other_node)).status_code == 403
        history = (await api.get(url + "/history", headers=steward)).json()
        assert [(h["action"], h["old_status"], h["new_status"]) for h in history] == [
            ("create", None, "draft"),
            ("submit", "draft", "submitted"),
            ("validate", "submitted", "validated"),
            ("update", "validated", "draft"),
        ]
        last = history[-1]
        assert (last["old_value"], last["new_value"], last["note"]) == (10, 11, "typo")
        assert last["actor"] != history[0]["actor"]  # Alice corrected the admin's value
        assert all(h["at"] for h in history)
