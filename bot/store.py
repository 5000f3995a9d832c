"""Durable bot state in SQLite: the per-chat inbox queue, chat preferences, kept attachments,
long button payloads and the push cursor. Small, fast statements, serialised by one lock."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id INTEGER NOT NULL,
    update_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    text TEXT,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    last_try REAL,
    done REAL,
    UNIQUE (chat_id, update_id)
);
CREATE INDEX IF NOT EXISTS ix_inbox_chat_state ON inbox (chat_id, state, id);
CREATE TABLE IF NOT EXISTS chats (
    chat_id INTEGER PRIMARY KEY,
    elder_mode INTEGER NOT NULL DEFAULT 0,
    expect TEXT,
    last_case_no TEXT,
    last_case_at REAL,
    outage_notified INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    content_type TEXT,
    filename TEXT,
    data BLOB,
    latitude REAL,
    longitude REAL,
    created REAL NOT NULL,
    case_no TEXT,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS buttons (
    token TEXT PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    payload TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS pushes (
    outbox_id INTEGER PRIMARY KEY,
    delivered REAL NOT NULL,
    acked INTEGER NOT NULL DEFAULT 0
);
"""


class InboxState(StrEnum):
    """Where a resident's message is in the queue."""

    WAITING = "waiting"
    """Reserved (voice being recognised); later messages of the chat wait behind it."""
    PENDING = "pending"
    """Ready to go to Rasa."""
    UNCERTAIN = "uncertain"
    """Sent, but no answer: check Rasa's tracker before sending it again."""
    DONE = "done"
    DROPPED = "dropped"
    """Nothing to send (unclear voice note)."""


@dataclass
class InboxItem:
    """One resident message kept until Rasa has answered it."""

    id: int
    chat_id: int
    update_id: int
    kind: str
    text: str | None
    state: InboxState
    attempts: int
    last_try: float | None = None
    """When it was last sent to Rasa (epoch seconds)."""

    @property
    def message_id(self) -> str:
        """Stable id sent to Rasa as ``metadata.message_id`` (also an idempotency key)."""
        return f"tg:{self.chat_id}:{self.update_id}"


@dataclass
class ChatPrefs:
    """Per-chat settings and memory that survive restarts."""

    chat_id: int
    elder_mode: bool = False
    expect: str | None = None
    last_case_no: str | None = None
    last_case_at: float | None = None
    outage_notified: bool = False


@dataclass
class Attachment:
    """A photo or location waiting for (or attached to) a case."""

    id: int
    chat_id: int
    kind: str
    content_type: str | None
    filename: str | None
    data: bytes | None
    latitude: float | None
    longitude: float | None
    case_no: str | None
    state: str


