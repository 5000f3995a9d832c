"""Typed async client of the deliberation API, for the action server, the bot and the kiosk.

Channels never touch the deliberation tables: they go through ``DeliberationClient`` (service
token). Every refusal of the hub (unknown or closed poll, wrong phone digits, empty proposal)
comes back as :class:`DeliberationClientError` whose ``detail`` is the short Chinese sentence to
say to the resident.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from pydantic import TypeAdapter

from core.errors import LinliError, ServiceUnavailable
from core.hub_http import HubHttpClient
from deliberation.schemas import (
    DecisionOut,
    OutboxOut,
    PollOut,
    ProposalIn,
    ProposalReceipt,
    ResidentProposalOut,
    VoteIn,
    VoteReceipt,
)

logger = logging.getLogger(__name__)

_POLLS = TypeAdapter(list[PollOut])
_OUTBOX = TypeAdapter(list[OutboxOut])
_DECISIONS = TypeAdapter(list[DecisionOut])


class DeliberationClientError(LinliError):
    """The hub refused (4xx); ``detail`` is its Chinese message, ``status_code`` says why:
    404 unknown, 409 not possible now (closed, not yet open, out of scope), 422 bad input
    (empty, too long, wrong digits, no such option or household), 429 too many tries."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(f"{status_code}: {detail}")
        self.status_code = status_code
        self.detail = detail


class DeliberationClient(HubHttpClient):
    """HTTP client of the hub's deliberation API (connection handling: :class:`HubHttpClient`)."""

    async def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            logger.warning("Hub unreachable for %s %s: %s", method, url, type(exc).__name__)
            raise ServiceUnavailable(f"hub unreachable: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise ServiceUnavailable(f"hub error {response.status_code}")
        if response.status_code >= 400:
            try:
                detail = str(response.json().get("detail", ""))
            except ValueError:
                detail = response.text[:200]
            raise DeliberationClientError(response.status_code, detail)
        return response

    async def submit_proposal(self, proposal: ProposalIn) -> ProposalReceipt:
        """Submit a resident's proposal (idempotent by ``idempotency_key``)."""
        response = await self._request(
            "POST", "/api/deliberation/proposals", json=proposal.model_dump(mode="json")
        )
        return ProposalReceipt.model_validate_json(response.content)

    async def my_proposal(self, number: int, resident_key: str) -> ResidentProposalOut | None:
        """The resident's own proposal, or None."""
        try:
            response = await self._request(
                "GET",
                f"/api/deliberation/proposals/{number}/mine",
                params={"resident_key": resident_key},
            )
        except DeliberationClientError as exc:
            if exc.status_code in (404, 422):
                return None
            raise
        return ResidentProposalOut.model_validate_json(response.content)

    async def open_polls(self, building: str | None = None) -> list[PollOut]:
        """Polls accepting votes now (only those covering ``building`` when given)."""
        params: dict[str, str] = {"open": "true"}
        if building:
            params["building"] = building
        response = await self._request("GET", "/api/deliberation/polls", params=params)
        return _POLLS.validate_json(response.content)

    async def polls(self) -> list[PollOut]:
        """Every poll with its tally and turnout, newest first (what was decided)."""
        response = await self._request("GET", "/api/deliberation/polls")
        return _POLLS.validate_json(response.content)

    async def get_poll(self, number: int) -> PollOut | None:
        """A poll with its tally, or None."""
        try:
            response = await self._request("GET", f"/api/deliberation/polls/{number}")
        except DeliberationClientError as exc:
            if exc.status_code in (404, 422):
                return None
            raise
        return PollOut.model_validate_json(response.content)

    async def vote(self, number: int, vote: VoteIn) -> VoteReceipt:
        """Cast (or replace) a household's vote; refusals raise with the Chinese detail."""
        response = await self._request(
            "POST", f"/api/deliberation/polls/{number}/votes", json=vote.model_dump(mode="json")
        )
        return VoteReceipt.model_validate_json(response.content)

    async def decisions(self) -> list[DecisionOut]:
        """Decisions and their progress, newest first."""
        response = await self._request("GET", "/api/deliberation/decisions")
        return _DECISIONS.validate_json(response.content)

    async def fetch_outbox(
        self, channel: str, after: int = 0, limit: int = 100, recipient: str | None = None
    ) -> list[OutboxOut]:
        """Undelivered messages of a channel with id > ``after``, oldest first (only one
        resident's when ``recipient`` is given)."""
        params: dict[str, str | int] = {"channel": channel, "after": after, "limit": limit}
        if recipient is not None:
            params["recipient"] = recipient
        response = await self._request("GET", "/api/deliberation/outbox", params=params)
        return _OUTBOX.validate_json(response.content)

    async def ack_outbox(self, ids: list[int], channel: str | None = None) -> int:
        """Mark messages delivered; returns how many were newly marked."""
        response = await self._request(
            "POST", "/api/deliberation/outbox/ack", json={"ids": ids, "channel": channel}
        )
        return int(response.json()["acked"])
