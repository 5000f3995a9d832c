"""The kiosk's calls to the case system of the same hub (in process, through its HTTP API).

Only the case system touches its tables; the kiosk uses the resident-facing and channel
endpoints like any channel would: the building list, a look-up by number + phone last 4, the
resident's confirmation, and details added to a call-back task.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx
from fastapi import FastAPI

from core.contracts import Location

logger = logging.getLogger(__name__)


class CasesUnavailable(Exception):
    """The case system did not answer as expected (down, busy, refused)."""


class CaseRefused(Exception):
    """The case system refused a resident's action with a message for them (e.g. 已评价过)."""

    def __init__(self, message: str) -> None:
        """Keep the message to show."""
        super().__init__(message)
        self.message = message


@dataclass
class HubCases:
    """Case endpoints of the hub this kiosk runs in, called through ASGI (no network hop)."""

    app: FastAPI
    token: str
    timeout_s: float = 15.0
    _buildings: list[dict] = field(default_factory=list)

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url="http://hub",
            timeout=self.timeout_s,
            headers={"Authorization": f"Bearer {self.token}"},
        )

    async def _call(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        try:
            async with self._client() as client:
                return await client.request(method, path, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            logger.warning("Case system call %s %s failed: %s", method, path, exc)
            raise CasesUnavailable(str(exc)) from exc

    async def buildings(self) -> list[dict]:
        """The community's buildings ``[{code, name}]`` in number order (cached once found)."""
        if not self._buildings:
            resp = await self._call("GET", "/api/resident/buildings")
            if resp.status_code != 200:
                raise CasesUnavailable(f"buildings: {resp.status_code}")
            self._buildings = list(resp.json())
        return list(self._buildings)

    async def lookup(self, number: str, phone_tail: str) -> dict | None:
        """The resident's view ``{case, history}``, or None when nothing matches."""
        resp = await self._call(
            "POST", "/api/resident/lookup", json={"number": number, "phone_tail": phone_tail}
        )
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            raise CasesUnavailable(f"lookup: {resp.status_code}")
        return resp.json()

    async def confirm(self, case_no: str, rating: str) -> dict:
        """Record 解决了 / 部分解决 / 没解决; returns ``{case, message}``.

        Raises:
            CaseRefused: the case is not waiting for a confirmation (message for the resident).
        """
        resp = await self._call(
            "POST",
            f"/api/cases/{quote(case_no, safe='')}/confirm",
            json={"rating": rating, "comment": "在自助机上确认"},
        )
        if resp.status_code == 409:
            raise CaseRefused(str(resp.json().get("detail") or "现在还不能评价这个事项"))
        if resp.status_code != 200:
            raise CasesUnavailable(f"confirm: {resp.status_code}")
        return resp.json()

    async def add_details(
        self, case_no: str, sender_id: str, *, phone: str | None, location: Location | None
    ) -> bool:
        """Attach a phone and/or a place to the resident's own case; True when stored."""
        body: dict = {"sender_id": sender_id}
        if phone:
            body["contact_phone"] = phone
        if location is not None:
            body["location"] = location.model_dump(exclude_none=True)
        if len(body) == 1:
            return True
        resp = await self._call("POST", f"/api/cases/{quote(case_no, safe='')}/details", json=body)
        if resp.status_code != 200:
            logger.warning("Adding details to %s failed: %s", case_no, resp.status_code)
            return False
        return True
