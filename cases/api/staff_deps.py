"""Staff console auth: session cookie → logged-in staff member, CSRF check, grid scoping.

The console's own pages use :data:`ConsoleStaffDep` (the account row, a redirect to the login
page). Other hub parts never import this module: the case system registers
:func:`staff_session` as the hub's staff source (``core/staff_auth.py``) and they use
``core.staff_auth.StaffDep``.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.orm import Session

from cases import auth
from cases.api.deps import ClockDep, SessionDep
from cases.models import Case, StaffUser
from core.staff_auth import StaffPrincipal, StaffSession

COOKIE = "linli_staff"


@dataclass
class Staff:
    """The logged-in staff member."""

    user: StaffUser
    csrf_token: str

    @property
    def role(self) -> auth.Role:
        """The member's role."""
        return auth.Role(self.user.role)

    @property
    def grid_ids(self) -> frozenset[int] | None:
        """Grids a grid worker may see; None = every grid."""
        if self.role is auth.Role.GRID_WORKER:
            return frozenset(g.id for g in self.user.grids)
        return None

    @property
    def sees_phones(self) -> bool:
        """Whether full phone numbers are shown."""
        return self.role in auth.ROLES_SEEING_PHONES

    @property
    def manages(self) -> bool:
        """Whether the member may assign, re-route, re-categorise and edit notices."""
        return self.role in auth.ROLES_MANAGING

    def can_see(self, case: Case) -> bool:
        """Whether the case is inside the member's grids."""
        grid_ids = self.grid_ids
        return grid_ids is None or (case.grid_id is not None and case.grid_id in grid_ids)


def current_staff(request: Request, session: SessionDep, clock: ClockDep) -> Staff:
    """The logged-in staff member; redirects to the login page otherwise."""
    token = request.cookies.get(COOKIE)
    row = auth.session_user(session=session, token=token, now=clock.now()) if token else None
    if row is None:
        raise HTTPException(
            status.HTTP_303_SEE_OTHER, "请先登录", headers={"Location": "/staff/login"}
        )
    return Staff(user=row.user, csrf_token=row.csrf_token)


ConsoleStaffDep = Annotated[Staff, Depends(current_staff)]


def staff_from_request(request: Request) -> Staff | None:
    """The logged-in staff member of a request, or None (the staff JSON API; other hub parts
    read it through :func:`staff_session`). Blocking: call it via ``asyncio.to_thread`` from
    async code.
    """
    state = getattr(request.app.state, "cases", None)
    token = request.cookies.get(COOKIE)
    if state is None or not token:
        return None
    with state.sessions() as session:
        row = auth.session_user(session=session, token=token, now=state.clock.now())
        if row is None:
            return None
        session.expunge_all()
        return Staff(user=row.user, csrf_token=row.csrf_token)


def staff_session(request: Request) -> StaffSession | None:
    """The hub's staff source (``core.staff_auth.register_staff_source``): the console login of
    a request as a principal every part understands, with its CSRF token. Blocking."""
    staff = staff_from_request(request)
    if staff is None:
        return None
    user = staff.user
    principal = StaffPrincipal(
        name=f"staff:{user.username}",
        role=staff.role.value,
        username=user.username,
        display=user.display_name or user.username,
        grid_codes=frozenset(g.code for g in user.grids),
    )
    return StaffSession(principal, staff.csrf_token)


def check_csrf(staff: Staff, token: str) -> None:
    """Refuse a form post without this session's CSRF token."""
    if not hmac.compare_digest(token.encode(), staff.csrf_token.encode()):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "页面已过期，请刷新后再提交")


def require_manager(staff: Staff) -> None:
    """Refuse actions reserved to admin and staff roles."""
    if not staff.manages:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "您的账号没有这个权限")


def visible_case(session: Session, staff: Staff, case_no: str) -> Case:
    """A case the member may see; 404 (not 403) outside their grids so nothing leaks."""
    from cases import crud

    case = crud.get_case(session=session, case_no=case_no)
    if case is None or not staff.can_see(case):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"没有找到编号为 {case_no} 的事项")
    return case
