"""FastAPI dependencies: session, clock, service token and staff access (the case system's login).

Staff access is the knowledge base's pattern: the console's session cookie (read through
``cases.api.staff_deps.staff_from_request``, roles and CSRF as in the console) or, for internal
tools, the service token (``X-Staff-Name`` names the actor). Grid workers manage their grids.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import Depends, Header, HTTPException, Request, status
from sqlalchemy.orm import Session

from cases.clock import Clock
from core.dbsession import request_session
from core.service_token import check_service_token
from deliberation.actors import Actor
from deliberation.api.state import DeliberationState

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_state(request: Request) -> DeliberationState:
    """The part's state on the app."""
    return request.app.state.deliberation


StateDep = Annotated[DeliberationState, Depends(get_state)]


def get_db(state: StateDep) -> Iterator[Session]:
    """A session per request: commit on success, roll back on error (SQLite: one at a time)."""
    yield from request_session(state.sessions, state.sqlite_lock)


def _function_scoped(dependency: Any) -> Any:
    try:
        return Depends(dependency, scope="function")  # commit before the response is sent
    except TypeError:  # pragma: no cover - FastAPI < 0.120
        return Depends(dependency)


SessionDep = Annotated[Session, _function_scoped(get_db)]


def get_clock(state: StateDep) -> Clock:
    """The clock (tests swap in a manual one)."""
    return state.clock


ClockDep = Annotated[Clock, Depends(get_clock)]


def require_service(
    state: StateDep, authorization: Annotated[str | None, Header()] = None
) -> Actor:
    """Residents' channels (actions, bot, kiosk): the shared service token."""
    check_service_token(state.hub.service_token, authorization)
    return Actor(name="service", role="service")


def staff_actor(request: Request) -> tuple[Actor, str] | None:
    """The logged-in console user as an actor, with their CSRF token; None when not logged in.
    Blocking (reads the case system's login through its own function)."""
    try:
        from cases.api.staff_deps import staff_from_request
    except ImportError:  # pragma: no cover - hub without the case system
        return None
    staff = staff_from_request(request)
    if staff is None:
        return None
    grids = frozenset(g.code for g in staff.user.grids)
    actor = Actor(
        name=f"staff:{staff.user.username}",
        role=staff.role.value,
        grid_codes=grids,
        display=staff.user.display_name or staff.user.username,
    )
    return actor, staff.csrf_token


def require_staff(
    request: Request,
    state: StateDep,
    authorization: Annotated[str | None, Header()] = None,
    x_staff_name: Annotated[str | None, Header(max_length=40)] = None,
    x_csrf_token: Annotated[str | None, Header(max_length=200)] = None,
) -> Actor:
    """Staff access: the service token (internal tools) or the console's login session.

    Changes through a login session need its CSRF token in ``X-CSRF-Token``.
    """
    if authorization:
        check_service_token(state.hub.service_token, authorization)
        name = unquote(x_staff_name or "").strip()[:40]
        return Actor(name=f"staff:{name}" if name else "service", role="service", display=name)
    found = staff_actor(request)
    if found is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "请先登录工作人员控制台（/staff/login）")
    actor, csrf = found
    if request.method not in READ_METHODS and (
        not x_csrf_token or not hmac.compare_digest(x_csrf_token.encode(), csrf.encode())
    ):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "页面已过期，请刷新后再提交")
    return actor


ServiceDep = Annotated[Actor, Depends(require_service)]
StaffDep = Annotated[Actor, Depends(require_staff)]
