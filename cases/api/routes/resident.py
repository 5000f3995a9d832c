"""A resident's own view of a case: opened by the case number plus the access code that only
that resident received (printed slip, chat reply). A number alone reveals nothing: an unknown
number, a missing code and a wrong code all get the same 404.

Channels that check the resident another way (number + the last 4 digits of the phone that
reported it) open the same view through ``POST /api/resident/lookup`` with the service token.
The kiosk limits guesses itself, per kiosk session; the dialogue channels (Telegram, web chat)
send the resident's ``sender_id`` and the hub limits guesses per sender and per channel
(``cases.guesses``)."""

from __future__ import annotations

import logging
import re
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import access, crud
from cases.api.deps import ServiceAuth, SessionDep, StateDep
from cases.api.routes.cases import HistoryLine
from cases.events import case_events
from cases.guesses import channel_key
from cases.models import Building, Case
from cases.statuses import status_label
from core.contracts import CasePublic
from core.localtime import local_tz

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api/resident", tags=["resident"])

ACCESS_HEADER = "X-Case-Access"
NOT_FOUND = "没有找到这个事项，请核对编号和查询码"
TOO_MANY = (
    "试了好几次都没有查到。为了保护大家的信息，先不能再查了，请过一刻钟再试，或者找工作人员帮您查"
)


class ResidentCaseView(BaseModel):
    """The case and its plain-Chinese history (no internal notes)."""

    case: CasePublic
    history: list[HistoryLine]


@router.get("/cases/{case_no}", response_model=ResidentCaseView)
def resident_case(
    case_no: str,
    session: SessionDep,
    x_case_access: Annotated[str | None, Header()] = None,
) -> ResidentCaseView:
    """One case for the resident who reported it (header ``X-Case-Access: <code>``)."""
    case = crud.get_case(session=session, case_no=case_no[:40])
    if not access.code_matches(case.access_hash if case else None, x_case_access):
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    assert case is not None
    return _view(session, case)


def _view(session: Session, case: Case) -> ResidentCaseView:
    history = [
        HistoryLine(
            at=e.at.astimezone(local_tz()).isoformat(timespec="minutes"),
            text=e.text,
            status=e.to_status,
            status_label=status_label(e.to_status) if e.to_status else None,
        )
        for e in case_events(session, case, include_internal=False)
    ]
    return ResidentCaseView(case=crud.to_public(case), history=history)


class LookupIn(BaseModel):
    """A case number as the resident entered it, and the last 4 digits of their phone."""

    number: str = Field(max_length=40, description="BS-20261203-0098, 202612030098 or 0098")
    phone_tail: str = Field(max_length=8, description="last 4 digits of the reporting phone")
    sender_id: str | None = Field(
        default=None, max_length=200,
        description="the dialogue channel's resident (tg:…, web:…): misses are limited per "
        "sender and per channel, and a hit lets this sender confirm the case",
    )  # fmt: skip


def _find(session: Session, number: str, phone_tail: str) -> Case | None:
    digits, tail = re.sub(r"\D", "", number), re.sub(r"\D", "", phone_tail)
    if len(tail) != 4:
        return None
    if len(digits) == 4:
        return crud.find_by_last4(session=session, last4=digits, phone_tail=tail)
    if len(digits) < 12:
        return None
    suffix = f"%-{digits[:8]}-{digits[8:]}"  # the day's sequence is shared by all prefixes
    return session.scalar(
        select(Case).where(Case.case_no.like(suffix), Case.phone_tail == tail).limit(1)
    )


@router.post("/lookup", response_model=ResidentCaseView, dependencies=[ServiceAuth])
def resident_lookup(body: LookupIn, session: SessionDep, state: StateDep) -> ResidentCaseView:
    """The resident's view of a case found by its number (or last 4 digits) plus the last 4
    digits of the phone that reported it. Unknown number and wrong phone get the same 404.

    Service token only. With ``sender_id`` (the dialogue channels) the hub limits misses per
    sender and per channel (429 once used up) and lets the sender confirm a case it found;
    without it the calling channel limits guesses itself (the kiosk does, per session)."""
    guard, now, sender = state.lookup_guard, state.clock.now(), body.sender_id
    if sender and not guard.allowed(sender, now):
        logger.info("Case look-up refused on %s: too many misses", channel_key(sender))
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, TOO_MANY)
    case = _find(session, body.number, body.phone_tail)
    if case is None:
        if sender:
            guard.missed(sender, now)
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    if sender:
        guard.grant(sender, case.case_no, now)
    return _view(session, case)


class BuildingOut(BaseModel):
    """A building of the community, for pickers."""

    code: str
    name: str


@router.get("/buildings", response_model=list[BuildingOut])
def buildings(session: SessionDep) -> list[BuildingOut]:
    """The community's buildings, in number order (the kiosk's building picker)."""
    rows = sorted(session.scalars(select(Building)), key=_number_order)
    return [BuildingOut(code=b.code, name=b.name) for b in rows]


def _number_order(building: Building) -> tuple[bool, int, str]:
    numeric = building.code.isdigit()
    return (not numeric, int(building.code) if numeric else 0, building.code)
