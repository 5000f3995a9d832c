"""No hub route does blocking database work on the event loop: an ``async def`` endpoint must not
take a (synchronous) SQLAlchemy session; such routes are plain ``def`` and FastAPI runs them in
its thread pool."""

from __future__ import annotations

import inspect
import typing
from pathlib import Path

from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

import core.hub
from core.config import HubSettings

HANDS_OFF = {
    "['POST'] /open311/v2/{name}": "awaits the form body, then runs all database work in "
    "run_in_threadpool (cases/api/routes/open311.py)",
}
"""Async routes that take a session but do no database work on the loop themselves."""


def _takes_session(endpoint) -> bool:  # noqa: ANN001
    hints = typing.get_type_hints(endpoint, include_extras=True)
    for hint in hints.values():
        for part in (hint, *typing.get_args(hint)):
            if isinstance(part, type) and issubclass(part, Session):
                return True
    return False


def _api_routes(routes: list) -> list[APIRoute]:
    """Every APIRoute, also inside included routers (kept nested by this FastAPI version)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif inner := getattr(route, "original_router", None) or getattr(route, "router", None):
            found.extend(_api_routes(list(inner.routes)))
    return found


def test_async_routes_take_no_database_session(tmp_path: Path) -> None:
    app = core.hub.create_app(HubSettings(data_dir=tmp_path))
    routes = _api_routes(list(app.routes))
    assert any(_takes_session(r.endpoint) for r in routes)  # the check sees sessions at all
    offenders = [
        f"{sorted(r.methods)} {r.path}"
        for r in routes
        if inspect.iscoroutinefunction(r.endpoint) and _takes_session(r.endpoint)
    ]
    offenders = [o for o in offenders if o not in HANDS_OFF]
    assert offenders == []
