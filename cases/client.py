"""Typed async client of the case system, for the actions server, the bot and the kiosk.

Channels never touch the case tables: they go through ``CaseClient`` (or a fake implementing
``CaseClientProtocol`` in unit tests).

Why this module is about 400 lines: it is one contract, written once for both sides of it: the
protocol every channel types against, the reply models, and the HTTP client, one short method per
endpoint the channels use. Splitting the protocol from the client would put the contract in two
places again (issue 15).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import httpx
from pydantic import BaseModel, TypeAdapter

from core.contracts import (
    CaseCreate,
    CaseDetails,
    CasePublic,
    CategoryInfo,
    ConfirmResult,
    Location,
    NoticeFeedItem,
    OutboxItem,
    ServiceInfo,
)
from core.errors import InvalidInput, LinliError, ServiceUnavailable
from core.hub_http import HubHttpClient

logger = logging.getLogger(__name__)


class HistoryEntry(BaseModel):
    """One line of a case's plain-Chinese history."""

    at: str
    text: str
    status: str | None = None
    status_label: str | None = None


class ResidentView(BaseModel):
    """A case as its resident may see it: the case (phone masked) and its plain history."""

    case: CasePublic
    history: list[HistoryEntry] = []


@dataclass(frozen=True)
class Building:
    """A building of the community: ``code`` as residents say it (``5``), ``name`` (5号楼)."""

    code: str
    name: str


@runtime_checkable
class CaseClientProtocol(Protocol):
    """What channels need from the case system."""

    async def create_case(self, case: CaseCreate) -> CasePublic:
        """Create a case (idempotent by ``idempotency_key``)."""
        ...

    async def get_case(self, case_no: str) -> CasePublic | None:
        """A case by number, or None."""
        ...

    async def find_case(
        self, last4: str, *, phone_tail: str | None = None, sender_id: str | None = None
    ) -> CasePublic | None:
        """A case by the last 4 digits plus phone tail or sender, or None."""
        ...

    async def list_cases_for_sender(self, sender_id: str, limit: int = 5) -> list[CasePublic]:
        """A resident's own cases, newest first."""
        ...

    async def resident_lookup(
        self, number: str, phone_tail: str, *, sender_id: str
    ) -> ResidentView | None:
        """A case reported anywhere, by number (or last 4) + the reporting phone's last 4.

        None when nothing matches; ``CaseClientError`` 429 after too many misses."""
        ...

    async def get_history(self, case_no: str) -> list[HistoryEntry]:
        """The plain-Chinese history of a case."""
        ...

    async def confirm(
        self, case_no: str, sender_id: str, rating: str, comment: str | None = None
    ) -> ConfirmResult:
        """Record the resident's 解决了 / 部分解决 / 没解决 (``resolved|partial|unresolved``)."""
        ...

    async def add_details(
        self,
        case_no: str,
        sender_id: str,
        *,
        location: Location | None = None,
        contact_phone: str | None = None,
    ) -> CasePublic:
        """Add a location and/or a phone to the resident's own case (staff are alerted)."""
        ...

    async def list_services(self) -> list[ServiceInfo]:
        """The service catalogue."""
        ...

    async def get_service(self, code: str) -> ServiceInfo | None:
        """One service, or None."""
        ...

    async def list_categories(self) -> list[CategoryInfo]:
        """The report categories."""
        ...

    async def fetch_outbox(
        self, channel: str, after: int = 0, limit: int = 100, recipient: str | None = None
    ) -> list[OutboxItem]:
        """Undelivered messages of a channel (one resident's, with ``recipient``)."""
        ...

    async def ack_outbox(self, ids: list[int], channel: str | None = None) -> int:
        """Mark messages delivered."""
        ...


