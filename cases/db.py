"""Database engine and sessions from a URL: SQLite (WAL, foreign keys) or PostgreSQL (psycopg 3)."""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from core.dbsession import normalize_url as normalize_url  # re-exported for the part
from core.dbsession import session_scope as session_scope  # re-exported for the part

logger = logging.getLogger(__name__)


def is_sqlite(url: str) -> bool:
    """Whether the URL points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy drive transactions (see _sqlite_begin) instead of pysqlite's implicit BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # Take the write lock up front: no read→write upgrade deadlocks between threads.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine for the case database.

    Args:
        url: SQLAlchemy URL (``sqlite:///path`` or ``postgresql[+psycopg]://…``).
        echo: Log SQL statements.
    """
    url = normalize_url(url)
    if is_sqlite(url):
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 15}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)
    logger.info("Case database: %s", make_url(url).render_as_string(hide_password=True))
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to the engine (objects stay usable after commit)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def wait_for_database(engine: Engine, timeout_s: float) -> None:
    """Wait until the database accepts connections (PostgreSQL may start after the hub).

    Raises:
        sqlalchemy.exc.OperationalError: still unreachable after ``timeout_s``.
    """
    deadline = time.monotonic() + timeout_s
    delay = 0.5
    while True:
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
            return
        except OperationalError:
            if time.monotonic() + delay > deadline:
                raise
            logger.warning("Case database not reachable yet; retrying in %.1f s", delay)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


MIGRATION_LOCK = 7_311_001
"""PostgreSQL advisory-lock key serialising migrations and seeding across hub replicas."""


def lock_for_setup(connection: Any) -> None:
    """Serialise schema/seed work between processes (PostgreSQL advisory lock, held until the
    transaction ends; SQLite's ``BEGIN IMMEDIATE`` already serialises writers)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
