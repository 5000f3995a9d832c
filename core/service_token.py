"""The internal service token every hub part checks (actions server, bot, kiosk, tools).

One check for all parts: ``Authorization: Bearer <LINLI_SERVICE_TOKEN>``, compared in constant
time. Never open by default: with no token configured every internal call is refused (503).
"""

from __future__ import annotations

import hmac

from fastapi import HTTPException, status

NOT_CONFIGURED = "服务令牌未配置（LINLI_SERVICE_TOKEN），内部接口暂不可用"
REFUSED = "缺少或错误的服务令牌"


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer …`` header, or None."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def check_service_token(expected: str | None, authorization: str | None) -> None:
    """Accept the request only with the configured service token.

    Raises:
        HTTPException: 503 when no token is configured, 401 when it is missing or wrong.
    """
    if not expected:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, NOT_CONFIGURED)
    token = bearer_token(authorization)
    if token is None or not hmac.compare_digest(token.encode(), expected.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, REFUSED, headers={"WWW-Authenticate": "Bearer"}
        )
