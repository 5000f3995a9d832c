"""Async client for Rasa's REST channel, plus the health checks the outage handling needs."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from core.errors import ServiceUnavailable

logger = logging.getLogger(__name__)


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
    """The raw ``custom`` payload."""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BotMessage:
        """Build from one element of the REST channel's answer."""
        custom = data.get("custom") if isinstance(data.get("custom"), dict) else {}
        buttons = [
            Button(title=str(b.get("title", "")), payload=str(b.get("payload", b.get("title", ""))))
            for b in data.get("buttons") or []
            if isinstance(b, dict) and (b.get("title") or b.get("payload"))
        ]
        expect = custom.get("expect")
        text = data.get("text") or (
            custom.get("text") if isinstance(custom.get("text"), str) else ""
        )
        return cls(
            text=str(text or ""),
            buttons=buttons,
            expect=str(expect) if expect else None,
            image=data.get("image"),
            custom=custom,
        )


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
        client: httpx.AsyncClient | None = None,
    ) -> None:
        """Use ``client`` if given (tests), else create one on first use."""
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.token = token
        self._client = client

    @property
    def client(self) -> httpx.AsyncClient:
        """The shared HTTP client."""
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout_s, connect=3.0),
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
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
        body: dict[str, Any] = {"sender": sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        url = f"{self.base_url}/webhooks/rest/webhook"
        try:
            response = await self.client.post(url, json=body)
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
        return [BotMessage.from_dict(m) for m in data if isinstance(m, dict)]

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


@dataclass
class Health:
    """Which backend services answered their health check."""

    rasa: bool
    actions: bool
    hub: bool

    @property
    def ok(self) -> bool:
        """True when all three are up."""
        return self.rasa and self.actions and self.hub


class HealthChecker:
    """Asks Rasa (``/``), the action server (``/health``) and the hub (``/healthz``)."""

    def __init__(
        self,
        rasa_url: str,
        actions_url: str,
        hub_url: str,
        *,
        timeout_s: float = 2.0,
        cache_s: float = 1.0,
    ) -> None:
        """Remember the base URLs; a healthy answer is reused for ``cache_s`` seconds."""
        self.cache_s = cache_s
        self._healthy_until = 0.0
        self._checking: asyncio.Task[Health] | None = None
        self.urls = {
            "rasa": rasa_url.rstrip("/") + "/",
            "actions": actions_url.rstrip("/") + "/health",
            "hub": hub_url.rstrip("/") + "/healthz",
        }
        self._client = httpx.AsyncClient(timeout=timeout_s)

    async def _up(self, url: str) -> bool:
        try:
            response = await self._client.get(url)
        except httpx.HTTPError:
            return False
        return response.status_code < 500

    async def check(self, *, fresh: bool = False) -> Health:
        """Check the three services (a recent healthy answer is reused unless ``fresh``)."""
        if not fresh and time.monotonic() < self._healthy_until:
            return Health(rasa=True, actions=True, hub=True)
        if self._checking is None or self._checking.done():
            self._checking = asyncio.ensure_future(self._check())
        return await asyncio.shield(self._checking)

    async def _check(self) -> Health:
        rasa, actions, hub = await asyncio.gather(*(self._up(u) for u in self.urls.values()))
        health = Health(rasa=rasa, actions=actions, hub=hub)
        if health.ok:
            self._healthy_until = time.monotonic() + self.cache_s
        else:
            self._healthy_until = 0.0
            logger.warning("Backend down: rasa=%s actions=%s hub=%s", rasa, actions, hub)
        return health

    def invalidate(self) -> None:
        """Forget the cached healthy answer (after a failure)."""
        self._healthy_until = 0.0

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()
