"""FastAPI dependencies of the case API: DB session, clock, service-token auth."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from cases.api.state import CasesState
from cases.clock import Clock
from cases.config import CasesSettings
from cases.crud import RoutingCache
from core.dbsession import request_session
from core.service_token import check_service_token


def get_state(request: Request) -> CasesState:
    """The case system's state on the app."""
    return request.app.state.cases


StateDep = Annotated[CasesState, Depends(get_state)]


def get_db(state: StateDep) -> Iterator[Session]:
    """A session per request: commit on success, roll back on error (SQLite: one at a time)."""
    yield from request_session(state.sessions, state.sqlite_lock)


def get_clock(state: StateDep) -> Clock:
    """The clock (real, or a manual one in tests)."""
    return state.clock


def get_settings(state: StateDep) -> CasesSettings:
    """The case-system settings."""
    return state.settings


def get_routing(state: StateDep) -> RoutingCache:
    """The routing-table cache."""
    return state.routing


def _function_scoped(dependency: Any) -> Any:
    """Depends() whose exit code (our commit) runs before the response is sent, so a client
    never reads its own write too early. Older FastAPI without ``scope`` did that already."""
    try:
        return Depends(dependency, scope="function")
    except TypeError:  # pragma: no cover - FastAPI < 0.120
        return Depends(dependency)


SessionDep = Annotated[Session, _function_scoped(get_db)]
RoutingDep = Annotated[RoutingCache, Depends(get_routing)]
ClockDep = Annotated[Clock, Depends(get_clock)]
SettingsDep = Annotated[CasesSettings, Depends(get_settings)]


def require_service_token(
    state: StateDep, authorization: Annotated[str | None, Header()] = None
) -> None:
    """Allow only callers presenting the internal service token (actions, bot, kiosk).

    Refuses everything with 503 when no token is configured: never open by default.
    """
    check_service_token(state.hub.service_token, authorization)


ServiceAuth = Depends(require_service_token)
