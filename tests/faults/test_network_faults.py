"""Network faults between the gateway and a Node, on a real impaired link (``tc netem``).

The Node ``fi`` runs in its own network namespace behind a veth pair whose Node end delays and
drops packets; ``de`` is healthy on loopback. The gateway must answer every federated search
within its deadline with ``de``'s records, and name ``fi``'s outcome: ``ok`` when its answer
made it through, ``timeout`` when it did not, never an error of the gateway's own.

Skipped, with the reason, where the machine cannot do it: no ``ip``/``tc``, no CAP_NET_ADMIN,
or a kernel without the netem qdisc.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from converge_gateway.directory.schemas import NodeEntry

from tests.faults.netns import ImpairedNode, netem_unavailable
from tests.gateway.conftest import StartFederation, corpus
from tests.gateway.simnode import SimNode

TITLES = ["protein one", "protein two"]
SEARCHES = 8

_REASON = netem_unavailable()
pytestmark = pytest.mark.skipif(_REASON is not None, reason=_REASON or "")


@pytest.fixture
def impaired() -> Iterator[ImpairedNode]:
    with ImpairedNode(TITLES, prefix="fi") as node:
        yield node


async def _search_many(federation: StartFederation, impaired: ImpairedNode) -> list[dict[str, Any]]:
    fed = await federation(
        {"de": SimNode(corpus("de", TITLES))},
        deadline_s=3.0,
        node_timeout_s=2.5,
        breaker_failures=1000,
    )
    # the impaired Node is listed under its namespace address
    fed.gateway.directory.replace(
        [
            NodeEntry(
                id=node,
                name=f"ELIXIR {node.upper()}",
                country=node.upper(),
                status="accepted",
                metadata_url=url,
                service_state="active",
            )
            for node, url in (("de", fed.servers["de"].url), ("fi", impaired.url))
        ]
    )
    return [await fed.search(q="protein") for _ in range(SEARCHES)]


class TestImpairedLink:
    async def test_latency_and_loss(
        self, federation: StartFederation, impaired: ImpairedNode
    ) -> None:
        impaired.impair(delay_ms=300, loss_percent=20)
        pages = await _search_many(federation, impaired)
        for page in pages:
            assert page["nodes"]["de"]["status"] == "ok"
            assert {"de:de0", "de:de1"} <= {i["global_id"] for i in page["items"]}
            fi = page["nodes"]["fi"]["status"]
            assert fi in ("ok", "timeout"), page["nodes"]["fi"]
            found = {i["global_id"] for i in page["items"]} >= {"fi:fi0", "fi:fi1"}
            assert found == (fi == "ok")
            assert page["partial"] == (fi != "ok")
        # 300 ms each way fits a 2.5 s Node timeout unless loss costs retransmissions
        assert any(p["nodes"]["fi"]["status"] == "ok" for p in pages)

    async def test_a_link_that_drops_everything(
        self, federation: StartFederation, impaired: ImpairedNode
    ) -> None:
        impaired.impair(delay_ms=0, loss_percent=100)
        pages = await _search_many(federation, impaired)
        for page in pages:
            assert page["nodes"]["fi"]["status"] == "timeout"
            assert page["partial"] is True
            assert {i["global_id"] for i in page["items"]} == {"de:de0", "de:de1"}
