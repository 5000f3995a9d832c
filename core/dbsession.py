"""Unit-of-work helpers every hub part uses on its own database."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def normalize_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def request_session(
    factory: sessionmaker[Session], sqlite_lock: threading.Lock | None
) -> Iterator[Session]:
    """A session per request (a FastAPI dependency body: ``yield from`` it).

    On SQLite, requests take turns on an in-process lock first: SQLite has one writer at a
    time anyway, and a queue wakes the next request at once where SQLite's busy handler
    would sleep and retry (long latency tails under load).
    """
    if sqlite_lock is not None:
        sqlite_lock.acquire()
    try:
        with session_scope(factory) as session:
            yield session
    finally:
        if sqlite_lock is not None:
            sqlite_lock.release()
