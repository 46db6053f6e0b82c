"""A slow or broken Node never delays the answer past the deadline nor fails the request."""

from __future__ import annotations

import pytest
from converge_gateway.settings import GatewaySettings
from pydantic import ValidationError

from tests.gateway.conftest import StartFederation, corpus
from tests.gateway.simnode import SimNode

TITLES = ["protein one", "protein two"]


def healthy(prefix: str) -> SimNode:
    return SimNode(corpus(prefix, TITLES))


class TestNodeOutcomes:
    async def test_stopped_hanging_and_garbage_nodes(self, federation: StartFederation) -> None:
        nodes = {
            "de": healthy("de"),
            "fi": healthy("fi"),
            "nl": SimNode(mode="hang"),
            "pt": SimNode(mode="garbage"),
            "se": healthy("se"),
        }
        fed = await federation(nodes, stopped=("se",))
        page = await fed.search(q="protein")
        statuses = {n: s["status"] for n, s in page["nodes"].items()}
        assert statuses == {"de": "ok", "fi": "ok", "nl": "timeout", "pt": "error", "se": "error"}
        assert {i["global_id"] for i in page["items"]} == {"de:de0", "de:de1", "fi:fi0", "fi:fi1"}
        assert page["partial"] is True
        assert page["nodes"]["pt"]["reason"] == "malformed search answer"
        assert page["nodes"]["se"]["reason"] == "connection refused or unreachable"
        assert page["nodes"]["de"]["ms"] is not None
        assert page["total"] == 4

    async def test_wrong_types_oversize_and_server_errors(
        self, federation: StartFederation
    ) -> None:
        nodes = {
            "de": healthy("de"),
            "fi": SimNode(mode="wrong_type"),
            "nl": SimNode(mode="huge"),
            "pt": SimNode(mode="fail"),
        }
        fed = await federation(nodes, node_max_response_bytes=64 * 1024)
        page = await fed.search(q="protein")
        reasons = {n: (s["status"], s["reason"]) for n, s in page["nodes"].items()}
        assert reasons == {
            "de": ("ok", None),
            "fi": ("error", "malformed search answer"),
            "nl": ("error", "answer too large"),
            "pt": ("error", "HTTP 500"),
        }
        assert len(page["items"]) == 2

    async def test_slow_node_within_the_deadline_is_waited_for(
        self, federation: StartFederation
    ) -> None:
        slow = SimNode(corpus("fi", TITLES), delay_s=0.1)
        fed = await federation(
            {"de": healthy("de"), "fi": slow}, deadline_s=2.0, node_timeout_s=1.5
        )
        page = await fed.search(q="protein")
        assert page["nodes"]["fi"]["status"] == "ok"
        assert len(page["items"]) == 4

    async def test_node_timeout_tighter_than_the_deadline(
        self, federation: StartFederation
    ) -> None:
        slow = SimNode(corpus("fi", TITLES), delay_s=1.0)
        fed = await federation({"de": healthy("de"), "fi": slow}, deadline_s=5, node_timeout_s=0.2)
        page = await fed.search(q="protein")
        assert page["nodes"]["fi"]["status"] == "timeout"

    async def test_inactive_nodes_are_skipped(self, federation: StartFederation) -> None:
        fed = await federation(
            {"de": healthy("de"), "fi": healthy("fi")}, states={"fi": "unreachable"}
        )
        page = await fed.search(q="protein")
        assert page["nodes"]["fi"] == {
            "status": "skipped",
            "ms": None,
            "count": None,
            "total": None,
            "reason": "metadata service unreachable",
        }
        assert fed.nodes["fi"].calls == []

    async def test_no_nodes_at_all(self, federation: StartFederation) -> None:
        fed = await federation({})
        page = await fed.search(q="protein")
        assert page["items"] == []
        assert page["nodes"] == {}
        assert page["total"] is None