class BotStore:
    """The bot's SQLite database (WAL)."""

    def __init__(self, path: Path | str) -> None:
        """Open (and create) the database; ``":memory:"`` works for tests."""
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(SCHEMA)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    # --- inbox -----------------------------------------------------------------------------

    def enqueue(
        self, chat_id: int, update_id: int, kind: str, text: str | None, *, waiting: bool = False
    ) -> int | None:
        """Keep a message; returns its row id, or None if this update was already queued."""
        state = InboxState.WAITING if waiting else InboxState.PENDING
        with self._lock:
            cur = self._conn.execute(
                "INSERT OR IGNORE INTO inbox (chat_id, update_id, kind, text, state, created)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (chat_id, update_id, kind, text, state, time.time()),
            )
            return int(cur.lastrowid) if cur.rowcount else None

    def fill(self, item_id: int, text: str | None) -> None:
        """Give a reserved (voice) message its text, or drop it when there is none."""
        state = InboxState.PENDING if text else InboxState.DROPPED
        with self._lock:
            self._conn.execute(
                "UPDATE inbox SET text = ?, state = ? WHERE id = ?", (text, state, item_id)
            )

    def next_item(self, chat_id: int) -> InboxItem | None:
        """The oldest unfinished message of a chat (may be WAITING: then nothing can go yet)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT * FROM inbox WHERE chat_id = ? AND state IN (?, ?, ?) ORDER BY id LIMIT 1",
                (chat_id, InboxState.WAITING, InboxState.PENDING, InboxState.UNCERTAIN),
            ).fetchone()
        if row is None:
            return None
        return InboxItem(
            id=row["id"],
            chat_id=row["chat_id"],
            update_id=row["update_id"],
            kind=row["kind"],
            text=row["text"],
            state=InboxState(row["state"]),
            attempts=row["attempts"],
            last_try=row["last_try"],
        )

    def set_state(self, item_id: int, state: InboxState, *, attempted: bool = False) -> None:
        """Move a message to another state (DONE records the time)."""
        with self._lock:
            now = time.time()
            self._conn.execute(
                "UPDATE inbox SET state = ?, attempts = attempts + ?,"
                " last_try = CASE WHEN ? THEN ? ELSE last_try END,"
                " done = CASE WHEN ? THEN ? ELSE done END WHERE id = ?",
                (state, 1 if attempted else 0, attempted, now, state == InboxState.DONE, now,
                 item_id),
            )  # fmt: skip

    def chats_with_work(self) -> list[int]:
        """Chats that have messages waiting for Rasa."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT DISTINCT chat_id FROM inbox WHERE state IN (?, ?)",
                (InboxState.PENDING, InboxState.UNCERTAIN),
            ).fetchall()
        return [r[0] for r in rows]

    def count(self, chat_id: int | None = None, state: InboxState | None = None) -> int:
        """How many inbox rows match (for tests and benchmarks)."""
        query, args = "SELECT COUNT(*) FROM inbox WHERE 1=1", []
        if chat_id is not None:
            query += " AND chat_id = ?"
            args.append(chat_id)
        if state is not None:
            query += " AND state = ?"
            args.append(state)
        with self._lock:
            return int(self._conn.execute(query, args).fetchone()[0])

    # --- chat preferences -------------------------------------------------------------------

    def prefs(self, chat_id: int) -> ChatPrefs:
        """The chat's preferences (defaults for a new chat)."""
        with self._lock:
            row = self._conn.execute("SELECT * FROM chats WHERE chat_id = ?", (chat_id,)).fetchone()
        if row is None:
            return ChatPrefs(chat_id=chat_id)
        return ChatPrefs(
            chat_id=chat_id,
            elder_mode=bool(row["elder_mode"]),
            expect=row["expect"],
            last_case_no=row["last_case_no"],
            last_case_at=row["last_case_at"],
            outage_notified=bool(row["outage_notified"]),
        )

    def save_prefs(self, prefs: ChatPrefs) -> None:
        """Write the chat's preferences."""
        with self._lock:
            self._conn.execute(
                "INSERT INTO chats (chat_id, elder_mode, expect, last_case_no, last_case_at,"
                " outage_notified) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(chat_id) DO UPDATE SET"
                " elder_mode = excluded.elder_mode, expect = excluded.expect,"
                " last_case_no = excluded.last_case_no, last_case_at = excluded.last_case_at,"
                " outage_notified = excluded.outage_notified",
                (
                    prefs.chat_id,
                    int(prefs.elder_mode),
                    prefs.expect,
                    prefs.last_case_no,
                    prefs.last_case_at,
                    int(prefs.outage_notified),
                ),
            )

    # --- attachments ------------------------------------------------------------------------

    def add_attachment(
        self,
        chat_id: int,
        kind: str,
        *,
        data: bytes | None = None,
        content_type: str | None = None,
        filename: str | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
    ) -> int:
        """Keep a photo or location until it is attached to a case."""
        with self._lock:
            cur = self._conn.execute(
                "INSERT INTO attachments (chat_id, kind, content_type, filename, data, latitude,"
                " longitude, created, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
                (chat_id, kind, content_type, filename, data, latitude, longitude, time.time()),
            )
            return int(cur.lastrowid)

    def pending_attachments(self, chat_id: int, case_no: str | None = None) -> list[Attachment]:
        """Attachments of a chat not yet stored with a case (or meant for ``case_no``)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM attachments WHERE chat_id = ? AND state = 'pending'"
                " AND (case_no IS NULL OR case_no = ?) ORDER BY id",
                (chat_id, case_no),
            ).fetchall()
        return [
            Attachment(
                id=r["id"],
                chat_id=r["chat_id"],
                kind=r["kind"],
                content_type=r["content_type"],
                filename=r["filename"],
                data=r["data"],
                latitude=r["latitude"],
                longitude=r["longitude"],
                case_no=r["case_no"],
                state=r["state"],
            )
            for r in rows
        ]

    def assign_case(self, chat_id: int, case_no: str) -> None:
        """Give the chat's kept attachments their case (they are sent now or retried later)."""
        with self._lock:
            self._conn.execute(
                "UPDATE attachments SET case_no = ? WHERE chat_id = ? AND state = 'pending'"
                " AND case_no IS NULL",
                (case_no, chat_id),
            )

    def attachments_to_retry(self, now: float | None = None) -> list[tuple[int, str]]:
        """(chat, case) pairs with attachments that have a case but did not reach it yet."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT DISTINCT chat_id, case_no FROM attachments"
                " WHERE state = 'pending' AND case_no IS NOT NULL AND next_try <= ?",
                (time.time() if now is None else now,),
            ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def attachment_failed(self, attachment_id: int, *, give_up_after: int = 12) -> None:
        """Back off before the next try (1 min, doubling, at most 1 h); give up at last."""
        with self._lock:
            row = self._conn.execute(
                "SELECT attempts FROM attachments WHERE id = ?", (attachment_id,)
            ).fetchone()
            attempts = (row[0] if row else 0) + 1
            state = "failed" if attempts >= give_up_after else "pending"
            delay = min(60.0 * 2 ** (attempts - 1), 3600.0)
            self._conn.execute(
                "UPDATE attachments SET attempts = ?, next_try = ?, state = ? WHERE id = ?",
                (attempts, time.time() + delay, state, attachment_id),
            )

    def mark_attached(self, attachment_id: int, case_no: str) -> None:
        """Record that the case system has the attachment (its bytes are dropped here)."""
        with self._lock:
            self._conn.execute(
                "UPDATE attachments SET state = 'attached', case_no = ?, data = NULL WHERE id = ?",
                (case_no, attachment_id),
            )

    # --- long button payloads ---------------------------------------------------------------

    def save_button(self, token: str, chat_id: int, title: str, payload: str) -> None:
        """Remember a button whose payload does not fit Telegram's 64-byte callback data."""
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO buttons (token, chat_id, title, payload, created)"
                " VALUES (?, ?, ?, ?, ?)",
                (token, chat_id, title, payload, time.time()),
            )

    def button(self, token: str) -> tuple[str, str] | None:
        """(title, payload) of a remembered button."""
        with self._lock:
            row = self._conn.execute(
                "SELECT title, payload FROM buttons WHERE token = ?", (token,)
            ).fetchone()
        return (row["title"], row["payload"]) if row else None

    # --- pushes -----------------------------------------------------------------------------

    def push_delivered(self, outbox_id: int) -> bool:
        """Whether this outbox message was already sent to Telegram."""
        with self._lock:
            row = self._conn.execute(
                "SELECT 1 FROM pushes WHERE outbox_id = ?", (outbox_id,)
            ).fetchone()
        return row is not None

    def mark_push_delivered(self, outbox_id: int) -> None:
        """Record that an outbox message reached the resident."""
        with self._lock:
            self._conn.execute(
                "INSERT OR IGNORE INTO pushes (outbox_id, delivered) VALUES (?, ?)",
                (outbox_id, time.time()),
            )

    def mark_push_acked(self, outbox_ids: list[int]) -> None:
        """Record that the case system knows these messages were delivered."""
        with self._lock:
            self._conn.executemany(
                "UPDATE pushes SET acked = 1 WHERE outbox_id = ?", [(i,) for i in outbox_ids]
            )

    def unacked_pushes(self) -> list[int]:
        """Delivered pushes the case system has not been told about yet."""
        with self._lock:
            rows = self._conn.execute("SELECT outbox_id FROM pushes WHERE acked = 0").fetchall()
        return [r[0] for r in rows]
