"""``/api/v1/reports``, the DSR's shape in JSON and TSV, and the upload's roles and bounds."""

from __future__ import annotations

import httpx
from converge_common.testing.plugin import Tokens, bearer

from tests.impact.usage.logs import CURL, FIREFOX, Use, clf
from tests.impact.usage.test_counter_rules import load

USES = [
    Use("2025-02-03T10:00:00", "ds1", "10.3.0.1", FIREFOX),
    Use("2025-02-03T10:05:00", "ds1", "10.3.0.1", FIREFOX, download=True),
    Use("2025-03-04T10:00:00", "ds1", "10.3.0.2", CURL),
]


class TestReportList:
    async def test_lists_the_dsr_with_its_months(
        self, impact_api: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        empty = (await impact_api.get("/api/v1/reports")).json()
        assert [r["Report_ID"] for r in empty] == ["DSR"]
        assert empty[0]["First_Month_Available"] is None
        await load(impact_api, tokens, clf(USES), "clf")
        listed = (await impact_api.get("/api/v1/reports")).json()[0]
        assert listed["Release"] == "RD1"
        assert (listed["First_Month_Available"], listed["Last_Month_Available"]) == (
            "2025-02",
            "2025-03",
        )


class TestDsr:
    async def test_json_header_and_items(
        self, impact_api: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        await load(impact_api, tokens, clf(USES), "clf")
        response = await impact_api.get(
            "/api/v1/reports/dsr", params={"begin_date": "2025-01", "end_date": "2025-03-31"}
        )
        body = response.json()
        header = body["Report_Header"]
        assert header["Report_Name"] == "Dataset Master Report"
        assert (header["Report_ID"], header["Release"]) == ("DSR", "RD1")
        assert header["Created_By"] == "CONVERGE impact (de)"
        assert {"Name": "Begin_Date", "Value": "2025-01-01"} in header["Report_Filters"]
        assert {"Name": "End_Date", "Value": "2025-03-31"} in header["Report_Filters"]
        assert header["Exceptions"] == []
        items = {i["Access_Method"]: i for i in body["Report_Datasets"]}
        regular = items["Regular"]
        assert regular["Platform"] == "ELIXIR Germany"
        assert regular["Data_Type"] == "dataset"
        assert regular["Performance"] == [
            {
                "Period": {"Begin_Date": "2025-02-01", "End_Date": "2025-02-28"},
                "Instance": [
                    {"Metric_Type": "total-dataset-investigations", "Count": 2},
                    {"Metric_Type": "unique-dataset-investigations", "Count": 1},
                    {"Metric_Type": "total-dataset-requests", "Count": 1},
                    {"Metric_Type": "unique-dataset-requests", "Count": 1},
                ],
            }
        ]
        assert items["Machine"]["Performance"][0]["Period"]["Begin_Date"] == "2025-03-01"

    async def test_tsv_by_format_and_by_accept(
        self, impact_api: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        await load(impact_api, tokens, clf(USES), "clf")
        params = {"begin_date": "2025-02", "end_date": "2025-03"}
        by_format = await impact_api.get("/api/v1/reports/dsr", params={**params, "format": "tsv"})
        by_accept = await impact_api.get(
            "/api/v1/reports/dsr", params=params, headers={"Accept": "text/tab-separated-values"}
        )
        assert by_format.headers["content-type"].startswith("text/tab-separated-values")
        assert by_accept.text.split("Created\t")[0] == by_format.text.split("Created\t")[0]
        lines = by_format.text.splitlines()
        assert lines[0] == "Report_Name\tDataset Master Report"
        assert lines[12] == ""
        columns = lines[13].split("\t")
        assert columns[-3:] == ["Reporting_Period_Total", "Feb-2025", "Mar-2025"]
        rows = [dict(zip(columns, line.split("\t"), strict=True)) for line in lines[14:]]
        regular_total = next(
            r
            for r in rows
            if r["Access_Method"] == "Regular"
            and r["Metric_Type"] == "total-dataset-investigations"
        )
        assert regular_total["Proprietary_ID"] == "de:ds1"
        assert (regular_total["Reporting_Period_Total"], regular_total["Feb-2025"]) == ("2", "2")
        machine = [r for r in rows if r["Access_Method"] == "Machine"]
        assert {r["Metric_Type"] for r in machine} == {
            "total-dataset-investigations",
            "unique-dataset-investigations",
        }

    async def test_no_usage_and_partial_months_are_exceptions(
        self, impact_api: httpx.AsyncClient
    ) -> None:
        response = await impact_api.get(
            "/api/v1/reports/dsr", params={"begin_date": "2024-01", "end_date": "2030-12"}
        )
        codes = [e["Code"] for e in response.json()["Report_Header"]["Exceptions"]]
        assert codes == [3040, 3030]

    async def test_bad_dates_are_problems_naming_the_field(
        self, impact_api: httpx.AsyncClient
    ) -> None:
        bad = await impact_api.get(
            "/api/v1/reports/dsr", params={"begin_date": "2025-13", "end_date": "2025-12"}
        )
        assert bad.status_code == 422
        assert bad.headers["content-type"] == "application/problem+json"
        assert bad.json()["errors"][0]["pointer"] == "/begin_date"
        reversed_ = await impact_api.get(
            "/api/v1/reports/dsr", params={"begin_date": "2025-06", "end_date": "2025-01"}
        )
        assert reversed_.status_code == 422
        assert reversed_.json()["errors"][0]["pointer"] == "/end_date"
        too_long = await impact_api.get(
            "/api/v1/reports/dsr", params={"begin_date": "2000-01", "end_date": "2099-12"}
        )
        assert too_long.status_code == 422
        assert too_long.json()["errors"][0]["rule"] == "maximum"
        missing = await impact_api.get("/api/v1/reports/dsr", params={"begin_date": "2025-06"})
        assert missing.status_code == 422
        assert missing.json()["errors"][0]["pointer"] == "/end_date"


class TestUploadRoles:
    async def test_anonymous_is_401(self, impact_api: httpx.AsyncClient) -> None:
        response = await impact_api.post(
            "/api/v1/usage/loads", params={"format": "clf"}, content=clf(USES)
        )
        assert response.status_code == 401

    async def test_another_node_is_403(self, impact_api: httpx.AsyncClient, tokens: Tokens) -> None:
        response = await impact_api.post(
            "/api/v1/usage/loads",
            params={"format": "clf"},
            content=clf(USES),
            headers=bearer(tokens.node("fi")),
        )
        assert response.status_code == 403

    async def test_a_reader_is_403(self, impact_api: httpx.AsyncClient, tokens: Tokens) -> None:
        response = await impact_api.post(
            "/api/v1/usage/loads",
            params={"format": "clf"},
            content=clf(USES),
            headers=bearer(tokens.client("reader")),
        )
        assert response.status_code == 403

    async def test_the_nodes_admin_loads(
        self, impact_api: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        report = await load(impact_api, tokens, clf(USES), "clf")
        assert (report["lines"], report["counted"], report["months"]) == (
            3,
            3,
            ["2025-02", "2025-03"],
        )


class TestUploadBounds:
    async def test_an_overlong_line_is_rejected_alone(
        self, impact_api: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        body = clf(USES[:1], extra=["x" * 100_000]) + clf(USES[1:])
        report = await load(impact_api, tokens, body, "clf")
        assert report["errors"] == [{"line": 2, "reason": "longer than 16384 characters"}]
        assert report["counted"] == 3

    async def test_a_log_larger_than_the_general_body_cap_loads(
        self, impact_api: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        # the general request cap is 1 MiB; a month of a web server's log is far larger, and
        # the route has its own cap (usage_upload_max_bytes, 256 MiB by default)
        body = clf(USES) * 6_000
        assert len(body) > 1024 * 1024
        report = await load(impact_api, tokens, body, "clf")
        assert report["lines"] == 3 * 6_000

    async def test_a_wrong_field_count_names_the_line(
        self, impact_api: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        report = await load(impact_api, tokens, b"#comment\na\tb\tc\n", "counter")
        assert report["errors"] == [{"line": 2, "reason": "3 tab-separated fields, not 19"}]

    async def test_an_unknown_format_is_422(
        self, impact_api: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        response = await impact_api.post(
            "/api/v1/usage/loads",
            params={"format": "w3c"},
            content=b"",
            headers=bearer(tokens.node("de")),
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["pointer"] == "/format"
