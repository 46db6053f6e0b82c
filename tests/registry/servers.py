"""Real uvicorn servers on 127.0.0.1 for the registry to probe and to deliver webhooks to."""

from __future__ import annotations

from typing import Any

from converge_common.testing.servers import LiveServer as _LiveServer
from converge_common.testing.servers import free_port
from starlette.types import Receive, Scope, Send

__all__ = ["LiveServer", "free_port"]


class NodeServiceApp:
    """A stand-in for a Node's service: ``/readyz`` answers ``ready_status``; records POSTs."""

    def __init__(self) -> None:
        self.ready_status = 200
        self.received: list[tuple[bytes, dict[str, str]]] = []
        self.answer_status = 204

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if scope["method"] == "POST":
            headers = {k.decode(): v.decode() for k, v in scope["headers"]}
            self.received.append((body, headers))
            status = self.answer_status
        elif scope["path"] == "/readyz":
            status = self.ready_status
        else:
            status = 404
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})


class LiveServer(_LiveServer):
    """A loopback server that defaults to a stand-in Node service."""

    def __init__(self, app: Any | None = None) -> None:
        super().__init__(app or NodeServiceApp())
