"""The deliberation part of the hub: ``register(app, settings)`` plus startup/shutdown hooks.

Routes: ``/api/deliberation/…`` (OpenAPI tag 议事) and the console page ``/staff/yishi/``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading

from fastapi import FastAPI
from sqlalchemy import text

from core.config import HubSettings
from core.resident_data import register_owner
from deliberation.api.state import DeliberationState
from deliberation.config import DeliberationSettings
from deliberation.db import (
    MIGRATION_LOCK,
    make_engine,
    make_sessions,
    run_migrations,
    session_scope,
)
from deliberation.households import seed_demo
from deliberation.polls import announce_due
from deliberation.privacy import DeliberationResidentData

logger = logging.getLogger(__name__)


def database_url(hub: HubSettings, settings: DeliberationSettings) -> str:
    """The configured URL, or SQLite ``deliberation.db`` in the data directory."""
    return settings.database_url or f"sqlite:///{hub.data_dir.resolve() / 'deliberation.db'}"


def register(app: FastAPI, settings: HubSettings) -> None:
    """Attach the routes and state (no database work here), and this part's export and deletion
    of a resident's data to the hub's privacy requests (``core/resident_data.py``)."""
    from deliberation.api.routes import console, decisions, outbox, polls, proposals, register

    own = DeliberationSettings()
    engine = make_engine(database_url(settings, own))
    app.state.deliberation = DeliberationState(
        hub=settings,
        settings=own,
        engine=engine,
        sessions=make_sessions(engine),
        sqlite_lock=threading.Lock() if engine.dialect.name == "sqlite" else None,
    )
    for module in (proposals, polls, decisions, register, outbox, console):
        app.include_router(module.router)
    app.include_router(outbox.privacy_router)
    state = app.state.deliberation
    register_owner(app.state, DeliberationResidentData(state.sessions, state.sqlite_lock))


def resident_data_owner(settings: HubSettings) -> DeliberationResidentData:
    """This part's owner of residents' data for tools outside the hub process (the case
    system's CLI): its own engine, migrated first."""
    engine = make_engine(database_url(settings, DeliberationSettings()))
    run_migrations(engine)
    return DeliberationResidentData(make_sessions(engine))


def prepare_database(state: DeliberationState) -> None:
    """Migrate to head and seed the demo register when empty (blocking, idempotent)."""
    run_migrations(state.engine)
    if state.settings.seed_demo_households:
        with session_scope(state.sessions) as session:
            if session.get_bind().dialect.name == "postgresql":  # replicas: one seeds
                session.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
            seed_demo(session, now=state.clock.now())


def sweep_once(state: DeliberationState) -> int:
    """Announce the outcome of polls that closed since the last pass (blocking)."""
    lock = state.sqlite_lock
    if lock is not None:
        lock.acquire()
    try:
        with session_scope(state.sessions) as session:
            return announce_due(session, state.clock.now())
    finally:
        if lock is not None:
            lock.release()


async def _sweep_loop(state: DeliberationState) -> None:
    while True:
        await asyncio.sleep(state.settings.sweep_interval_s)
        try:
            await asyncio.to_thread(sweep_once, state)
        except Exception:
            logger.exception("Deliberation sweep failed; will retry")


async def startup(app: FastAPI) -> None:
    """Migrate and seed off the event loop, then start the outcome sweep."""
    state: DeliberationState = app.state.deliberation
    await asyncio.to_thread(prepare_database, state)
    if state.settings.sweep_interval_s > 0:
        state.sweeper = asyncio.create_task(_sweep_loop(state), name="deliberation-sweep")


async def health(app: FastAPI) -> str | None:
    """Ready when the deliberation database answers."""
    from core.health import database_problem

    return await database_problem(app.state.deliberation.engine)


async def shutdown(app: FastAPI) -> None:
    """Release database connections (and the case client)."""
    state: DeliberationState = app.state.deliberation
    if state.sweeper is not None:
        state.sweeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await state.sweeper
        state.sweeper = None
    client = state.case_client
    if client is not None and hasattr(client, "aclose"):
        await client.aclose()
    state.engine.dispose()
