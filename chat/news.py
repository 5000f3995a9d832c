"""News for a web-chat resident: messages the hub's parts keep for them (a proposal approved or
declined, a poll's outcome, progress of a decision), handed over with their next reply.

A browser cannot be reached between its requests, so the chat collects what waits for its
resident (``web:<hash>``) each time it talks and acknowledges it once it is in the reply. The
messages come through the deliberation part's HTTP API (its outbox, service token), called in
process through the hub app itself: no part reads another's tables.
"""

from __future__ import annotations

import logging

from core.errors import LinliError

logger = logging.getLogger(__name__)

CHANNEL = "web"
NEWS_PREFIX = "新消息："
MAX_NEWS = 5
"""At most this many waiting messages per reply (the rest come with the next one)."""


class NewsSource:
    """Waiting messages for one resident, from the deliberation outbox."""

    def __init__(self, client) -> None:  # type: ignore[no-untyped-def]
        """``client``: a ``deliberation.client.DeliberationClient`` (or a fake with its API)."""
        self._client = client

    async def collect(self, sender: str) -> list[str]:
        """The resident's waiting messages, oldest first, acknowledged; [] when none or when
        the deliberation part cannot be asked (the chat answers regardless)."""
        recipient = sender.removeprefix(CHANNEL + ":")  # outboxes name the resident without it
        try:
            waiting = await self._client.fetch_outbox(CHANNEL, recipient=recipient, limit=MAX_NEWS)
            if not waiting:
                return []
            await self._client.ack_outbox([m.id for m in waiting], channel=CHANNEL)
        except LinliError as exc:
            logger.warning("Web chat: news not collected (%s)", type(exc).__name__)
            return []
        return [NEWS_PREFIX + m.text for m in waiting]

    async def aclose(self) -> None:
        """Close the client's connections."""
        await self._client.aclose()
