"""Simulated Nodes for gateway tests and benchmarks: the far side the gateway does not own.

A :class:`SimNode` answers ``GET /api/v1/search`` in a Node's shape over a fixed corpus (title
substring match, ``type`` filter, relevance then id order, offset cursors, ``type`` facets) and
can be told to misbehave: hang, answer garbage, answer wrongly typed JSON, answer too much,
fail with 500, or wait a fixed delay before answering.

Given :class:`SimIndicator` definitions and :class:`SimValue` values it is also a Node's impact
service, per the impact contract: ``GET /api/v1/indicators`` (paged), ``/indicators/{code}``,
``/indicators/{code}/series`` and ``/profile``, answering exactly the values it was given (a
period's value is stored at the granularity it is asked for). Its misbehaviours apply there
too, and ``mislabelled`` answers for another indicator or period than the one asked.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from starlette.types import Receive, Scope, Send

__all__ = ["SimIndicator", "SimNode", "SimRecord", "SimValue"]

IMPACT_PATHS = ("/api/v1/indicators", "/api/v1/profile")


@dataclass(frozen=True)
class SimRecord:
    id: str
    title: str
    type: str = "Dataset"
    modified_at: str = "2026-01-01T00:00:00+00:00"

    def score(self, q: str) -> float:
        return float(self.title.lower().count(q.lower())) if q else 1.0


@dataclass(frozen=True)
class SimIndicator:
    code: str
    combine_nodes: str = "sum"
    unit: str = "records"
    pathway: str = "resource_uptake"
    combine_periods: str = "sum"
    scope: str = "federation"
    name: str = ""
    source: str = "reported"

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name or self.code.replace(".", " ").capitalize(),
            "description": f"Simulated indicator {self.code}",
            "pathway": self.pathway,
            "type": "output",
            "unit": self.unit,
            "combine_nodes": self.combine_nodes,
            "combine_periods": self.combine_periods,
            "source": self.source,
            "derivation": None,
            "scope": self.scope,
            # a field the contract does not name: never passed on by the gateway
            "internal_note": "not for the federation",
        }


@dataclass(frozen=True)
class SimValue:
    code: str
    period: str
    value: float
    # when it was validated (reported) or computed (derived)
    at: str | None = None
    source: str = "reported"

    def point(self) -> dict[str, Any]:
        derived = self.source == "derived"
        return {
            "period": self.period,
            "value": self.value,
            "source": self.source,
            "computed_at": self.at if derived else None,
            "validated_at": None if derived else self.at,
        }


def _granularity(period: str) -> str:
    return "quarter" if "-Q" in period else "month" if "-" in period else "year"


@dataclass
class SimNode:
    records: list[SimRecord] = field(default_factory=list)
    mode: str = "ok"  # ok, hang, garbage, wrong_type, huge, fail, mislabelled
    # how GET /api/v1/records/{id} answers: "ok", or a way of being wrong (RECORD_FAULTS)
    record_mode: str = "ok"
    indicators: list[SimIndicator] = field(default_factory=list)
    values: list[SimValue] = field(default_factory=list)
    # the Node's page size for its indicator list
    page_size: int = 100
    # whether profile values carry computed_at / validated_at (not in the contract)
    profile_times: bool = True
    delay_s: float = 0.0
    # characters of opaque state after the offset in each next_cursor (a Node's cursor may be
    # up to 4,000 characters long)
    cursor_padding: int = 0
    calls: list[dict[str, list[str]]] = field(default_factory=list)
    headers_seen: list[dict[str, str]] = field(default_factory=list)
    _release: asyncio.Event | None = None

    def release(self) -> None:
        """Let hanging requests end (so a server can stop at once)."""
        if self._release is not None:
            self._release.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        from urllib.parse import parse_qs

        params = parse_qs(scope["query_string"].decode(), keep_blank_values=True)
        if scope["path"] == "/readyz":
            # the registry's probe: a misbehaving Node may still look healthy to it
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b'{"status": "ok"}'})
            return
        self.calls.append(params)
        self.headers_seen.append({k.decode(): v.decode() for k, v in scope["headers"]})
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.mode == "hang":
            self._release = self._release or asyncio.Event()
            await asyncio.wait_for(self._release.wait(), 3600)
        accept = dict(scope["headers"]).get(b"accept", b"").decode()
        status, body, ctype = self._answer(scope["path"], params, accept)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", ctype.encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _answer(
        self, path: str, params: dict[str, list[str]], accept: str = ""
    ) -> tuple[int, bytes, str]:
        if path.startswith("/api/v1/records/"):
            return self._record(path.removeprefix("/api/v1/records/"), accept)
        if path.startswith(IMPACT_PATHS):
            return self._impact_answer(path, params)
        if path != "/api/v1/search":
            return 404, b'{"title": "Not Found"}', "application/problem+json"
        if any("\x00" in value for values in params.values() for value in values):
            # as a Node on PostgreSQL did before it checked its input: a NUL is a server error
            return 500, b'{"title": "Internal Server Error"}', "application/problem+json"
        if self.mode == "garbage":
            return 200, b"\x00<html>not json at all", "application/json"
        if self.mode == "wrong_type":
            return 200, b'{"items": "lots", "total": "many"}', "application/json"
        if self.mode == "fail":
            return 500, b'{"title": "Internal Server Error"}', "application/problem+json"
        if self.mode == "huge":
            items = [{"id": f"x{i}", "title": "y" * 1000} for i in range(5000)]
            return 200, json.dumps({"items": items}).encode(), "application/json"
        if params.get("topic") == ["bogus"]:
            problem = {
                "title": "Invalid input",
                "status": 422,
                "detail": "unknown topic bogus",
                "errors": [
                    {"pointer": "/topic/0", "rule": "vocabulary", "detail": "no such term"},
                    {"pointer": 7, "rule": "junk", "detail": "dropped: not a pointer"},
                ],
            }
            return 422, json.dumps(problem).encode(), "application/problem+json"
        return 200, json.dumps(self.search(params)).encode(), "application/json"

    def _record(self, local_id: str, accept: str) -> tuple[int, bytes, str]:
        record = next((r for r in self.records if r.id == local_id), None)
        if self.record_mode in RECORD_FAULTS:
            return RECORD_FAULTS[self.record_mode]
        if record is None:
            problem = {"type": "about:blank", "title": "Not Found", "status": 404}
            return 404, json.dumps(problem).encode(), "application/problem+json"
        if record.type == "Deleted":
            problem = {"title": "Gone", "status": 410, "deleted_at": record.modified_at}
            return 410, json.dumps(problem).encode(), "application/problem+json"
        media = accept if accept in RECORD_BODIES else "application/json"
        if self.record_mode == "ignores_accept":
            media = "application/json"
        body = RECORD_BODIES[media].replace("{id}", record.id).replace("{title}", record.title)
        return 200, body.encode(), media

    def _padding(self) -> str:
        # incompressible, as a signed token is: a random-looking base64url text
        if not self.cursor_padding:
            return ""
        seed = hashlib.sha256(str(id(self)).encode()).digest()
        blocks = (
            seed := hashlib.sha256(seed).digest() for _ in range(self.cursor_padding // 32 + 1)
        )
        return "." + base64.urlsafe_b64encode(b"".join(blocks)).decode()[: self.cursor_padding]

    def search(self, params: dict[str, list[str]]) -> dict[str, Any]:
        q = params.get("q", [""])[0]
        types = params.get("type", [])
        hits = [
            r
            for r in self.records
            if (not q or q.lower() in r.title.lower()) and (not types or r.type in types)
        ]
        sort = params.get("sort", ["relevance" if q else "date"])[0]
        if sort == "title":
            hits.sort(key=lambda r: (r.title.casefold(), r.id))
        elif sort == "date":
            hits.sort(key=lambda r: (r.modified_at, r.id), reverse=True)
        else:
            hits.sort(key=lambda r: (-r.score(q), r.id))
        limit = int(params.get("limit", ["20"])[0])
        offset = int(params.get("cursor", ["0"])[0].split(".")[0])
        page = hits[offset : offset + limit]
        counts: dict[str, int] = {}
        for r in hits:
            counts[r.type] = counts.get(r.type, 0) + 1
        with_facets = params.get("facets", ["true"]) != ["false"]
        answer: dict[str, Any] = {
            "items": [self._hit(r, q, offset + i + 1) for i, r in enumerate(page)],
            "limit": limit,
            "sort": sort,
        }
        if offset + limit < len(hits):
            answer["next_cursor"] = str(offset + limit) + self._padding()
        if with_facets:
            answer["total"] = len(hits)
            answer["facets"] = {
                "type": [{"value": t, "label": t, "count": c} for t, c in sorted(counts.items())]
            }
        else:
            answer["facets"] = {}
        return answer

    def _hit(self, r: SimRecord, q: str, rank: int) -> dict[str, Any]:
        # the Node's own label; the gateway labels records with the registry's Node id
        return {
            "id": r.id,
            "global_id": f"sim:{r.id}",
            "node": "sim",
            "type": r.type,
            "title": r.title,
            "snippet": r.title,
            "score": r.score(q),
            "rank": rank,
            "access": "public",
            "modified_at": r.modified_at,
        }

    def _impact_answer(self, path: str, params: dict[str, list[str]]) -> tuple[int, bytes, str]:
        if self.mode in ("garbage", "wrong_type", "fail", "huge"):
            return {
                "garbage": (200, b"\x00<html>not json at all", "application/json"),
                "wrong_type": (200, b'{"items": "lots", "points": 7}', "application/json"),
                "fail": (500, b'{"title": "Internal Server Error"}', "application/problem+json"),
                "huge": (
                    200,
                    json.dumps({"items": ["y" * 1000] * 500}).encode(),
                    "application/json",
                ),
            }[self.mode]
        asked = [params.get(name, [""])[0] for name in ("from", "to", "period")]
        if any(value[:4].isdigit() and int(value[:4]) < 1990 for value in asked):
            # as the impact service does: its periods start in 1990
            return 422, b'{"detail": "period before 1990"}', "application/problem+json"
        answer = self.impact(path, params)
        if answer is None:
            return 404, b'{"title": "Not Found"}', "application/problem+json"
        return 200, json.dumps(answer).encode(), "application/json"

    def impact(self, path: str, params: dict[str, list[str]]) -> dict[str, Any] | None:
        """The impact contract's answer, or None for a 404."""
        by_code = {i.code: i for i in self.indicators}
        if path == "/api/v1/indicators":
            offset = int(params.get("cursor", ["0"])[0])
            limit = min(int(params.get("limit", ["20"])[0]), self.page_size)
            page = self.indicators[offset : offset + limit]
            answer: dict[str, Any] = {"items": [i.to_json() for i in page], "limit": limit}
            if offset + limit < len(self.indicators):
                answer["next_cursor"] = str(offset + limit)
            return answer
        if path == "/api/v1/profile":
            period = params["period"][0]
            pathways: dict[str, list[dict[str, Any]]] = {}
            for v in self.values:
                if v.period == period:
                    indicator = by_code[v.code]
                    item = {"code": v.code, "value": v.value, "unit": indicator.unit}
                    if self.profile_times:  # an addition to the contract, read if sent
                        item |= {k: v.point()[k] for k in ("computed_at", "validated_at")}
                    pathways.setdefault(indicator.pathway, []).append(item)
            shown = "1999" if self.mode == "mislabelled" else period
            return {
                "period": shown,
                "pathways": [{"pathway": p, "indicators": i} for p, i in pathways.items()],
            }
        code, _, rest = path.removeprefix("/api/v1/indicators/").partition("/")
        indicator = by_code.get(code)
        if indicator is None:
            return None
        if not rest:
            return indicator.to_json()
        granularity = params.get("granularity", ["year"])[0]
        start, end = params.get("from", [None])[0], params.get("to", [None])[0]
        points = [
            v.point()
            for v in sorted(self.values, key=lambda v: v.period)
            if v.code == code
            and _granularity(v.period) == granularity
            and (start is None or v.period >= start)
            and (end is None or v.period <= end)
        ]
        shown = "other.indicator" if self.mode == "mislabelled" else code
        return {
            "indicator": shown,
            "granularity": granularity,
            "unit": indicator.unit,
            "points": points,
        }


