"""Staff JSON API: who is logged in (with the CSRF token for scripts of staff pages) and the
admin-only export and deletion of one resident's data.

Cookie-authenticated state-changing requests must carry the session's CSRF token in the
``X-CSRF-Token`` header (the console's forms send it as the ``csrf_token`` field).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, status
from pydantic import BaseModel, Field

from cases import auth, privacy
from cases.api.deps import ClockDep, SessionDep, StateDep
from cases.api.staff_deps import Staff, check_csrf, staff_from_request
from core.errors import InvalidInput
from core.localtime import local_tz
from core.resident_data import (
    CONVERSATIONS,
    PENDING_SUBMISSIONS,
    Resident,
    ResidentDataOwner,
    delete_all,
    export_all,
    take,
)

router = APIRouter(prefix="/staff/api", tags=["staff api"])


def api_staff(request: Request) -> Staff:
    """The logged-in staff member, or 401 (JSON callers get no redirect)."""
    staff = staff_from_request(request)
    if staff is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "请先登录工作人员控制台")
    return staff


ApiStaffDep = Annotated[Staff, Depends(api_staff)]


def require_admin(staff: Staff) -> None:
    """Refuse everyone but admins."""
    if staff.role is not auth.Role.ADMIN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "只有管理员可以处理居民个人信息")


class Me(BaseModel):
    """The logged-in staff member."""

    username: str
    display_name: str
    role: str
    role_label: str
    csrf_token: str
    can_edit_kb: bool
    timezone: str
    """The community's time zone (``LINLI_TIMEZONE``): page scripts show times in it."""


@router.get("/me", response_model=Me)
def me(staff: ApiStaffDep) -> Me:
    """Who is logged in, and the CSRF token their page scripts send with changes."""
    return Me(
        username=staff.user.username,
        display_name=staff.user.display_name,
        role=staff.role.value,
        role_label=auth.ROLE_LABELS[staff.role],
        csrf_token=staff.csrf_token,
        can_edit_kb=staff.role in auth.ROLES_MANAGING,
        timezone=str(local_tz()),
    )


class ResidentQuery(BaseModel):
    """Which resident: a phone number and/or a channel sender id."""

    phone: str | None = Field(default=None, max_length=40)
    sender_id: str | None = Field(default=None, max_length=200)


class DeletionOut(BaseModel):
    """What the deletion did."""

    cases: list[str]
    tracker_events_deleted: int | None
    pending_deleted: int | None
    """Submissions still waiting in the action server's queue that were deleted."""
    other_parts: dict[str, dict[str, int] | str] = Field(default_factory=dict)
    """What each other hub part deleted (``core/resident_data.py``; a failure as a sentence)."""


def _resident(session: Any, q: ResidentQuery, staff: Staff) -> Resident:
    return privacy.resident_of(
        session, phone=q.phone, sender_id=q.sender_id, operator=staff.user.username
    )


def _request(
    state: Any, q: ResidentQuery, staff: Staff
) -> tuple[privacy.ResidentRequest, list[ResidentDataOwner]]:
    """The case system's request, with the owners it reports itself (conversations, waiting
    submissions), and the hub's other owners of residents' data."""
    conversations, others = take(state.resident_data(), CONVERSATIONS)
    pending, others = take(others, PENDING_SUBMISSIONS)
    req = privacy.ResidentRequest(
        phone=q.phone, sender_id=q.sender_id, actor=staff.user.username,
        attachments_root=privacy.attachments_dir(state.hub.data_dir),
        conversations=conversations, pending=pending,
    )  # fmt: skip
    return req, others


@router.get("/residents/export")
def export_resident(
    staff: ApiStaffDep,
    session: SessionDep,
    clock: ClockDep,
    state: StateDep,
    phone: Annotated[str | None, Query(max_length=40)] = None,
    sender_id: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """One resident's data as JSON (admin only; audited on every case)."""
    require_admin(staff)
    query = ResidentQuery(phone=phone, sender_id=sender_id)
    req, others = _request(state, query, staff)
    try:
        data = privacy.export_resident(session, req=req, now=clock.now())
    except InvalidInput as exc:
        raise HTTPException(422, str(exc)) from exc
    resident = _resident(session, query, staff)
    data.update(export_all(others, resident))
    return data


@router.post("/residents/delete", response_model=DeletionOut)
def delete_resident(
    body: ResidentQuery,
    staff: ApiStaffDep,
    session: SessionDep,
    clock: ClockDep,
    state: StateDep,
    x_csrf_token: Annotated[str, Header()] = "",
) -> DeletionOut:
    """Anonymise a resident's cases and delete their conversation (admin only; audited)."""
    check_csrf(staff, x_csrf_token)
    require_admin(staff)
    req, owners = _request(state, body, staff)
    try:
        resident = _resident(session, body, staff)  # before the cases are anonymised
        result = privacy.delete_resident(session, req=req, now=clock.now())
    except InvalidInput as exc:
        raise HTTPException(422, str(exc)) from exc
    others = delete_all(owners, resident, clock.now())
    return DeletionOut(
        cases=result.cases,
        tracker_events_deleted=result.tracker_events_deleted,
        pending_deleted=result.pending_deleted,
        other_parts=others,
    )
