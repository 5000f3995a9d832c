"""Staff access every hub part uses: who is calling a staff endpoint, from one dependency.

Two ways in, the same for every part:

* ``Authorization: Bearer <LINLI_SERVICE_TOKEN>`` (internal tools, scripts): full access; the actor
  is ``staff:<X-Staff-Name>`` (percent-encoded UTF-8) or the dependency's ``service_name``.
* The staff console's login session (its cookie), read through the **staff source** the case
  system registers on ``app.state`` (``register_staff_source``): the part that owns the logins
  says who is logged in, and no other part imports it. Changes (any method but GET / HEAD /
  OPTIONS) need the session's CSRF token in ``X-CSRF-Token``, like the console's forms; a
  dependency may also limit changes to some roles (the knowledge base: admin and staff).

Neither: 401. No staff source registered (a hub without the case system): nobody is logged in.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import Depends, Header, HTTPException, Request, status

from core.service_token import check_service_token

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods that change nothing: no CSRF token needed."""
LOGIN_FIRST = "请先登录工作人员控制台（/staff/login）"
STALE_PAGE = "页面已过期，请刷新后再提交"


class Role(StrEnum):
    """Staff roles (the console's accounts)."""

    ADMIN = "admin"
    STAFF = "staff"
    GRID_WORKER = "grid_worker"


SERVICE = "service"
"""The role of a caller with the service token."""


@dataclass(frozen=True)
class StaffPrincipal:
    """The caller of a staff endpoint."""

    name: str
    """Recorded in audit trails: ``staff:<username>``, ``staff:<X-Staff-Name>`` or the
    dependency's ``service_name``."""
    role: str
    """A :class:`Role` value (console logins) or :data:`SERVICE` (the service token)."""
    username: str = ""
    """The console account (empty for the service token)."""
    display: str = ""
    """The name people read (the staff member's display name, or ``X-Staff-Name``)."""
    grid_codes: frozenset[str] = frozenset()
    """A grid worker's grids."""


@dataclass(frozen=True)
class StaffSession:
    """A console login: who, and the CSRF token of their session."""

    principal: StaffPrincipal
    csrf_token: str


StaffSource = Callable[[Request], StaffSession | None]
"""Who is logged in on a request (blocking; the case system's login store)."""


def register_staff_source(state: Any, source: StaffSource) -> None:
    """Say who is logged in on this app (``app.state``); the case system calls it."""
    state.staff_source = source


def console_staff(request: Request) -> StaffSession | None:
    """The console login of a request, or None. Blocking: call it via ``asyncio.to_thread``."""
    source: StaffSource | None = getattr(request.app.state, "staff_source", None)
    return None if source is None else source(request)


def _service_token(request: Request) -> str | None:
    token: str | None = request.app.state.settings.service_token
    return token


class RequireStaff:
    """The staff dependency (a callable FastAPI runs per request)."""

    def __init__(
        self,
        *,
        service_name: str = SERVICE,
        changes_by: frozenset[str] | None = None,
        refused: str = "您的账号没有这个权限",
    ) -> None:
        """``service_name``: the actor of the service token without ``X-Staff-Name``;
        ``changes_by``: console roles that may change anything (None: every role), others get
        403 with ``refused``."""
        self.service_name = service_name
        self.changes_by = changes_by
        self.refused = refused

    async def __call__(
        self,
        request: Request,
        authorization: Annotated[str | None, Header()] = None,
        x_staff_name: Annotated[str | None, Header(max_length=40)] = None,
        x_csrf_token: Annotated[str | None, Header(max_length=200)] = None,
    ) -> StaffPrincipal:
        """The caller, or 401 / 403 / 503 (no service token configured)."""
        if authorization:
            check_service_token(_service_token(request), authorization)
            name = unquote(x_staff_name or "").strip()[:40]
            return StaffPrincipal(
                name=f"staff:{name}" if name else self.service_name, role=SERVICE, display=name
            )
        found = await asyncio.to_thread(console_staff, request)
        if found is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, LOGIN_FIRST)
        if request.method not in READ_METHODS:
            if self.changes_by is not None and found.principal.role not in self.changes_by:
                raise HTTPException(status.HTTP_403_FORBIDDEN, self.refused)
            sent = (x_csrf_token or "").encode()
            if not x_csrf_token or not hmac.compare_digest(sent, found.csrf_token.encode()):
                raise HTTPException(status.HTTP_403_FORBIDDEN, STALE_PAGE)
        return found.principal


async def require_service(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> StaffPrincipal:
    """Internal callers (action server, bot, kiosk): the service token."""
    check_service_token(_service_token(request), authorization)
    return StaffPrincipal(name=SERVICE, role=SERVICE)


require_staff = RequireStaff()
StaffDep = Annotated[StaffPrincipal, Depends(require_staff)]
"""A staff member (console login, CSRF on changes) or the service token."""
ServiceDep = Annotated[StaffPrincipal, Depends(require_service)]
"""An internal caller with the service token."""
