"""Kind Chinese answers for every refusal of the deliberation API, never a 5xx for bad input.

The routes use :class:`ChineseErrorsRoute`: request validation errors (missing fields, wrong
types, too long) and the part's own refusals become 4xx JSON with a short Chinese ``detail``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Path, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from core.errors import InvalidInput
from deliberation.errors import NotFound, Refused, TooManyTries

logger = logging.getLogger(__name__)

Number = Annotated[int, Path(ge=1, le=2_147_483_647)]
"""A proposal, poll or decision number in a path (beyond it: a Chinese 422, never a 5xx)."""

FIELDS = {
    "what": "建议内容",
    "why": "理由",
    "scope": "范围",
    "place": "地点",
    "channel": "渠道",
    "resident_key": "居民标识",
    "building": "楼栋",
    "unit": "单元",
    "room": "房号",
    "option": "选项",
    "phone_last4": "电话后四位",
    "relation": "关系",
    "question": "问题",
    "options": "选项",
    "scope_codes": "范围",
    "eligibility": "投票方式",
    "threshold": "门槛",
    "opens_at": "开始时间",
    "closes_at": "结束时间",
    "status": "状态",
    "note": "进展",
    "reason": "原因",
    "into": "合并目标",
    "ids": "消息编号",
    "grid_code": "网格",
    "phones": "电话",
    "proposal_id": "建议编号",
    "poll_id": "投票编号",
}
KINDS = {
    "missing": "没有填写",
    "string_too_long": "太长了",
    "too_long": "太多了",
    "enum": "不在可选范围内",
    "timezone_aware": "要带时区，例如 2026-12-05T18:00:00+08:00",
    "greater_than": "超出范围",
    "less_than": "超出范围",
    "int_": "要填数字",
}


def validation_message(exc: RequestValidationError) -> str:
    """A short Chinese line naming the fields that were refused."""
    parts = []
    for error in exc.errors()[:3]:
        names = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path")]
        field = next((FIELDS[n] for n in reversed(names) if n in FIELDS), "内容")
        kind = next(
            (v for k, v in KINDS.items() if str(error.get("type", "")).startswith(k)), "格式不对"
        )
        parts.append(f"{field}{kind}")
    return "请求内容有误：" + "；".join(parts or ["格式不对"]) + "。"


def _status_of(exc: Exception) -> int | None:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Refused):
        return 409
    if isinstance(exc, TooManyTries):
        return 429
    if isinstance(exc, InvalidInput):
        return 422
    return None


class ChineseErrorsRoute(APIRoute):
    """An APIRoute that answers refusals in Chinese (validation, not found, closed, limits)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except RequestValidationError as exc:
                return JSONResponse(status_code=422, content={"detail": validation_message(exc)})
            except (NotFound, Refused, TooManyTries, InvalidInput) as exc:
                code = _status_of(exc) or 422
                logger.info(
                    "Deliberation %s %s refused: %d", request.method, request.url.path, code
                )
                return JSONResponse(status_code=code, content={"detail": str(exc)})

        return handler
