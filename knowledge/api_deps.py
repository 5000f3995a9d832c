"""FastAPI dependencies of the knowledge-base API: internal service token and staff access.

Staff auth is the single plug-in point :func:`require_staff`. Today it accepts the internal
service token (``Authorization: Bearer <LINLI_SERVICE_TOKEN>``) and names the actor from the
optional ``X-Staff-Name`` header (percent-encoded UTF-8). When the case system's staff sessions
land, add the session check there (and only there); every staff route already depends on it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import unquote

from fastapi import Depends, Header, HTTPException, Request, status

from core.config import HubSettings


@dataclass(frozen=True)
class Actor:
    """Who is calling: recorded in the audit trail."""

    name: str


def _settings(request: Request) -> HubSettings:
    return request.app.state.settings


def _bearer(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _check_service_token(settings: HubSettings, authorization: str | None) -> None:
    if not settings.service_token:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "服务令牌未配置，暂不可用")
    token = _bearer(authorization)
    if token is None or not secrets.compare_digest(token.encode(), settings.service_token.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "需要有效的服务令牌",
            headers={"WWW-Authenticate": "Bearer"},
        )


async def require_service(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> Actor:
    """Internal callers (actions server, bot): the shared service token."""
    _check_service_token(_settings(request), authorization)
    return Actor("service")


async def require_staff(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    x_staff_name: Annotated[str | None, Header(max_length=40)] = None,
) -> Actor:
    """Staff curation access. Plug the staff-session check from ``cases`` in here."""
    _check_service_token(_settings(request), authorization)
    name = unquote(x_staff_name or "").strip()[:40]
    return Actor(f"staff:{name}" if name else "service-token")


ServiceDep = Annotated[Actor, Depends(require_service)]
StaffDep = Annotated[Actor, Depends(require_staff)]