class TestCircuitBreaker:
    async def test_opens_after_repeated_failures(self, federation: StartFederation) -> None:
        broken = SimNode(mode="fail")
        fed = await federation(
            {"de": healthy("de"), "fi": broken}, breaker_failures=2, breaker_open_s=3600
        )
        for _ in range(2):
            assert (await fed.search(q="protein"))["nodes"]["fi"]["status"] == "error"
        page = await fed.search(q="protein")
        assert page["nodes"]["fi"]["status"] == "skipped"
        assert page["nodes"]["fi"]["reason"] == "circuit open"
        assert len(broken.calls) == 2
        listed = (await fed.client.get("/api/v1/nodes")).json()["nodes"]
        assert {n["id"]: n["circuit"] for n in listed} == {"de": "closed", "fi": "open"}

    async def test_half_open_probe_closes_it_again(self, federation: StartFederation) -> None:
        flaky = SimNode(corpus("fi", TITLES), mode="fail")
        fed = await federation(
            {"de": healthy("de"), "fi": flaky}, breaker_failures=1, breaker_open_s=3600
        )
        await fed.search(q="protein")
        breaker = fed.gateway.fanout.breakers.get("fi")
        assert breaker.state == "open"
        flaky.mode = "ok"
        breaker.opened_at -= 3600  # the open period has passed
        page = await fed.search(q="protein")
        assert page["nodes"]["fi"]["status"] == "ok"
        assert breaker.state == "closed"

    async def test_a_node_past_the_deadline_is_counted_once_before_the_answer(
        self, federation: StartFederation
    ) -> None:
        fed = await federation(
            {"de": healthy("de"), "nl": SimNode(mode="hang")},
            deadline_s=0.3,
            node_timeout_s=5,
            breaker_failures=1,
            breaker_open_s=3600,
        )
        page = await fed.search(q="protein")
        assert page["nodes"]["nl"]["status"] == "timeout"
        # recorded when the gateway gave up, not whenever the cancelled call winds down
        assert fed.gateway.fanout.breakers.get("nl").state == "open"
        page = await fed.search(q="protein")
        assert page["nodes"]["nl"]["status"] == "skipped"
        text = (await fed.client.get("/metrics")).text
        for outcome in ("timeout", "skipped"):
            line = (
                f'gateway_node_requests_total{{node="nl",operation="search",outcome="{outcome}"}}'
            )
            assert f"{line} 1.0" in text

    async def test_refused_queries_do_not_open_it(self, federation: StartFederation) -> None:
        fed = await federation({"de": healthy("de")}, breaker_failures=1)
        response = await fed.client.get("/api/v1/search", params={"topic": "bogus"})
        assert response.status_code == 422
        assert fed.gateway.fanout.breakers.get("de").state == "closed"

    @pytest.mark.parametrize(
        "params",
        [{"keyword": "\x00"}, {"q": "protein\x00"}, {"type": "Dataset\x1b"}, {"k\x00": "v"}],
    )
    async def test_control_characters_are_refused_before_any_node_is_called(
        self, federation: StartFederation, params: dict[str, str]
    ) -> None:
        # five `keyword=%00` searches every 30 s kept a Node (answering them with a 500) out
        # of federated search for everyone
        fed = await federation({"de": healthy("de")}, breaker_failures=5, breaker_open_s=3600)
        for _ in range(6):
            response = await fed.client.get("/api/v1/search", params=params)
            assert response.status_code == 422
            assert response.json()["errors"][0]["rule"] == "text"
        assert fed.nodes["de"].calls == []
        assert fed.gateway.fanout.breakers.get("de").state == "closed"
        assert (await fed.search(q="protein"))["nodes"]["de"]["status"] == "ok"

    async def test_control_characters_in_oai_arguments_never_reach_a_node(
        self, federation: StartFederation
    ) -> None:
        fed = await federation({"de": healthy("de")}, breaker_failures=1, breaker_open_s=3600)
        identifier = "oai:converge.elixir-europe.org:de:x\x00"
        for params in (
            {"verb": "GetRecord", "identifier": identifier, "metadataPrefix": "oai_dc"},
            {"verb": "ListRecords", "metadataPrefix": "oai_dc\x00", "set": "node:de"},
        ):
            response = await fed.client.get("/oai", params=params)
            assert response.status_code == 200
            assert b'code="badArgument"' in response.content
        assert fed.nodes["de"].calls == []
        assert fed.gateway.fanout.breakers.get("de").state == "closed"

    async def test_a_nodes_refusal_of_the_callers_query_is_no_verdict_on_the_node(
        self, federation: StartFederation
    ) -> None:
        flaky = SimNode(corpus("fi", TITLES), mode="fail")
        fed = await federation({"fi": flaky}, breaker_failures=3, breaker_open_s=3600)
        breaker = fed.gateway.fanout.breakers.get("fi")
        await fed.search(q="protein")
        await fed.search(q="protein")
        flaky.mode = "ok"
        # the Node answers 422 to a topic it does not know: neither a failure nor a success
        for _ in range(5):
            refused = await fed.client.get("/api/v1/search", params={"topic": "bogus"})
            assert refused.status_code == 422
        assert (breaker.state, breaker.failures) == ("closed", 2)
        flaky.mode = "fail"
        await fed.search(q="protein")
        assert breaker.state == "open"

    async def test_a_refused_query_is_no_probe_that_closes_the_circuit(
        self, federation: StartFederation
    ) -> None:
        broken = SimNode(corpus("fi", TITLES), mode="fail")
        fed = await federation({"fi": broken}, breaker_failures=1, breaker_open_s=3600)
        breaker = fed.gateway.fanout.breakers.get("fi")
        await fed.search(q="protein")
        assert breaker.state == "open"
        breaker.opened_at -= 3600  # the open period has passed: the next call is a probe
        broken.mode = "ok"
        refused = await fed.client.get("/api/v1/search", params={"topic": "bogus"})
        assert refused.status_code == 422
        assert breaker.state == "half_open"
        assert (await fed.search(q="protein"))["nodes"]["fi"]["status"] == "ok"
        assert breaker.state == "closed"


class TestCache:
    async def test_identical_queries_are_answered_from_the_cache(
        self, federation: StartFederation
    ) -> None:
        fed = await federation({"de": healthy("de")}, cache_ttl_s=60)
        first = await fed.search(q="protein")
        second = await fed.search(q="protein")
        assert first == second
        assert len(fed.nodes["de"].calls) == 1
        await fed.search(q="protein", limit=1)
        assert len(fed.nodes["de"].calls) == 2

    async def test_partial_answers_are_not_cached(self, federation: StartFederation) -> None:
        fed = await federation({"de": healthy("de"), "fi": SimNode(mode="fail")}, cache_ttl_s=60)
        await fed.search(q="protein")
        await fed.search(q="protein")
        assert len(fed.nodes["de"].calls) == 2


class TestAnswerReserve:
    def test_the_nodes_get_the_deadline_less_the_reserve(self) -> None:
        settings = GatewaySettings(deadline_s=2.0, answer_reserve_s=0.05)
        assert settings.nodes_deadline_s == pytest.approx(1.95)

    def test_the_reserve_must_be_shorter_than_the_deadline(self) -> None:
        with pytest.raises(ValidationError, match="answer_reserve_s"):
            GatewaySettings(deadline_s=0.05, answer_reserve_s=0.05)

    async def test_the_fan_out_stops_at_the_nodes_deadline(
        self, federation: StartFederation
    ) -> None:
        fed = await federation({"de": healthy("de")}, deadline_s=1.0, answer_reserve_s=0.2)
        assert fed.gateway.fanout.deadline_s == pytest.approx(0.8)