class CaseClientError(LinliError):
    """The hub refused a request (4xx other than 404); ``detail`` is its Chinese message."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(f"{status_code}: {detail}")
        self.status_code = status_code
        self.detail = detail


_CASES = TypeAdapter(list[CasePublic])
_SERVICES = TypeAdapter(list[ServiceInfo])
_CATEGORIES = TypeAdapter(list[CategoryInfo])
_HISTORY = TypeAdapter(list[HistoryEntry])
_OUTBOX = TypeAdapter(list[OutboxItem])
_NOTICES = TypeAdapter(list[NoticeFeedItem])


class CaseClient(HubHttpClient):
    """HTTP client of the hub's case API (connection handling: :class:`HubHttpClient`)."""

    async def _request(
        self, method: str, url: str, *, allow_404: bool = False, **kwargs: Any
    ) -> httpx.Response | None:
        try:
            response = await self._http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            logger.warning("Hub unreachable for %s %s: %s", method, url, exc.__class__.__name__)
            raise ServiceUnavailable(f"hub unreachable: {exc.__class__.__name__}") from exc
        if response.status_code == 404 and allow_404:
            return None
        if response.status_code >= 500:
            raise ServiceUnavailable(f"hub error {response.status_code}: {_detail(response)}")
        if response.status_code == 422:
            raise InvalidInput(_detail(response))
        if response.status_code >= 400:
            raise CaseClientError(response.status_code, _detail(response))
        return response

    async def create_case(self, case: CaseCreate) -> CasePublic:
        """Create a case (idempotent by ``idempotency_key``)."""
        response = await self._request("POST", "/api/cases", json=case.model_dump(mode="json"))
        assert response is not None
        return CasePublic.model_validate_json(response.content)

    async def get_case(self, case_no: str) -> CasePublic | None:
        """A case by number, or None when there is none."""
        response = await self._request("GET", f"/api/cases/{case_no}", allow_404=True)
        return None if response is None else CasePublic.model_validate_json(response.content)

    async def find_case(
        self, last4: str, *, phone_tail: str | None = None, sender_id: str | None = None
    ) -> CasePublic | None:
        """A case by the last 4 digits of its number plus phone tail or sender, or None."""
        params = {"last4": last4}
        if phone_tail:
            params["phone_tail"] = phone_tail
        if sender_id:
            params["sender_id"] = sender_id
        response = await self._request("GET", "/api/cases/lookup", params=params, allow_404=True)
        return None if response is None else CasePublic.model_validate_json(response.content)

    async def list_cases_for_sender(self, sender_id: str, limit: int = 5) -> list[CasePublic]:
        """A resident's own cases, newest first."""
        response = await self._request(
            "GET", "/api/cases", params={"sender_id": sender_id, "limit": limit}
        )
        assert response is not None
        return _CASES.validate_json(response.content)

    async def resident_lookup(
        self, number: str, phone_tail: str, *, sender_id: str
    ) -> ResidentView | None:
        """A case reported from any channel, found by its number (full or last 4 digits) plus
        the last 4 digits of the phone that reported it, as the resident may see it.

        The hub limits misses per sender and per channel, and lets this sender confirm the
        case it found (解决了 / 部分解决 / 没解决 through ``confirm``).

        Returns:
            The resident's view, or None when nothing matches (never says which part was wrong).

        Raises:
            CaseClientError: 429 when this sender (or channel) has missed too often.
        """
        response = await self._request(
            "POST",
            "/api/resident/lookup",
            json={"number": number, "phone_tail": phone_tail, "sender_id": sender_id},
            allow_404=True,
        )
        return None if response is None else ResidentView.model_validate_json(response.content)

    async def get_history(self, case_no: str) -> list[HistoryEntry]:
        """The plain-Chinese history of a case (empty when the case does not exist)."""
        response = await self._request("GET", f"/api/cases/{case_no}/history", allow_404=True)
        return [] if response is None else _HISTORY.validate_json(response.content)

    async def confirm(
        self, case_no: str, sender_id: str, rating: str, comment: str | None = None
    ) -> ConfirmResult:
        """Record the resident's confirmation: ``resolved``, ``partial`` or ``unresolved``."""
        response = await self._request(
            "POST",
            f"/api/cases/{case_no}/confirm",
            json={"sender_id": sender_id, "rating": rating, "comment": comment},
        )
        assert response is not None
        return ConfirmResult.model_validate_json(response.content)

    async def add_details(
        self,
        case_no: str,
        sender_id: str,
        *,
        location: Location | None = None,
        contact_phone: str | None = None,
    ) -> CasePublic:
        """Add a location and/or a phone to the resident's own case; staff are alerted at once.

        Raises:
            CaseClientError: 403 not this sender's case, 404 no such case, 409 case closed.
        """
        body = CaseDetails(sender_id=sender_id, location=location, contact_phone=contact_phone)
        response = await self._request(
            "POST", f"/api/cases/{case_no}/details", json=body.model_dump(mode="json")
        )
        assert response is not None
        return CasePublic.model_validate_json(response.content)

    async def list_services(self) -> list[ServiceInfo]:
        """The service catalogue."""
        response = await self._request("GET", "/api/services")
        assert response is not None
        return _SERVICES.validate_json(response.content)

    async def get_service(self, code: str) -> ServiceInfo | None:
        """One service, or None."""
        response = await self._request("GET", f"/api/services/{code}", allow_404=True)
        return None if response is None else ServiceInfo.model_validate_json(response.content)

    async def list_categories(self) -> list[CategoryInfo]:
        """The report categories."""
        response = await self._request("GET", "/api/categories")
        assert response is not None
        return _CATEGORIES.validate_json(response.content)

    async def fetch_outbox(
        self, channel: str, after: int = 0, limit: int = 100, recipient: str | None = None
    ) -> list[OutboxItem]:
        """Undelivered messages of a channel with id > ``after``, oldest first (only one
        resident's when ``recipient`` is given)."""
        params: dict[str, str | int] = {"channel": channel, "after": after, "limit": limit}
        if recipient is not None:
            params["recipient"] = recipient
        response = await self._request("GET", "/api/outbox", params=params)
        assert response is not None
        return _OUTBOX.validate_json(response.content)

    async def ack_outbox(self, ids: list[int], channel: str | None = None) -> int:
        """Mark messages delivered; returns how many were newly marked."""
        response = await self._request(
            "POST", "/api/outbox/ack", json={"ids": ids, "channel": channel}
        )
        assert response is not None
        return int(response.json()["acked"])

    async def notices_feed(self, after: int = 0, limit: int = 50) -> list[NoticeFeedItem]:
        """Active, unended community notices with id > ``after``, oldest first, each with its
        scope (``community`` / ``grids`` / ``buildings`` and the codes) for the channel to
        push to the residents inside it; keep the last id seen and pass it as ``after``."""
        response = await self._request(
            "GET", "/api/notices/feed", params={"after": after, "limit": limit}
        )
        assert response is not None
        return _NOTICES.validate_json(response.content)

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
        """Store a photo (``kind="photo"``) or a location (``kind="location"``) with the
        resident's own case (``POST /api/cases/{case_no}/attachments``, multipart).

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

    async def buildings(self) -> list[Building]:
        """The community's buildings in number order (``GET /api/resident/buildings``).

        Raises:
            ServiceUnavailable: The hub is down (or answered anything but 200).
        """
        rows = await self._get_json("/api/resident/buildings")
        return [Building(code=str(r["code"]), name=str(r["name"])) for r in rows]

    async def notices_for_building(self, building: str) -> set[int]:
        """Ids of the current notices a resident of ``building`` should hear
        (``GET /api/public/notices?building=``: community-wide, its building, its grid; the hub
        decides what a grid covers).

        Raises:
            ServiceUnavailable: The hub is down (or answered anything but 200).
        """
        rows = await self._get_json(
            "/api/public/notices", params={"building": building, "limit": 50}
        )
        return {int(r["id"]) for r in rows}

    async def _get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET a JSON body; anything but 200 is ``ServiceUnavailable``."""
        try:
            response = await self._http.get(path, params=params)
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(f"hub unreachable: {exc.__class__.__name__}") from exc
        if response.status_code != 200:
            raise ServiceUnavailable(f"hub answered {response.status_code} for {path}")
        return response.json()


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict) and "detail" in body:
        return str(body["detail"])
    return str(body)[:200]
