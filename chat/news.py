"""News for a web-chat resident: messages the hub's parts keep for them (their case being
handled or done, with 解决了 / 部分解决 / 没解决 to answer; a proposal approved or declined, a
poll's outcome, progress of a decision), handed over with their next reply.

A browser cannot be reached between its requests, so the chat collects what waits for its
resident (``web:<hash>``) each time it talks and acknowledges it once it is in the reply. The
messages come through each part's HTTP API (the case system's and the deliberation part's
outbox, service token), called in process through the hub app itself: no part reads another's
tables.
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
    """Waiting messages for one resident, from each part's outbox in turn."""

    def __init__(self, *clients) -> None:  # type: ignore[no-untyped-def]
        """``clients``: outbox clients with ``fetch_outbox(channel, recipient=, limit=)`` and
        ``ack_outbox(ids, channel=)`` (``cases.client.CaseClient``,
        ``deliberation.client.DeliberationClient``, or fakes with their API)."""
        self._clients = clients

    async def collect(self, sender: str) -> list[str]:
        """The resident's waiting messages, oldest first per part, acknowledged; a part that
        cannot be asked gives none (the chat answers regardless, and its messages wait)."""
        recipient = sender.removeprefix(CHANNEL + ":")  # outboxes name the resident without it
        news: list[str] = []
        for client in self._clients:
            room = MAX_NEWS - len(news)
            if room <= 0:
                break
            try:
                waiting = await client.fetch_outbox(CHANNEL, recipient=recipient, limit=room)
                if not waiting:
                    continue
                await client.ack_outbox([m.id for m in waiting], channel=CHANNEL)
            except LinliError as exc:
                logger.warning("Web chat: news not collected (%s)", type(exc).__name__)
                continue
            news += [NEWS_PREFIX + m.text for m in waiting]
        return news

    async def aclose(self) -> None:
        """Close the clients' connections."""
        for client in self._clients:
            await client.aclose()
