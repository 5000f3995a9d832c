"""A resident's own view of a case: opened by the case number plus the access code that only
that resident received (printed slip, chat reply). A number alone reveals nothing: an unknown
number, a missing code and a wrong code all get the same 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, status
from pydantic import BaseModel

from cases import access, crud
from cases.api.deps import SessionDep
from cases.api.routes.cases import HistoryLine
from cases.clock import CHINA_TZ
from cases.events import case_events
from cases.statuses import status_label
from core.contracts import CasePublic

router = APIRouter(prefix="/api/resident", tags=["resident"])

ACCESS_HEADER = "X-Case-Access"
NOT_FOUND = "没有找到这个事项，请核对编号和查询码"


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
    history = [
        HistoryLine(
            at=e.at.astimezone(CHINA_TZ).isoformat(timespec="minutes"),
            text=e.text,
            status=e.to_status,
            status_label=status_label(e.to_status) if e.to_status else None,
        )
        for e in case_events(session, case, include_internal=False)
    ]
    return ResidentCaseView(case=crud.to_public(case), history=history)
