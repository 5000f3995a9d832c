"""Client of the dialogue server's REST channel (the hub's kiosk and web chat share it)."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from core.errors import ServiceUnavailable

logger = logging.getLogger(__name__)


class RasaClient:
    """Posts resident messages to ``<rasa_url>/webhooks/rest/webhook``."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """Create the HTTP client (closed by ``aclose``)."""
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), timeout=timeout_s, transport=transport
        )

    async def send(self, sender: str, message: str) -> list[dict[str, Any]]:
        """Send one message; returns the bot's messages.

        Raises:
            ServiceUnavailable: The dialogue server did not answer properly.
        """
        try:
            resp = await self._client.post(
                "/webhooks/rest/webhook", json={"sender": sender, "message": message}
            )
            resp.raise_for_status()
            data = resp.json()
        except (httpx.HTTPError, ValueError) as exc:
            logger.warning("Dialogue server did not answer: %s", exc)
            raise ServiceUnavailable("dialogue server unavailable") from exc
        if not isinstance(data, list):
            raise ServiceUnavailable("unexpected reply from the dialogue server")
        return [m for m in data if isinstance(m, dict)]

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()
