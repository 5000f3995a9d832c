"""Case endpoints for the channels (actions, bot, kiosk): create, look up, confirm, history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from cases import access, crud, followup, lifecycle
from cases.api.deps import (
    ClockDep,
    RoutingDep,
    ServiceAuth,
    SessionDep,
    SettingsDep,
    StateDep,
)
from cases.events import case_events
from cases.models import Case
from cases.statuses import Rating, status_label
from core.contracts import CaseCreate, CaseDetails, CasePublic, ConfirmResult
from core.errors import InvalidInput
from core.localtime import local_tz

router = APIRouter(prefix="/api/cases", tags=["cases"], dependencies=[ServiceAuth])


@router.post("", response_model=CasePublic, status_code=status.HTTP_201_CREATED)
def create_case(
    case_in: CaseCreate,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    routing: RoutingDep,
) -> CasePublic:
    """Create a case; a repeated ``idempotency_key`` returns the first case with 200.

    The answer carries the resident's access code (``access_code``), the only time it is ever
    shown: the channel hands it to the resident. A repeated submission means the first answer
    was lost, so it gets a fresh code and the earlier one stops working.
    """
    try:
        case, created = crud.create_case(
            session=session, case_create=case_in, settings=settings, now=clock.now(),
            routing=routing,
        )  # fmt: skip
    except InvalidInput as exc:
        raise HTTPException(422, str(exc)) from exc
    if not created:
        response.status_code = status.HTTP_200_OK
    code = access.issue_code(case)
    session.flush()
    return crud.to_public(case).model_copy(update={"access_code": code})


@router.get("", response_model=list[CasePublic])
def list_cases(
    session: SessionDep,
    sender_id: Annotated[str, Query(min_length=1, max_length=200)],
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> list[CasePublic]:
    """A resident's own cases, newest first ("我上次报的事")."""
    return [
        crud.to_public(c)
        for c in crud.list_cases_for_sender(session=session, sender_id=sender_id, limit=limit)
    ]


@router.get("/lookup", response_model=CasePublic)
def lookup_case(
    session: SessionDep,
    last4: Annotated[str, Query(min_length=4, max_length=8)],
    phone_tail: Annotated[str | None, Query(max_length=8)] = None,
    sender_id: Annotated[str | None, Query(max_length=200)] = None,
) -> CasePublic:
    """Find a case by the last 4 digits of its number plus the phone tail (or the sender)."""
    if not phone_tail and not sender_id:
        raise HTTPException(422, "请同时提供手机号后四位，才能查到您的事项")
    case = crud.find_by_last4(
        session=session, last4=last4, phone_tail=phone_tail, sender_id=sender_id
    )
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "没有找到这个编号的事项")
    return crud.to_public(case)


@router.get("/{case_no}", response_model=CasePublic)
def get_case(case_no: str, session: SessionDep) -> CasePublic:
    """One case by its number."""
    case = crud.get_case(session=session, case_no=case_no)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"没有找到编号为 {case_no} 的事项")
    return crud.to_public(case)


class HistoryLine(BaseModel):
    """One line of a case's history, for residents (no internal notes)."""

    at: str
    """ISO time in China time."""
    text: str
    status: str | None = None
    status_label: str | None = None


class ConfirmIn(BaseModel):
    """A resident's 解决了 / 部分解决 / 没解决."""

    sender_id: str | None = Field(default=None, max_length=200)
    rating: Rating
    comment: str | None = Field(default=None, max_length=500)


def _case_or_404(session: Session, case_no: str) -> Case:
    case = crud.get_case(session=session, case_no=case_no)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"没有找到编号为 {case_no} 的事项")
    return case


@router.get("/{case_no}/history", response_model=list[HistoryLine])
def case_history(case_no: str, session: SessionDep) -> list[HistoryLine]:
    """The plain-Chinese history of a case (what happened, when)."""
    case = _case_or_404(session, case_no)
    return [
        HistoryLine(
            at=e.at.astimezone(local_tz()).isoformat(timespec="minutes"),
            text=e.text,
            status=e.to_status,
            status_label=status_label(e.to_status) if e.to_status else None,
        )
        for e in case_events(session, case, include_internal=False)
    ]


@router.post("/{case_no}/details", response_model=CasePublic)
def add_details(
    case_no: str, body: CaseDetails, session: SessionDep, clock: ClockDep
) -> CasePublic:
    """The resident adds where it is and/or a phone to their own case (e.g. after an emergency);
    recorded in the history and pushed to staff at once."""
    case = _case_or_404(session, case_no)
    try:
        followup.add_details(
            session=session, case=case, sender_id=body.sender_id, location=body.location,
            contact_phone=body.contact_phone, now=clock.now(),
        )  # fmt: skip
    except followup.NotYourCase as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    except followup.CaseClosed as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    except InvalidInput as exc:
        raise HTTPException(422, str(exc)) from exc
    session.flush()
    return crud.to_public(case)


@router.post("/{case_no}/confirm", response_model=ConfirmResult)
def confirm_case(
    case_no: str,
    body: ConfirmIn,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    state: StateDep,
) -> ConfirmResult:
    """Record the resident's confirmation; 没解决 reopens and escalates.

    A sender may confirm its own case, or a case it found by number + phone last 4 through
    ``POST /api/resident/lookup`` (reported from another channel, e.g. the kiosk)."""
    case = _case_or_404(session, case_no)
    sender = body.sender_id
    if sender and case.sender_id != sender:
        if state.lookup_guard.granted(sender, case.case_no, clock.now()):
            sender = None  # checked by number + phone: treated like the kiosk's confirmation
    try:
        outcome = lifecycle.confirm(
            session=session, case=case, sender_id=sender, rating=body.rating,
            now=clock.now(), settings=settings, comment=body.comment,
        )  # fmt: skip
    except lifecycle.NotYourCase as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    except InvalidInput as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    session.flush()
    return ConfirmResult(case=crud.to_public(outcome.case), message=outcome.message)
