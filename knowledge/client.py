"""Typed async client of the knowledge-base API, for the actions server and the bot."""

from __future__ import annotations

import logging
from typing import Protocol

import httpx

from core.contracts import FaqHit
from core.errors import ServiceUnavailable
from core.hub_http import HubHttpClient
from knowledge.schemas import AskResponse, SearchResponse

logger = logging.getLogger(__name__)


class KnowledgeApi(Protocol):
    """What callers need; fakes in tests implement this."""

    async def ask(
        self, question: str, channel: str = "rest", sender_id: str | None = None
    ) -> AskResponse:
        """Answer when confident, otherwise suggestions (the hub logs the question)."""
        ...

    async def search(self, q: str, k: int = 5) -> SearchResponse:
        """Ranked hits without logging."""
        ...


class KnowledgeClient(HubHttpClient):
    """``KnowledgeApi`` over HTTP (the shared hub plumbing: base URL, token, timeout, transport).

    Raises :class:`core.errors.ServiceUnavailable` on connection errors, timeouts and 5xx;
    :class:`httpx.HTTPStatusError` on other error statuses (a bug in the caller).
    """

    async def _request(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        try:
            response = await self._http.request(method, url, **kwargs)  # type: ignore[arg-type]
        except httpx.TransportError as exc:
            raise ServiceUnavailable(f"knowledge base unreachable: {exc!r}") from exc
        if response.status_code >= 500:
            raise ServiceUnavailable(f"knowledge base error {response.status_code}")
        response.raise_for_status()
        return response

    async def ask(
        self, question: str, channel: str = "rest", sender_id: str | None = None
    ) -> AskResponse:
        """``POST /api/kb/ask``."""
        response = await self._request(
            "POST",
            "/api/kb/ask",
            json={"question": question, "channel": channel, "sender_id": sender_id},
        )
        return AskResponse.model_validate(response.json())

    async def search(self, q: str, k: int = 5) -> SearchResponse:
        """``GET /api/kb/search``."""
        response = await self._request("GET", "/api/kb/search", params={"q": q, "k": k})
        return SearchResponse.model_validate(response.json())


__all__ = ["AskResponse", "FaqHit", "KnowledgeApi", "KnowledgeClient", "SearchResponse"]
