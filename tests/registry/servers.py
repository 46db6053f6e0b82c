"""Real uvicorn servers on 127.0.0.1 for the registry to probe and to deliver webhooks to."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Any

import uvicorn
from starlette.types import Receive, Scope, Send

__all__ = ["LiveServer", "free_port"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


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


class LiveServer:
    """Starts, stops and restarts on the same port, in the test's event loop."""

    def __init__(self, app: Any | None = None) -> None:
        self.app = app or NodeServiceApp()
        self.port = free_port()
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="auto"
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        for _ in range(200):
            if self._server.started:
                return
            await asyncio.sleep(0.01)
        raise RuntimeError("the test server did not start")

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._server = None
        self._task = None
