"""What the federation shows of a controlled record: the Node's anonymous answer, so never the
way to the data, whatever token the gateway's caller holds (the gateway never forwards it)."""

from __future__ import annotations

import re

import httpx
from converge_common.testing.plugin import bearer

from tests.federation.conftest import FEDERATION, Federation
from tests.federation.test_federated_oai import walk_healthy_only
from tests.metadata.test_controlled_access import (
    RECORD_ID,
    RECORD_MEDIA,
    SECRET_DOWNLOAD,
    controlled,
)
from tests.metadata.test_controlled_access import (
    _hidden as hidden,
)


async def test_gateway_channels_never_show_a_controlled_records_data(
    federation: Federation,
) -> None:
    steward = bearer(federation.tokens.node("de"))
    async with httpx.AsyncClient(base_url=federation.nodes["de"].url, timeout=20) as node:
        created = await node.post("/api/v1/records", json=controlled(), headers=steward)
        assert created.status_code == 201, created.text
        # the Node itself shows the way to the data to its steward
        own = await node.get(f"/api/v1/records/{RECORD_ID}", headers=steward)
        assert SECRET_DOWNLOAD in own.text
    await walk_healthy_only(federation)
    reader = bearer(federation.tokens.client("reader"))
    async with federation.client() as gateway:
        for headers in ({}, reader, steward):
            for media in RECORD_MEDIA:
                response = await gateway.get(
                    f"/api/v1/records/de:{RECORD_ID}", headers={**headers, "Accept": media}
                )
                assert response.status_code == 200, (media, response.text)
                hidden(response.text)
            found = await gateway.get("/api/v1/search", params={"q": "cohort"}, headers=headers)
            assert found.status_code == 200
            assert [hit["global_id"] for hit in found.json()["items"]] == [f"de:{RECORD_ID}"]
            hidden(found.text)
            for prefix in ("oai_dc", "oai_datacite", "dcat_ap"):
                got = await gateway.get(
                    "/oai",
                    params={
                        "verb": "GetRecord",
                        "metadataPrefix": prefix,
                        "identifier": f"oai:{FEDERATION}:de:{RECORD_ID}",
                    },
                    headers=headers,
                )
                # every page of the Node's list (the gateway's pages are smaller than it)
                listed = ""
                params = {"verb": "ListRecords", "metadataPrefix": prefix, "set": "node:de"}
                for _ in range(20):
                    page = await gateway.get("/oai", params=params, headers=headers)
                    assert page.status_code == 200
                    listed += page.text
                    more = re.search(r"<resumptionToken[^>]*>([^<]+)</resumptionToken>", page.text)
                    if more is None:
                        break
                    params = {"verb": "ListRecords", "resumptionToken": more.group(1)}
                assert got.status_code == 200
                for text in (got.text, listed):
                    assert RECORD_ID in text, text[:500]
                    hidden(text)
            catalogue = await gateway.get("/dcat/catalog", headers=headers)
            assert catalogue.status_code == 200
            hidden(catalogue.text)
