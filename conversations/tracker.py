"""Residents' conversations in Rasa's SQL tracker store: export, deletion, idle retention.

Rasa's ``SQLTrackerStore`` (and our ``MaskingSQLTrackerStore``, nlu/addons, which runs inside
Rasa's own environment) keeps every event in
one ``events`` table (``id``, ``sender_id``, ``type_name``, ``timestamp`` as epoch seconds,
``intent_name``, ``action_name``, ``data`` as JSON), the same on SQLite (the default, a file in
the data directory) and PostgreSQL (the compose deployment). The store is addressed by a
SQLAlchemy URL or, as before, a plain SQLite file path.

Each call returns None when there is no store (SQLite file missing) or it failed (logged), and
"no conversations" when the store has no ``events`` table yet (Rasa has not started).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from os import PathLike
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from core.dbsession import normalize_url

logger = logging.getLogger(__name__)

TABLE = "events"
"""Rasa's table (``SQLTrackerStore.SQLEvent``)."""

T = TypeVar("T")
TrackerStore = str | PathLike[str]
"""A SQLAlchemy URL (``sqlite:///…``, ``postgresql://…``) or a SQLite file path."""


def tracker_store(data_dir: Path, setting: str | None) -> TrackerStore:
    """Where the tracker store is, from its setting (``TrackerSettings.rasa_tracker_db``): a
    SQLAlchemy URL (kept as it is) or a SQLite file path (default
    ``<data_dir>/rasa_tracker.db``)."""
    if setting and "://" in setting:
        return setting
    return Path(setting) if setting else data_dir / "rasa_tracker.db"


def tracker_url(store: TrackerStore) -> str:
    """The SQLAlchemy URL of a tracker store given as a URL or a SQLite file path
    (``postgresql://`` gets the psycopg 3 driver, as the case database)."""
    value = str(store)
    if "://" in value:
        return normalize_url(value)
    path = Path(value).expanduser().absolute()
    return URL.create("sqlite", database=str(path)).render_as_string(hide_password=False)


def _missing_sqlite_file(url: str) -> bool:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return False
    database = parsed.database or ""
    return database in ("", ":memory:") or not Path(database).is_file()


def _run(store: TrackerStore, what: str, work: Callable[[Connection], T], empty: T) -> T | None:
    """``work`` in one transaction on the store; ``empty`` when it has no events table yet,
    None when there is no store or the database failed (logged, without the query's values)."""
    url = tracker_url(store)
    if _missing_sqlite_file(url):
        return None
    sqlite = make_url(url).get_backend_name() == "sqlite"
    engine = create_engine(
        url, poolclass=NullPool, connect_args={"timeout": 30} if sqlite else {"connect_timeout": 10}
    )
    try:
        with engine.begin() as conn:
            if not inspect(conn).has_table(TABLE):
                return empty
            return work(conn)
    except SQLAlchemyError as exc:
        logger.warning("Rasa tracker store %s: could not %s: %s: %s",
                       make_url(url).render_as_string(hide_password=True), what,
                       type(exc).__name__, getattr(exc, "orig", None) or exc.code)  # fmt: skip
        return None
    finally:
        engine.dispose()


def _message_text(data: str | None) -> str | None:
    try:
        value = json.loads(data or "").get("text")
    except (TypeError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def conversation(store: TrackerStore, sender_id: str) -> list[dict[str, Any]] | None:
    """The user and bot messages stored for a sender, oldest first (``type``, ``timestamp``,
    ``text``); None: no store."""

    def read(conn: Connection) -> list[dict[str, Any]]:
        rows = conn.execute(
            text(
                "SELECT type_name, timestamp, data FROM events "
                "WHERE sender_id = :sender AND type_name IN ('user', 'bot') ORDER BY id"
            ),
            {"sender": sender_id},
        )
        return [
            {"type": kind, "timestamp": when, "text": _message_text(data)}
            for kind, when, data in rows
        ]

    return _run(store, "read a conversation", read, [])


def delete_conversation(store: TrackerStore, sender_id: str) -> int | None:
    """Delete every event of a sender; rows deleted, or None: no store."""

    def delete(conn: Connection) -> int:
        result = conn.execute(text("DELETE FROM events WHERE sender_id = :sender"),
                              {"sender": sender_id})  # fmt: skip
        return int(result.rowcount)

    return _run(store, "delete a conversation", delete, 0)


def purge_idle(store: TrackerStore, *, now: datetime, idle_hours: int) -> int | None:
    """Delete every conversation whose last event is older than ``idle_hours``; rows deleted,
    or None: no store."""
    cutoff = (now - timedelta(hours=idle_hours)).timestamp()

    def purge(conn: Connection) -> int:
        result = conn.execute(
            text(
                "DELETE FROM events WHERE sender_id IN (SELECT sender_id FROM events "
                "GROUP BY sender_id HAVING MAX(timestamp) < :cutoff)"
            ),
            {"cutoff": cutoff},
        )
        return int(result.rowcount)

    return _run(store, "purge idle conversations", purge, 0)


def tracker_conversation(
    tracker_db: TrackerStore | None, sender_id: str | None
) -> list[dict[str, Any]] | None:
    """The user and bot messages Rasa's SQL tracker store (SQLite file path or SQLAlchemy URL)
    keeps for a sender (None: no store)."""
    if tracker_db is None or not sender_id:
        return None
    return conversation(tracker_db, sender_id)


def delete_tracker_conversation(
    tracker_db: TrackerStore | None, sender_id: str | None
) -> int | None:
    """Delete a sender's conversation from Rasa's SQL tracker store; rows deleted or None."""
    if tracker_db is None or not sender_id:
        return None
    return delete_conversation(tracker_db, sender_id)


def purge_idle_conversations(
    tracker_db: TrackerStore | None, *, now: datetime, idle_hours: int
) -> int | None:
    """Delete every conversation in Rasa's SQL tracker store idle for more than
    ``idle_hours`` (0 = keep forever); rows deleted, or None when there is no store."""
    if idle_hours <= 0 or tracker_db is None:
        return None
    deleted = purge_idle(tracker_db, now=now, idle_hours=idle_hours)
    if deleted:
        logger.info("Retention: deleted %d tracker events of conversations idle > %dh",
                    deleted, idle_hours)  # fmt: skip
    return deleted
