"""A scripted stand-in for Rasa + action server + hub health (bot unit tests and benchmarks).

Serves Rasa's ``GET /``, ``POST /webhooks/rest/webhook`` and ``GET /conversations/{id}/tracker``,
the action server's ``GET /health`` and the hub's ``GET /healthz``; each can be switched down.
The real counterpart is the live stack in ``tests/e2e/telegram``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from harness.fakes.threaded_server import ThreadedServer

Script = Callable[[str, str, dict[str, Any]], list[dict[str, Any]]]


def echo_script(sender: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
    """Default script: echo the message."""
    return [{"recipient_id": sender, "text": f"收到：{message}"}]


class FakeBackend:
    """Scripted Rasa REST channel plus health endpoints, in a background thread."""

    def __init__(self, script: Script = echo_script) -> None:
        """Start with every service up."""
        self.script = script
        self.rasa_up = True
        self.actions_up = True
        self.hub_up = True
        self.webhook_status = 200
        """Status the webhook answers with (500 simulates a Rasa error)."""
        self.delay_s = 0.0
        """Delay before answering the webhook (timeouts, benchmarks)."""
        self.received: list[tuple[str, str, dict[str, Any]]] = []
        self.events: dict[str, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        routes = [
            Route("/", self._root),
            Route("/webhooks/rest/webhook", self._webhook, methods=["POST"]),
            Route("/conversations/{sender}/tracker", self._tracker),
            Route("/health", self._actions_health),
            Route("/healthz", self._hub_health),
        ]
        self._server = ThreadedServer(Starlette(routes=routes))

    def start(self) -> FakeBackend:
        """Serve on a free loopback port."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.stop()

    @property
    def url(self) -> str:
        """Base URL (Rasa, actions and hub all live here)."""
        return self._server.url

    def messages(self, sender: str | None = None) -> list[str]:
        """Messages Rasa received, optionally for one sender."""
        with self._lock:
            return [m for s, m, _ in self.received if sender is None or s == sender]

    async def _root(self, request: Request) -> Response:
        if not self.rasa_up:
            return Response(status_code=503)
        return PlainTextResponse("Hello from Rasa: 3.6.21")

    async def _actions_health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"}, 200 if self.actions_up else 503)

    async def _hub_health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"}, 200 if self.hub_up else 503)

    async def _webhook(self, request: Request) -> Response:
        import asyncio

        body = await request.json()
        sender, message = body["sender"], body["message"]
        metadata = body.get("metadata") or {}
        with self._lock:
            self.received.append((sender, message, metadata))
            self.events.setdefault(sender, []).append(
                {"event": "user", "text": message, "metadata": metadata, "timestamp": time.time()}
            )
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        replies = self.script(sender, message, metadata)
        with self._lock:
            for reply in replies:
                data = {k: v for k, v in reply.items() if k in ("buttons", "custom", "image")}
                self.events[sender].append(
                    {
                        "event": "bot",
                        "text": reply.get("text"),
                        "data": data,
                        "timestamp": time.time(),
                    }
                )
        if self.webhook_status != 200:
            # processed, but the answer is lost on the way back (what a retry must not double)
            return JSONResponse({"error": "boom"}, self.webhook_status)
        return JSONResponse(replies)

    async def _tracker(self, request: Request) -> Response:
        sender = request.path_params["sender"]
        with self._lock:
            events = list(self.events.get(sender, []))
        return JSONResponse({"sender_id": sender, "events": events})
