"""Errors on the staff console's pages as a page in plain Chinese, not ``{"detail": …}``.

Only the console's own pages (``/staff/…``); its JSON endpoints (``/staff/api/…``), the
knowledge-base page and every other API keep FastAPI's JSON answers.
"""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)

INCOMPLETE = "填写的内容不完整或格式不对，请返回上一页检查后再提交。"
PLAIN = {
    400: "请求有误，请返回上一页再试一次。",
    403: "您的账号没有这个权限。",
    404: "没有找到这个页面或事项。",
    405: "这个操作不能这样做，请返回上一页。",
}


def is_console_page(request: Request) -> bool:
    """A page of the case console (not its JSON endpoints, not the knowledge-base page)."""
    path = request.url.path
    return path.startswith("/staff/") and not path.startswith(("/staff/api/", "/staff/kb"))


def render_error(request: Request, message: str, code: int) -> Response:
    """The console's error page."""
    from cases.api.routes.console import templates

    return templates.TemplateResponse(
        request, "staff/error.html", {"message": message, "code": code}, status_code=code
    )


async def http_error(request: Request, exc: Exception) -> Response:
    """HTTP errors: a page on console pages; redirects (login) and everything else unchanged."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code < 400 or not is_console_page(request):
        return await http_exception_handler(request, exc)
    detail = exc.detail if isinstance(exc.detail, str) and not exc.detail.isascii() else None
    return render_error(request, detail or PLAIN.get(exc.status_code, "出了点问题，请稍后再试。"),
                        exc.status_code)  # fmt: skip


def validation_error(request: Request, exc: RequestValidationError) -> Response:
    """A console form with a missing or malformed field."""
    logger.info("Console form refused on %s: %d field errors", request.url.path, len(exc.errors()))
    return render_error(request, INCOMPLETE, 422)
