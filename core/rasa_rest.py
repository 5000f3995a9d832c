"""The one client of the dialogue server's REST channel (Telegram bot, kiosk and web chat).

Rasa's answer is parsed here, once, into typed messages (``BotMessage``); the channels read
their fields and never the JSON. The error mapping tells a channel whether a failed request may
have reached Rasa (``RasaUnavailable.maybe_delivered``), which the bot needs to never send a
message twice; the kiosk and the web chat only catch ``ServiceUnavailable``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import httpx

from core.errors import ServiceUnavailable

logger = logging.getLogger(__name__)

WEBHOOK = "/webhooks/rest/webhook"
CONNECT_TIMEOUT_S = 3.0
"""Rasa runs next to its channels: a connection that takes longer is not coming."""


@dataclass
class Button:
    """A reply button: what the resident sees and what goes back to Rasa."""

    title: str
    """Plain words on the button."""
    payload: str
    """Sent back to Rasa as the message when pressed (``/intent{...}`` or plain text)."""


@dataclass
class BotMessage:
    """One message of a Rasa reply."""

    text: str = ""
    """The text (may be empty for an image-only or custom-only message)."""
    buttons: list[Button] = field(default_factory=list)
    """Buttons to show under the text."""
    expect: str | None = None
    """Kind of answer the next question expects (``custom.expect``), for the recogniser."""
    image: str | None = None
    """Image URL, if Rasa sent one."""
    custom: dict[str, Any] = field(default_factory=dict)
    """The raw ``custom`` payload (case number, access code, the asked slot …)."""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BotMessage:
        """Build from one element of the REST channel's answer."""
        raw_custom = data.get("custom")
        custom: dict[str, Any] = raw_custom if isinstance(raw_custom, dict) else {}
        buttons = [
            Button(title=str(b.get("title", "")), payload=str(b.get("payload", b.get("title", ""))))
            for b in data.get("buttons") or []
            if isinstance(b, dict) and (b.get("title") or b.get("payload"))
        ]
        expect = custom.get("expect")
        text = data.get("text") or (
            custom.get("text") if isinstance(custom.get("text"), str) else ""
        )
        image = data.get("image")
        return cls(
            text=str(text or ""),
            buttons=buttons,
            expect=str(expect) if expect else None,
            image=image if isinstance(image, str) else None,
            custom=custom,
        )


def messages_of(data: list[Any]) -> list[BotMessage]:
    """The messages of a REST channel answer (its elements that are not objects are skipped)."""
    return [BotMessage.from_dict(m) for m in data if isinstance(m, dict)]


NOT_SEEN: list[BotMessage] = []
"""Sentinel of ``RasaClient.replies_to``: Rasa never got the message (compare with ``is``)."""


class RasaUnavailable(ServiceUnavailable):
    """Rasa did not answer; ``maybe_delivered`` tells whether it may have seen the message."""

    def __init__(self, detail: str, *, maybe_delivered: bool) -> None:
        """Remember whether the request may have reached Rasa (then a blind retry could double)."""
        super().__init__(detail)
        self.maybe_delivered = maybe_delivered


class RasaClient:
    """Talks to Rasa's REST webhook and (for de-duplication) its tracker API."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float = 30.0,
        token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        """Use ``client`` if given, else create one (over ``transport`` in tests) on first use;
        ``token`` is Rasa's HTTP API token, needed to read a tracker (not to send)."""
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.token = token
        self._transport = transport
        self._client = client

    @property
    def client(self) -> httpx.AsyncClient:
        """The shared HTTP client."""
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(
                    self.timeout_s, connect=min(CONNECT_TIMEOUT_S, self.timeout_s)
                ),
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
                transport=self._transport,
            )
        return self._client

    async def aclose(self) -> None:
        """Close the HTTP client."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def send(
        self, sender: str, text: str, metadata: dict[str, Any] | None = None
    ) -> list[BotMessage]:
        """Send one resident message and return Rasa's reply messages.

        Raises:
            RasaUnavailable: Rasa could not be reached, timed out or answered with an error.
        """
        try:
            return await self._send(sender, text, metadata)
        except RasaUnavailable as exc:
            logger.warning("Dialogue server did not answer: %s", exc)
            raise

    async def _send(
        self, sender: str, text: str, metadata: dict[str, Any] | None
    ) -> list[BotMessage]:
        body: dict[str, Any] = {"sender": sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        try:
            response = await self.client.post(f"{self.base_url}{WEBHOOK}", json=body)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # The request never left: safe to retry later.
            raise RasaUnavailable(
                f"cannot connect to Rasa: {exc!r}", maybe_delivered=False
            ) from exc
        except httpx.HTTPError as exc:
            # Sent (or partly sent) and no answer: Rasa may have processed it.
            raise RasaUnavailable(f"no answer from Rasa: {exc!r}", maybe_delivered=True) from exc
        if response.status_code >= 500:
            raise RasaUnavailable(f"Rasa answered {response.status_code}", maybe_delivered=True)
        if response.status_code >= 400:
            raise RasaUnavailable(f"Rasa refused: {response.status_code}", maybe_delivered=False)
        try:
            data = response.json()
        except ValueError as exc:
            raise RasaUnavailable("Rasa answered no JSON", maybe_delivered=True) from exc
        if not isinstance(data, list):
            raise RasaUnavailable("unexpected reply from Rasa", maybe_delivered=True)
        return messages_of(data)

    async def has_message(self, sender: str, message_id: str) -> bool | None:
        """Whether Rasa's tracker holds a user message with this ``metadata.message_id``.

        Returns None when the tracker cannot be read (the caller must not guess).
        """
        replies = await self.replies_to(sender, message_id)
        return None if replies is None else replies is not NOT_SEEN

    async def replies_to(self, sender: str, message_id: str) -> list[BotMessage] | None:
        """What the bot said after the user message with this ``metadata.message_id``.

        Returns ``NOT_SEEN`` when Rasa never got that message, None when the tracker cannot be
        read (the caller must not guess), else the bot's messages (possibly empty).
        """
        params = {"include_events": "ALL"}
        if self.token:
            params["token"] = self.token
        try:
            response = await self.client.get(
                f"{self.base_url}/conversations/{sender}/tracker", params=params
            )
        except httpx.HTTPError as exc:
            logger.info("Rasa tracker not readable: %r", exc)
            return None
        if response.status_code != 200:
            logger.info("Rasa tracker answered %s", response.status_code)
            return None
        replies: list[BotMessage] | None = None
        for event in response.json().get("events") or []:
            kind = event.get("event")
            if kind == "user":
                if replies is not None:
                    break
                meta = event.get("metadata") or {}
                if meta.get("message_id") == message_id:
                    replies = []
            elif kind == "bot" and replies is not None:
                data = event.get("data") or {}
                replies.append(
                    BotMessage.from_dict(
                        {
                            "text": event.get("text"),
                            "buttons": data.get("buttons"),
                            "custom": data.get("custom"),
                            "image": data.get("image"),
                        }
                    )
                )
        return NOT_SEEN if replies is None else replies
