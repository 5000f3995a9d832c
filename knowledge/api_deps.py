"""FastAPI dependencies of the knowledge-base API: internal service token and staff access.

Staff auth is the single plug-in point :func:`require_staff`: the case system's staff login
session (roles and CSRF as in the staff console) or, for internal tools, the service token
(``Authorization: Bearer <LINLI_SERVICE_TOKEN>``) with the actor named by the optional
``X-Staff-Name`` header (percent-encoded UTF-8).
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import unquote

from fastapi import Depends, Header, HTTPException, Request, status

from core.config import HubSettings
from core.service_token import check_service_token


@dataclass(frozen=True)
class Actor:
    """Who is calling: recorded in the audit trail."""

    name: str


def _settings(request: Request) -> HubSettings:
    return request.app.state.settings


async def require_service(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> Actor:
    """Internal callers (actions server, bot): the shared service token."""
    check_service_token(_settings(request).service_token, authorization)
    return Actor("service")


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
EDITOR_ROLES = frozenset({"admin", "staff"})
"""Roles that may curate the FAQs; grid workers (and every other logged-in role) may only read."""


def _staff_session(request: Request) -> object | None:
    """The logged-in console user (``cases.api.staff_deps.Staff``), or None. Blocking."""
    try:
        from cases.api.staff_deps import staff_from_request
    except ImportError:  # pragma: no cover - hub without the case system
        return None
    return staff_from_request(request)


async def require_staff(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    x_staff_name: Annotated[str | None, Header(max_length=40)] = None,
    x_csrf_token: Annotated[str | None, Header(max_length=200)] = None,
) -> Actor:
    """Staff curation access: the staff console's login session, or the service token.

    * ``Authorization: Bearer <service token>`` (internal tools, scripts): full access; the
      actor is ``staff:<X-Staff-Name>`` (percent-encoded UTF-8) or ``service-token``.
    * Otherwise the console's session cookie: admin and staff may read and change; a grid
      worker may only read (403 on changes). Changes need the session's CSRF token in the
      ``X-CSRF-Token`` header, like the console's forms. The actor is ``staff:<username>``.
    * Neither: 401.
    """
    if authorization:
        check_service_token(_settings(request).service_token, authorization)
        name = unquote(x_staff_name or "").strip()[:40]
        return Actor(f"staff:{name}" if name else "service-token")
    staff = await asyncio.to_thread(_staff_session, request)
    if staff is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "请先登录工作人员控制台（/staff/login）")
    if request.method not in READ_METHODS:
        if getattr(staff, "role", None) not in EDITOR_ROLES:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "网格员账号只能查看知识库，不能修改")
        expected = str(getattr(staff, "csrf_token", ""))
        if not x_csrf_token or not secrets.compare_digest(x_csrf_token.encode(), expected.encode()):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "页面已过期，请刷新后再提交")
    return Actor(f"staff:{staff.user.username}")  # type: ignore[attr-defined]


ServiceDep = Annotated[Actor, Depends(require_service)]
StaffDep = Annotated[Actor, Depends(require_staff)]
