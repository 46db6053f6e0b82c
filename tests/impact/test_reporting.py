"""Series, pathway profiles, SVG charts and the annual report: validated values only."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx

from tests.impact.conftest import Headers, report, validated

SVG = "{http://www.w3.org/2000/svg}"


class TestSeries:
    async def test_only_public_values_in_period_order(
        self, api: httpx.AsyncClient, admin: Headers, steward: Headers
    ) -> None:
        await validated(api, admin, "publications.citing", "2025", 40)
        await validated(api, admin, "publications.citing", "2023", 25)
        await report(api, steward, "publications.citing", "2024", 99)  # a draft
        body = (await api.get("/api/v1/indicators/publications.citing/series")).json()
        assert body["indicator"] == "publications.citing"
        assert body["unit"] == "publications"
        assert [(p["period"], p["value"]) for p in body["points"]] == [("2023", 25), ("2025", 40)]
        assert all(p["source"] == "reported" and p["validated_at"] for p in body["points"])
        assert all(p["computed_at"] is None for p in body["points"])

    async def test_from_and_to(self, api: httpx.AsyncClient, admin: Headers) -> None:
        for year, value in (("2023", 1), ("2024", 2), ("2025", 3)):
            await validated(api, admin, "policy.documents", year, value)
        body = (
            await api.get(
                "/api/v1/indicators/policy.documents/series",
                params={"granularity": "year", "from": "2024", "to": "2025"},
            )
        ).json()
        assert [p["period"] for p in body["points"]] == ["2024", "2025"]
        wrong = await api.get(
            "/api/v1/indicators/policy.documents/series",
            params={"granularity": "year", "from": "2024-01"},
        )
        assert wrong.status_code == 422
        assert wrong.json()["errors"][0]["pointer"] == "/from"

    async def test_months_combine_by_the_indicators_period_rule(
        self, api: httpx.AsyncClient, admin: Headers
    ) -> None:
        # page views: sum over periods; staff FTE: mean; industry collaborations: max
        for month, views in (("2025-01", 100), ("2025-02", 50), ("2025-04", 30)):
            await validated(api, admin, "communication.page_views", month, views)
        for quarter, fte in (("2025-Q1", 10), ("2025-Q2", 14)):
            await validated(api, admin, "staff.fte", quarter, fte)
        for month, count in (("2025-03", 2), ("2025-09", 5), ("2025-11", 4)):
            await validated(api, admin, "collaborations.industry", month, count)

        async def points(code: str, granularity: str) -> list[tuple[str, float]]:
            url = f"/api/v1/indicators/{code}/series"
            body = (await api.get(url, params={"granularity": granularity})).json()
            return [(p["period"], p["value"]) for p in body["points"]]

        assert await points("communication.page_views", "quarter") == [
            ("2025-Q1", 150),
            ("2025-Q2", 30),
        ]
        assert await points("communication.page_views", "year") == [("2025", 180)]
        assert await points("staff.fte", "year") == [("2025", 12)]
        assert await points("collaborations.industry", "year") == [("2025", 5)]
        # a value given for the year itself wins over its parts
        await validated(api, admin, "communication.page_views", "2025", 1000)
        assert await points("communication.page_views", "year") == [("2025", 1000)]

    async def test_pathway_series(self, api: httpx.AsyncClient, admin: Headers) -> None:
        await validated(api, admin, "policy.documents", "2025", 3)
        body = (await api.get("/api/v1/pathways/policy_influence/series")).json()
        assert body["name"] == "Policy influence"
        assert {s["indicator"]: [p["value"] for p in s["points"]] for s in body["indicators"]} == {
            "policy.documents": [3]
        }


class TestProfile:
    async def test_every_pathway_with_its_public_values(
        self, api: httpx.AsyncClient, admin: Headers, steward: Headers
    ) -> None:
        await validated(api, admin, "funding.external", "2025", 250000)
        await validated(api, admin, "training.trainers.active", "2025-Q2", 7)
        await report(api, steward, "policy.documents", "2025", 4)  # a draft
        body = (await api.get("/api/v1/profile", params={"period": "2025"})).json()
        assert body["period"] == "2025"
        assert body["node"] == "de"
        assert len(body["pathways"]) == 9
        found = {
            i["code"]: (p["pathway"], i["value"], i["unit"])
            for p in body["pathways"]
            for i in p["indicators"]
        }
        assert found == {
            "funding.external": ("infrastructure_sustainability", 250000, "EUR"),
            "training.trainers.active": ("skills_development", 7, "people"),
        }

    async def test_period_is_checked(self, api: httpx.AsyncClient) -> None:
        response = await api.get("/api/v1/profile", params={"period": "25"})
        assert response.status_code == 422
        assert response.json()["errors"][0]["pointer"] == "/period"


def _parse_svg(text: str) -> ET.Element:
    root = ET.fromstring(text)  # noqa: S314 (our own output, parsed to check it)
    assert root.tag == SVG + "svg"
    assert root.find(SVG + "title") is not None
    assert root.find(SVG + "desc") is not None
    assert [e for e in root.iter() if e.tag == SVG + "script"] == []
    assert all(not k.startswith("on") for e in root.iter() for k in e.attrib)
    return root


class TestCharts:
    async def test_indicator_chart_is_svg_with_text_labels(
        self, api: httpx.AsyncClient, admin: Headers
    ) -> None:
        await validated(api, admin, "policy.documents", "2024", 2)
        await validated(api, admin, "policy.documents", "2025", 5)
        response = await api.get("/api/v1/charts/indicators/policy.documents.svg")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("image/svg+xml")
        root = _parse_svg(response.text)
        texts = {e.text for e in root.iter(SVG + "text")}
        assert {"2024", "2025", "2", "5"} <= texts
        assert "2024: 2" in (root.find(SVG + "desc").text or "")  # type: ignore[union-attr]

    async def test_profile_chart(self, api: httpx.AsyncClient, admin: Headers) -> None:
        await validated(api, admin, "funding.external", "2025", 1500.5)
        response = await api.get("/api/v1/charts/profile.svg", params={"period": "2025"})
        root = _parse_svg(response.text)
        texts = [e.text for e in root.iter(SVG + "text")]
        assert "External funding" in texts
        assert "1,500.50 EUR" in texts
        assert "Benefits of working together" in texts

    async def test_labels_are_escaped(self, api: httpx.AsyncClient, admin: Headers) -> None:
        own = {
            "code": "node.odd",
            "name": "<script>alert(1)</script> & co",
            "pathway": "public_awareness",
            "type": "output",
            "unit": "a<b",
        }
        assert (await api.post("/api/v1/indicators", json=own, headers=admin)).status_code == 201
        await validated(api, admin, "node.odd", "2025", 1)
        response = await api.get("/api/v1/charts/indicators/node.odd.svg")
        root = _parse_svg(response.text)
        assert "<script>" not in response.text
        assert root.find(SVG + "title").text.startswith("<script>alert(1)</script> & co")  # type: ignore[union-attr]


class TestAnnualReport:
    async def test_validated_values_with_evidence_not_drafts(
        self, api: httpx.AsyncClient, admin: Headers, steward: Headers
    ) -> None:
        await validated(
            api,
            admin,
            "publications.citing",
            "2025",
            42,
            evidence_url="https://europepmc.org/search?query=elixir-de",
            evidence_note="Europe PMC query, December",
        )
        await validated(api, admin, "communication.page_views", "2025-03", 777)
        await validated(api, admin, "policy.documents", "2024", 9)  # another year
        await report(api, steward, "funding.external", "2025", 123456)  # a draft
        response = await api.get("/api/v1/annual-reports/2025")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        html = response.text
        assert "Impact report 2025" in html
        assert "ELIXIR Germany" in html
        assert "Publications citing the Node" in html
        assert ">42<" in html
        assert 'href="https://europepmc.org/search?query=elixir-de"' in html
        assert "Europe PMC query, December" in html
        assert ">777<" in html
        assert "2025-03" in html
        assert "123,456" not in html
        assert "123456" not in html
        assert ">9<" not in html
        assert "@media print" in html
        assert "<svg" in html
        assert "<script" not in html
        # its one style sheet and the charts' text style are allowed by hash, nothing else
        policy = response.headers["content-security-policy"]
        assert policy.startswith("default-src 'none'; style-src 'sha256-")
        assert "unsafe-inline" not in policy
        assert html.count("<style>") == 1

    async def test_year_is_checked(self, api: httpx.AsyncClient) -> None:
        assert (await api.get("/api/v1/annual-reports/25")).status_code == 422
