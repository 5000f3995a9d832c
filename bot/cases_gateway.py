"""What the bot needs from the case system: the case client plus photo/location attachments,
the community's buildings and its notices."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from cases.client import CaseClient, ConfirmResult, OutboxItem
from core.contracts import CasePublic, NoticeFeedItem
from core.errors import InvalidInput, ServiceUnavailable

logger = logging.getLogger(__name__)

ATTACHMENT_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
"""Photo types the bot forwards to the case system."""


class CaseGateway(Protocol):
    """The case-system calls the bot makes (``HubCaseGateway``, or a fake in unit tests)."""

    async def list_cases_for_sender(self, sender_id: str, limit: int = 5) -> list[CasePublic]:
        """A resident's own cases, newest first."""
        ...

    async def get_case(self, case_no: str) -> CasePublic | None:
        """A case by number, or None."""
        ...

    async def confirm(
        self, case_no: str, sender_id: str, rating: str, comment: str | None = None
    ) -> ConfirmResult:
        """Record 解决了 / 部分解决 / 没解决 (``resolved|partial|unresolved``)."""
        ...

    async def fetch_outbox(
        self, channel: str, after: int = 0, limit: int = 100
    ) -> list[OutboxItem]:
        """Undelivered messages of a channel."""
        ...

    async def ack_outbox(self, ids: list[int], channel: str | None = None) -> int:
        """Mark messages delivered."""
        ...

    async def add_attachment(
        self,
        case_no: str,
        sender_id: str,
        *,
        kind: str,
        data: bytes | None = None,
        content_type: str | None = None,
        filename: str | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
    ) -> None:
        """Store a photo (``kind="photo"``) or a location (``kind="location"``) with a case."""
        ...

    async def notices_feed(self, after: int = 0, limit: int = 50) -> list[NoticeFeedItem]:
        """Current community notices with id > ``after``, oldest first."""
        ...

    async def buildings(self) -> list[Building]:
        """The community's buildings in number order."""
        ...

    async def notices_for_building(self, building: str) -> set[int]:
        """Ids of the current notices a resident of ``building`` should hear (the hub decides
        what a grid covers)."""
        ...


@dataclass(frozen=True)
class Building:
    """A building of the community: ``code`` as residents say it (``5``), ``name`` (5号楼)."""

    code: str
    name: str


class HubCaseGateway:
    """``cases.client.CaseClient`` plus ``POST /api/cases/{case_no}/attachments`` (multipart)."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        timeout: float = 10.0,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """Connect to the hub with the internal service token."""
        self._cases = CaseClient(base_url, token, timeout, transport=transport)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout, transport=transport
        )

    async def aclose(self) -> None:
        """Close both connection pools."""
        await self._cases.aclose()
        await self._http.aclose()

    async def list_cases_for_sender(self, sender_id: str, limit: int = 5) -> list[CasePublic]:
        """A resident's own cases, newest first."""
        return await self._cases.list_cases_for_sender(sender_id, limit)

    async def get_case(self, case_no: str) -> CasePublic | None:
        """A case by number, or None."""
        return await self._cases.get_case(case_no)

    async def confirm(
        self, case_no: str, sender_id: str, rating: str, comment: str | None = None
    ) -> ConfirmResult:
        """Record the resident's confirmation."""
        return await self._cases.confirm(case_no, sender_id, rating, comment)

    async def fetch_outbox(
        self, channel: str, after: int = 0, limit: int = 100
    ) -> list[OutboxItem]:
        """Undelivered messages of a channel."""
        return await self._cases.fetch_outbox(channel, after, limit)

    async def ack_outbox(self, ids: list[int], channel: str | None = None) -> int:
        """Mark messages delivered."""
        return await self._cases.ack_outbox(ids, channel)

    async def add_attachment(
        self,
        case_no: str,
        sender_id: str,
        *,
        kind: str,
        data: bytes | None = None,
        content_type: str | None = None,
        filename: str | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
    ) -> None:
        """Store a photo or location with a case.

        Raises:
            ServiceUnavailable: The hub is down or has no attachment endpoint yet (keep it).
            InvalidInput: The hub refused the attachment for good (type, size, unknown case).
        """
        fields: dict[str, str] = {"kind": kind, "sender_id": sender_id}
        if latitude is not None and longitude is not None:
            fields["latitude"] = f"{latitude:.6f}"
            fields["longitude"] = f"{longitude:.6f}"
        files = None
        if data is not None:
            files = {"file": (filename or "photo.jpg", data, content_type or "image/jpeg")}
        try:
            response = await self._http.post(
                f"/api/cases/{case_no}/attachments", data=fields, files=files
            )
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(f"hub unreachable: {exc.__class__.__name__}") from exc
        if response.status_code in (404, 405) and "attachments" not in response.text:
            # The route itself is missing (older hub): keep the attachment and retry later.
            raise ServiceUnavailable(f"attachment endpoint missing ({response.status_code})")
        if response.status_code >= 500:
            raise ServiceUnavailable(f"hub error {response.status_code}")
        if response.status_code >= 400:
            raise InvalidInput(f"attachment refused {response.status_code}: {response.text[:200]}")

    async def notices_feed(self, after: int = 0, limit: int = 50) -> list[NoticeFeedItem]:
        """Current community notices with id > ``after``, oldest first (service token)."""
        return await self._cases.notices_feed(after, limit)

    async def buildings(self) -> list[Building]:
        """The community's buildings (``GET /api/resident/buildings``).

        Raises:
            ServiceUnavailable: The hub is down.
        """
        rows = await self._get_json("/api/resident/buildings")
        return [Building(code=str(r["code"]), name=str(r["name"])) for r in rows]

    async def notices_for_building(self, building: str) -> set[int]:
        """Ids of the current notices for a resident of ``building``
        (``GET /api/public/notices?building=``: community-wide, its building, its grid).

        Raises:
            ServiceUnavailable: The hub is down.
        """
        rows = await self._get_json(
            "/api/public/notices", params={"building": building, "limit": 50}
        )
        return {int(r["id"]) for r in rows}

    async def _get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        try:
            response = await self._http.get(path, params=params)
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(f"hub unreachable: {exc.__class__.__name__}") from exc
        if response.status_code != 200:
            raise ServiceUnavailable(f"hub answered {response.status_code} for {path}")
        return response.json()
