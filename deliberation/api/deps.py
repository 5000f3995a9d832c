"""FastAPI dependencies: session, clock, service token and staff access.

Staff access is every hub part's (``core/staff_auth.py``): the console's login session (roles and
CSRF as in the console) or, for internal tools, the service token (``X-Staff-Name`` names the
actor); this part sees the caller as an :class:`~deliberation.actors.Actor` (grid workers manage
their grids).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from cases.clock import Clock
from core.dbsession import request_session
from core.staff_auth import ServiceDep as CoreServiceDep
from core.staff_auth import StaffDep as CoreStaffDep
from core.staff_auth import StaffPrincipal, console_staff
from deliberation.actors import Actor
from deliberation.api.state import DeliberationState


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


def require_service(_caller: CoreServiceDep) -> Actor:
    """Residents' channels (actions, bot, kiosk): the shared service token."""
    return Actor(name="service", role="service")


def as_actor(principal: StaffPrincipal) -> Actor:
    """The caller as this part sees them."""
    return Actor(
        name=principal.name,
        role=principal.role,
        grid_codes=principal.grid_codes,
        display=principal.display,
    )


def staff_actor(request: Request) -> tuple[Actor, str] | None:
    """The logged-in console user as an actor, with their CSRF token; None when not logged in.
    Blocking (reads the hub's staff source, ``core.staff_auth.console_staff``)."""
    found = console_staff(request)
    return None if found is None else (as_actor(found.principal), found.csrf_token)


def require_staff(principal: CoreStaffDep) -> Actor:
    """Staff access: the service token (internal tools) or the console's login session (changes
    need its CSRF token in ``X-CSRF-Token``)."""
    return as_actor(principal)


ServiceDep = Annotated[Actor, Depends(require_service)]
ActorDep = Annotated[Actor, Depends(require_staff)]
"""A staff member or the service token, as this part's actor."""
