"""The impact workspace's pages: who may use them, entering and correcting values with their
evidence, the workflow with its roles, CSV upload, derived values, charts and reports.

Every write is checked through the API afterwards (a real bearer token), so a page cannot
pass by writing something the API would not show."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
from converge_common.db import Database
from converge_impact.derived import repository as derived
from converge_impact.indicators import repository as indicators

from tests.impact.conftest import Headers, report, validated
from tests.impact.workspace.conftest import Workspace, csrf_of, etag_of, post_form

VALUE = {
    "indicator": "staff.fte",
    "period": "2025",
    "value": "12.5",
    "evidence_url": "https://example.org/hr/2025",
    "evidence_note": "From the HR system, 31 December",
}


async def _api_value(workspace: Workspace, value_id: int, headers: Headers) -> httpx.Response:
    client = await workspace.client()
    return await client.get(f"/api/v1/values/{value_id}", headers=headers)


def _value_id(response: httpx.Response) -> int:
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/workspace/values/(\d+)\?done=\w+", response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


class TestWhoMayEnter:
    async def test_anonymous_is_sent_to_sign_in(self, workspace: Workspace) -> None:
        client = await workspace.client()
        for path in ("/workspace/", "/workspace/values/new", "/workspace/charts"):
            response = await client.get(path)
            assert response.status_code == 303
            assert response.headers["location"].startswith("/workspace/sign-in?next=")

    async def test_without_a_role_for_this_node_the_page_says_why(
        self, workspace: Workspace, steward: Headers
    ) -> None:
        for account in ("bob", "olli"):
            client = await workspace.person(account)
            page = await client.get("/workspace/")
            assert page.status_code == 403
            assert "text/html" in page.headers["content-type"]
            # and a write is refused even with the person's own session's token
            form = await client.post("/workspace/values", data=VALUE)
            assert form.status_code == 403
        listed = await (await workspace.client()).get(
            "/api/v1/values", params={"status": "draft"}, headers=steward
        )
        assert listed.json()["items"] == []

    async def test_a_form_without_the_session_token_is_refused(
        self, workspace: Workspace, steward: Headers
    ) -> None:
        alice = await workspace.person("alice")
        for token in (None, "forged"):
            data = dict(VALUE) | ({"csrf_token": token} if token else {})
            response = await alice.post("/workspace/values", data=data)
            assert response.status_code == 403
        listed = await (await workspace.client()).get(
            "/api/v1/values", params={"status": "draft"}, headers=steward
        )
        assert listed.json()["items"] == []


class TestEnterAValue:
    async def test_a_draft_with_its_evidence(self, workspace: Workspace, steward: Headers) -> None:
        alice = await workspace.person("alice")
        form = await alice.get("/workspace/values/new")
        assert form.status_code == 200
        assert form.headers["cache-control"] == "no-store"
        # only reported indicators are offered: derived ones are computed
        assert 'value="staff.fte"' in form.text
        assert 'value="records.datasets.published"' not in form.text
        response = await alice.post(
            "/workspace/values", data={"csrf_token": csrf_of(form.text), **VALUE}
        )
        value_id = _value_id(response)
        page = await alice.get(response.headers["location"])
        assert "The value was saved as a draft." in page.text
        assert "From the HR system, 31 December" in page.text
        stored = (await _api_value(workspace, value_id, steward)).json()
        assert stored["value"] == 12.5
        assert stored["status"] == "draft"
        assert stored["evidence_url"] == VALUE["evidence_url"]
        assert stored["evidence_note"] == VALUE["evidence_note"]

    async def test_problems_are_shown_at_their_fields(
        self, workspace: Workspace, steward: Headers
    ) -> None:
        alice = await workspace.person("alice")
        bad = {**VALUE, "period": "2025-13", "value": "12,5", "evidence_url": "example.org"}
        response = await post_form(alice, "/workspace/values/new", "/workspace/values", bad)
        assert response.status_code == 422
        html = response.text
        for field in ("period", "value", "evidence_url"):
            assert f'id="error-{field}"' in html
            tag = re.search(rf'<input id="field-{field}"[^>]*>', html)
            assert tag
            assert 'aria-invalid="true"' in tag.group(0)
            assert f"error-{field}" in tag.group(0)  # described by its message
        assert 'id="error-indicator"' not in html
        # what the person typed is kept
        assert 'value="12,5"' in html
        assert "with a point, not a comma" in html
        assert "<title>Error:" in html
        listed = await (await workspace.client()).get(
            "/api/v1/values", params={"status": "draft"}, headers=steward
        )
        assert listed.json()["items"] == []

    async def test_a_derived_indicator_is_refused_as_by_the_api(self, workspace: Workspace) -> None:
        alice = await workspace.person("alice")
        body = {**VALUE, "indicator": "records.datasets.published"}
        response = await post_form(alice, "/workspace/values/new", "/workspace/values", body)
        assert response.status_code == 422
        assert 'id="error-indicator"' in response.text
        assert "derived from the Node&#39;s services" in response.text

    async def test_a_second_value_for_the_period_links_to_the_first(
        self, workspace: Workspace
    ) -> None:
        alice = await workspace.person("alice")
        first = _value_id(
            await post_form(alice, "/workspace/values/new", "/workspace/values", VALUE)
        )
        again = await post_form(alice, "/workspace/values/new", "/workspace/values", VALUE)
        assert again.status_code == 409
        assert f'href="/workspace/values/{first}"' in again.text


class TestCorrect:
    async def test_a_correction_is_kept_in_the_history(
        self, workspace: Workspace, steward: Headers
    ) -> None:
        alice = await workspace.person("alice")
        value_id = _value_id(
            await post_form(alice, "/workspace/values/new", "/workspace/values", VALUE)
        )
        page = f"/workspace/values/{value_id}"
        shown = await alice.get(page)
        fix = {"value": "13", "evidence_url": "", "evidence_note": "Recounted", "note": "typo"}
        response = await alice.post(
            page, data={**fix, "csrf_token": csrf_of(shown.text), "etag": etag_of(shown.text)}
        )
        assert response.status_code == 303
        stored = (await _api_value(workspace, value_id, steward)).json()
        assert (stored["value"], stored["evidence_url"], stored["version"]) == (13, None, 2)
        history = await alice.get(page)
        assert "corrected" in history.text
        assert "typo" in history.text

    async def test_someone_elses_change_is_never_overwritten(
        self, workspace: Workspace, steward: Headers
    ) -> None:
        alice = await workspace.person("alice")
        value_id = _value_id(
            await post_form(alice, "/workspace/values/new", "/workspace/values", VALUE)
        )
        page = f"/workspace/values/{value_id}"
        shown = await alice.get(page)
        stale = etag_of(shown.text)
        # meanwhile through the API
        api = await workspace.client()
        changed = await api.patch(
            f"/api/v1/values/{value_id}",
            json={"value": 20},
            headers={**steward, "If-Match": stale},
        )
        assert changed.status_code == 200
        response = await alice.post(
            page,
            data={"csrf_token": csrf_of(shown.text), "etag": stale, "value": "14", "note": ""},
        )
        assert response.status_code == 412
        assert "Someone changed this value after you opened it" in response.text
        assert 'value="14"' in response.text  # the correction is still in the form
        assert (await _api_value(workspace, value_id, steward)).json()["value"] == 20


class TestWorkflow:
    async def test_steward_submits_and_admin_validates(
        self, workspace: Workspace, steward: Headers
    ) -> None:
        alice = await workspace.person("alice")
        dana = await workspace.person("dana")
        value_id = _value_id(
            await post_form(alice, "/workspace/values/new", "/workspace/values", VALUE)
        )
        page = f"/workspace/values/{value_id}"
        shown = await alice.get(page)
        submitted = await alice.post(
            page + "/submit", data={"csrf_token": csrf_of(shown.text), "etag": etag_of(shown.text)}
        )
        assert submitted.status_code == 303
        # the steward sees the value but no validate button ...
        shown = await alice.get(page)
        assert "submitted" in shown.text
        assert f'action="/workspace/values/{value_id}/validate"' not in shown.text
        # ... and the server refuses it anyway, as the API does
        refused = await alice.post(
            page + "/validate",
            data={"csrf_token": csrf_of(shown.text), "etag": etag_of(shown.text)},
        )
        assert refused.status_code == 403
        assert "admin role" in refused.text
        assert (await _api_value(workspace, value_id, steward)).json()["status"] == "submitted"
        # the Node admin has the button, and validates
        overview = await dana.get("/workspace/")
        assert "1 value waits for your validation" in overview.text
        shown = await dana.get(page)
        assert f'action="/workspace/values/{value_id}/validate"' in shown.text
        done = await dana.post(
            page + "/validate",
            data={"csrf_token": csrf_of(shown.text), "etag": etag_of(shown.text)},
        )
        assert done.status_code == 303
        public = await (await workspace.client()).get(f"/api/v1/values/{value_id}")
        assert public.status_code == 200
        assert public.json()["status"] == "validated"

    async def test_a_stale_page_does_not_validate(
        self, workspace: Workspace, steward: Headers, admin: Headers
    ) -> None:
        dana = await workspace.person("dana")
        value = await report(await workspace.client(), steward, "staff.fte", "2024", 3)
        api = await workspace.client()
        await api.post(f"/api/v1/values/{value['id']}/submit", headers=steward)
        page = f"/workspace/values/{value['id']}"
        shown = await dana.get(page)
        # the figure changes after the admin opened the page (an admin's correction keeps it
        # submitted)
        changed = await api.patch(
            f"/api/v1/values/{value['id']}",
            json={"value": 300},
            headers={**admin, "If-Match": etag_of(shown.text)},
        )
        assert changed.status_code == 200
        response = await dana.post(
            page + "/validate",
            data={"csrf_token": csrf_of(shown.text), "etag": etag_of(shown.text)},
        )
        assert response.status_code == 412
        assert (await _api_value(workspace, value["id"], steward)).json()["status"] == "submitted"

    async def test_admin_returns_with_a_note(self, workspace: Workspace, steward: Headers) -> None:
        dana = await workspace.person("dana")
        value = await report(await workspace.client(), steward, "staff.fte", "2023", 3)
        await (await workspace.client()).post(
            f"/api/v1/values/{value['id']}/submit", headers=steward
        )
        page = f"/workspace/values/{value['id']}"
        shown = await dana.get(page)
        response = await dana.post(
            page + "/return",
            data={
                "csrf_token": csrf_of(shown.text),
                "etag": etag_of(shown.text),
                "note": "Evidence missing",
            },
        )
        assert response.status_code == 303
        history = await (await workspace.client()).get(
            f"/api/v1/values/{value['id']}/history", headers=steward
        )
        assert history.json()[-1]["note"] == "Evidence missing"
        assert history.json()[-1]["new_status"] == "draft"


class TestUpload:
    CSV = (
        b"indicator,period,value,evidence_url,evidence_note\n"
        b"staff.fte,2025,12.5,https://example.org/hr,HR\n"
        b"no.such.indicator,2025,1,,\n"
    )

    async def test_all_or_nothing_shows_every_rejected_row(
        self, workspace: Workspace, steward: Headers
    ) -> None:
        alice = await workspace.person("alice")
        shown = await alice.get("/workspace/upload")
        response = await alice.post(
            "/workspace/upload",
            data={"csrf_token": csrf_of(shown.text), "mode": "all"},
            files={"file": ("values.csv", self.CSV, "text/csv")},
        )
        assert response.status_code == 422
        assert "Nothing was written" in response.text
        row = re.search(r'<tr><th scope="row">3</th>.*?</tr>', response.text)
        assert row
        assert "unknown_indicator" in row.group(0)
        listed = await (await workspace.client()).get(
            "/api/v1/values", params={"status": "draft"}, headers=steward
        )
        assert listed.json()["items"] == []

    async def test_the_rows_that_pass(self, workspace: Workspace, steward: Headers) -> None:
        alice = await workspace.person("alice")
        shown = await alice.get("/workspace/upload")
        response = await alice.post(
            "/workspace/upload",
            data={"csrf_token": csrf_of(shown.text), "mode": "valid"},
            files={"file": ("values.csv", self.CSV, "text/csv")},
        )
        assert response.status_code == 200
        listed = await (await workspace.client()).get(
            "/api/v1/values", params={"status": "draft"}, headers=steward
        )
        (item,) = listed.json()["items"]
        assert (item["indicator"], item["value"], item["evidence_note"]) == (
            "staff.fte",
            12.5,
            "HR",
        )
        assert f'href="/workspace/values/{item["id"]}"' in response.text

    async def test_no_file_is_named_at_the_field(self, workspace: Workspace) -> None:
        alice = await workspace.person("alice")
        shown = await alice.get("/workspace/upload")
        response = await alice.post(
            "/workspace/upload",
            data={"csrf_token": csrf_of(shown.text), "mode": "all"},
            files={"file": ("empty.csv", b"", "text/csv")},
        )
        assert response.status_code == 422
        assert 'id="error-file"' in response.text


class TestDerived:
    async def test_values_name_their_source_and_time(
        self, workspace: Workspace, impact_db: str
    ) -> None:
        computed = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
        source = "metadata:http://127.0.0.1:8101/api/v1/stats"
        db = Database.from_url(impact_db)
        try:
            async for session in db.session():
                indicator = await indicators.by_code(session, "records.datasets.published")
                assert indicator is not None
                await derived.upsert(
                    session,
                    indicator_id=indicator.id,
                    period="2026-10",
                    granularity="month",
                    value=17,
                    source=source,
                    computed_at=computed,
                )
        finally:
            await db.dispose()
        alice = await workspace.person("alice")
        page = await alice.get("/workspace/derived")
        assert page.status_code == 200
        row = re.search(r'<tr><th scope="row">2026-10</th>.*?</tr>', page.text)
        assert row
        assert ">17<" in row.group(0)
        assert source in row.group(0)
        assert "Nov 30, 2026" in row.group(0)
        # recomputing is the Node admin's, as POST /api/v1/derived/refresh
        assert 'action="/workspace/derived/refresh"' not in page.text
        refused = await alice.post(
            "/workspace/derived/refresh", data={"csrf_token": csrf_of(page.text)}
        )
        assert refused.status_code == 403
        dana = await workspace.person("dana")
        page = await dana.get("/workspace/derived")
        done = await dana.post(
            "/workspace/derived/refresh", data={"csrf_token": csrf_of(page.text)}
        )
        assert done.status_code == 303
        after = await dana.get(done.headers["location"])
        assert "The derived values were recomputed." in after.text
        assert "metadata.stats" in after.text  # the refresh's outcome per source


class TestChartsAndReports:
    async def test_charts_draw_public_figures_with_a_table(
        self, workspace: Workspace, steward: Headers, admin: Headers
    ) -> None:
        api = await workspace.client()
        await validated(api, admin, "staff.fte", "2024", 10)
        await validated(api, admin, "staff.fte", "2025", 12.5)
        await report(api, steward, "staff.fte", "2023", 99)  # a draft: not drawn
        alice = await workspace.person("alice")
        page = await alice.get(
            "/workspace/charts", params={"indicator": "staff.fte", "period": "2025"}
        )
        assert page.status_code == 200
        svg = re.search(r"<svg.*?</svg>", page.text, re.S)
        assert svg
        assert svg.group(0).count("<rect") == 2
        assert 'aria-hidden="true"' in svg.group(0)
        assert '<th scope="row">2025</th><td class="num">12.5</td>' in page.text
        assert ">99<" not in page.text
        assert "style=" not in page.text  # nothing the page CSP would refuse

    async def test_the_annual_report_downloads(self, workspace: Workspace, admin: Headers) -> None:
        api = await workspace.client()
        await validated(
            api, admin, "publications.citing", "2025", 42, evidence_url="https://example.org/p"
        )
        alice = await workspace.person("alice")
        page = await alice.get("/workspace/reports")
        assert 'href="/workspace/reports/2025.html"' in page.text
        response = await alice.get("/workspace/reports/2025.html")
        assert response.status_code == 200
        assert response.headers["content-disposition"] == (
            'attachment; filename="de-impact-report-2025.html"'
        )
        assert response.headers["content-security-policy"].startswith("default-src 'none'")
        assert "Impact report 2025" in response.text
        assert 'href="https://example.org/p"' in response.text
        assert (await alice.get("/workspace/reports/0000.html")).status_code == 404


class TestPagesAreStrict:
    async def test_every_page_under_the_page_policy(self, workspace: Workspace) -> None:
        alice = await workspace.person("alice")
        for path in (
            "/workspace/",
            "/workspace/values/new",
            "/workspace/upload",
            "/workspace/derived",
            "/workspace/charts",
            "/workspace/reports",
        ):
            page = await alice.get(path)
            assert page.status_code == 200, path
            policy = page.headers["content-security-policy"]
            assert "default-src 'self'" in policy
            assert "unsafe-inline" not in policy
            assert "<script" not in page.text, path
            assert "style=" not in page.text, path
            assert "<style" not in page.text, path
        css = await alice.get("/workspace/static/impact-workspace.css")
        assert css.status_code == 200
        assert (await alice.get("/workspace/static/converge.css")).status_code == 200
