"""The HTTP plumbing every typed client of a hub part shares: base URL, service token, timeout,
an injectable transport (tests), and closing the connection pool."""

from __future__ import annotations

from types import TracebackType
from typing import Self

import httpx


class HubHttpClient:
    """Base of the hub parts' typed clients (``cases.client.CaseClient``,
    ``deliberation.client.DeliberationClient``): they add the endpoints, this owns the pool.

    Args:
        base_url: The hub, e.g. ``http://127.0.0.1:8000``.
        token: The internal service token (``LINLI_SERVICE_TOKEN``).
        timeout: Seconds per request.
        transport: Optional httpx transport (tests).
    """

    def __init__(
        self,
        base_url: str,
        token: str | None,
        timeout: float = 10.0,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout, transport=transport
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()
