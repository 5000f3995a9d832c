"""The case system's part of the hub: ``register(app, settings)`` plus startup/shutdown hooks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from cases import lifecycle, privacy
from cases.api import staff_errors
from cases.api.state import CasesState
from cases.config import CasesSettings
from cases.db import make_engine, make_session_factory, session_scope, wait_for_database
from cases.migrate import upgrade_to_head
from cases.seed import seed_all
from core.config import HubSettings
from core.resident_data import conversation_store, registered
from core.staff_auth import register_staff_source

logger = logging.getLogger(__name__)

OWN_PREFIXES = (
    "/api/cases", "/api/outbox", "/api/public", "/api/services", "/api/categories", "/api/kb",
)  # fmt: skip


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query"))
        parts.append(f"{where}: {error.get('msg', '')}" if where else str(error.get("msg", "")))
    return "请求内容有误：" + "；".join(parts)


async def _validation_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    path = request.url.path
    if path.startswith("/open311/"):
        from cases.api.routes.open311 import open311_error

        return open311_error(400, _validation_message(exc), request)
    if staff_errors.is_console_page(request):
        return staff_errors.validation_error(request, exc)
    if path.startswith(OWN_PREFIXES):
        return JSONResponse(status_code=422, content={"detail": _validation_message(exc)})
    return await request_validation_exception_handler(request, exc)


DB_BUSY = "数据库暂时繁忙或连不上，请稍后再试，您的内容没有丢失"


async def _database_unavailable_handler(request: Request, exc: Exception) -> Response:
    """A locked or unreachable database: a temporary 503 with a Chinese message, not a bare 500."""
    logger.warning(
        "Database unavailable for %s %s: %s", request.method, request.url.path, type(exc).__name__
    )
    if request.url.path.startswith("/open311/"):
        from cases.api.routes.open311 import open311_error

        return open311_error(503, DB_BUSY, request)
    return JSONResponse(status_code=503, content={"detail": DB_BUSY}, headers={"Retry-After": "5"})


def register(app: FastAPI, settings: HubSettings) -> None:
    """Attach the case routes and state to the hub app (no database work here)."""
    from cases.api.routes import (
        attachments,
        cases,
        catalog,
        maintenance,
        open311,
        outbox,
        public,
        resident,
        staff,
        staff_notices,
    )
    from cases.api.routes import notices as notice_routes
    from cases.api.routes import privacy as privacy_routes
    from cases.api.staff_deps import staff_session

    cases_settings = CasesSettings()
    engine = make_engine(settings.resolved_cases_url())
    app.state.cases = CasesState(
        hub=settings,
        settings=cases_settings,
        engine=engine,
        sessions=make_session_factory(engine),
        sqlite_lock=threading.Lock() if engine.dialect.name == "sqlite" else None,
        resident_data=lambda: registered(app.state),
    )
    app.include_router(cases.router)
    app.include_router(attachments.router)
    app.include_router(catalog.router)
    app.include_router(outbox.router)
    app.include_router(public.router)
    app.include_router(notice_routes.router)
    app.include_router(resident.router)
    app.include_router(maintenance.router)
    app.include_router(privacy_routes.router)
    app.include_router(staff.router)
    app.include_router(staff_notices.router)
    app.include_router(open311.router)
    app.include_router(open311.discovery_router)
    register_staff_source(app.state, staff_session)  # who is logged in, for every hub part
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(OperationalError, _database_unavailable_handler)
    app.add_exception_handler(StarletteHTTPException, staff_errors.http_error)


def prepare_database(state: CasesState) -> None:
    """Wait for the database, migrate to head and seed (idempotent; blocking)."""
    wait_for_database(state.engine, state.settings.db_wait_s)
    upgrade_to_head(state.engine)
    with session_scope(state.sessions) as session:
        seed_all(session, now=state.clock.now(), demo_community=state.settings.seed_demo_community)


def sweep_once(state: CasesState) -> None:
    """One escalation / auto-close pass, then the retention purges (cases, idle conversations;
    blocking)."""
    with session_scope(state.sessions) as session:
        lifecycle.sweep(session=session, now=state.clock.now(), settings=state.settings)
    with session_scope(state.sessions) as session:
        privacy.purge_expired(
            session, now=state.clock.now(), retention_days=state.settings.retention_days,
            attachments_root=privacy.attachments_dir(state.hub.data_dir),
        )  # fmt: skip
    conversations = conversation_store(state.resident_data())
    if conversations is not None:
        conversations.purge_idle(state.clock.now(), state.settings.conversation_retention_hours)


async def _sweep_loop(state: CasesState) -> None:
    while True:
        await asyncio.sleep(state.settings.sweep_interval_s)
        try:
            await asyncio.to_thread(sweep_once, state)
        except Exception:
            logger.exception("Case sweep failed; will retry")


async def startup(app: FastAPI) -> None:
    """Migrate and seed the case database, then start the periodic sweep."""
    state: CasesState = app.state.cases
    await asyncio.to_thread(prepare_database, state)
    if state.settings.sweep_interval_s > 0:
        state.sweeper = asyncio.create_task(_sweep_loop(state), name="cases-sweep")


async def health(app: FastAPI) -> str | None:
    """Ready when the case database answers."""
    from core.health import database_problem

    return await database_problem(app.state.cases.engine)


async def shutdown(app: FastAPI) -> None:
    """Stop the sweep and release database connections."""
    state: CasesState = app.state.cases
    if state.sweeper is not None:
        state.sweeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await state.sweeper
        state.sweeper = None
    state.engine.dispose()