RECORD_BODIES = {
    "application/json": '{"id": "{id}", "type": "Dataset", "title": {"en": "{title}"}, '
    '"version": 1}',
    "application/ld+json": '{"@context": "https://schema.org/", "@type": "Dataset", '
    '"name": "{title}"}',
    "application/vnd.datacite.datacite+xml": '<resource xmlns="http://datacite.org/schema/'
    'kernel-4"><titles><title>{title}</title></titles></resource>',
    "text/turtle": "<https://node.example.org/records/{id}> "
    '<http://purl.org/dc/terms/title> "{title}" .',
    "application/rdf+xml": '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:dct="http://purl.org/dc/terms/"><rdf:Description rdf:about="https://node.example.org'
    '/records/{id}"><dct:title>{title}</dct:title></rdf:Description></rdf:RDF>',
}
_HTML = b"<html><body><script>fetch('/api/v1/search?q='+document.cookie)</script></body></html>"
_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<resource xmlns="http://datacite.org/schema/kernel-4">&x;</resource>'
)
# every way a Node answered the record wrongly that the gateway must refuse (status, body, type)
RECORD_FAULTS: dict[str, tuple[int, bytes, str]] = {
    "html": (200, _HTML, "text/html"),
    "html_as_json": (200, _HTML, "application/json"),
    "garbage_json": (200, b'{"id": "x", "type"', "application/json"),
    "json_list": (200, b"[1, 2, 3]", "application/json"),
    "not_a_record": (200, b'{"hello": "world"}', "application/json"),
    "another_record": (
        200,
        b'{"id": "other", "type": "Dataset", "title": {"en": "t"}, "version": 1}',
        "application/json",
    ),
    "deep_json": (
        200,
        b'{"id": "de0", "type": "Dataset", "title": {"en": "t"}, "version": 1, "x": '
        + b"[" * 200
        + b"]" * 200
        + b"}",
        "application/json",
    ),
    "xml_entity": (200, _ENTITY, "application/vnd.datacite.datacite+xml"),
    "deep_xml": (
        200,
        b'<resource xmlns="http://datacite.org/schema/kernel-4">'
        + b"<a>" * 100
        + b"</a>" * 100
        + b"</resource>",
        "application/vnd.datacite.datacite+xml",
    ),
    "xml_not_datacite": (200, b"<html><p>hi</p></html>", "application/vnd.datacite.datacite+xml"),
    "bad_turtle": (200, b"<https://x> <https://y> <script>alert(1)</script> .", "text/turtle"),
    "html_404": (404, _HTML, "text/html"),
    "problem_status_mismatch": (404, b'{"status": 200, "title": "OK"}', "application/problem+json"),
}
