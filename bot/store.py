"""Durable bot state in SQLite: the per-chat inbox queue, chat preferences, kept attachments,
long button payloads, delivered outbox pushes, and who gets which community notice.

``BotStore`` is synchronous: small, fast statements on one connection, serialised by one lock
(safe from any thread). Coroutines never call it directly: they use ``store.aio``
(``AsyncBotStore``, bot/store_async.py), which runs each call on the store's own worker thread,
one call at a time in the order they were made, so the event loop never waits on SQLite and a
chat's messages are queued in the order Telegram's updates were handled. The records it keeps are
in bot/records.py.

Why this module is longer than ~400 lines: it is the schema and the statements of one database,
grouped by table (inbox, chats, attachments, buttons, pushes, notices, cursors), that share one
connection and one re-entrant lock (a combined step such as ``update_prefs`` or
``claim_notice`` holds it across several statements); splitting it by table would split that lock
or hand it around, for no separate job."""

from __future__ import annotations

import dataclasses
import functools
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.records import (
    CASES_SOURCE,
    Attachment,
    ChatPrefs,
    InboxItem,
    InboxState,
    NoticePref,
    NoticeSend,
    NoticeWants,
)

if TYPE_CHECKING:
    from bot.store_async import AsyncBotStore

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
CREATE TABLE IF NOT EXISTS outbox_pushes (
    source TEXT NOT NULL,
    outbox_id INTEGER NOT NULL,
    delivered REAL NOT NULL,
    acked INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source, outbox_id)
);
CREATE TABLE IF NOT EXISTS notice_prefs (
    chat_id INTEGER PRIMARY KEY,
    wants TEXT NOT NULL DEFAULT 'community',
    building TEXT,
    blocked INTEGER NOT NULL DEFAULT 0,
    since REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS notice_sends (
    notice_id INTEGER NOT NULL,
    chat_id INTEGER NOT NULL,
    state TEXT NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (notice_id, chat_id)
);
CREATE TABLE IF NOT EXISTS cursors (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""

__all__ = [
    "CASES_SOURCE",
    "Attachment",
    "BotStore",
    "ChatPrefs",
    "InboxItem",
    "InboxState",
    "NoticePref",
    "NoticeSend",
    "NoticeWants",
]


class BotStore:
    """The bot's SQLite database (WAL)."""

    def __init__(self, path: Path | str) -> None:
        """Open (and create) the database; ``":memory:"`` works for tests."""
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        """Serialises the connection; re-entrant so a combined step can use the plain ones."""
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            had_notices = self._table_exists("notice_prefs")
            self._conn.executescript(SCHEMA)
            self._migrate(had_notices)

    def _table_exists(self, name: str) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        return row is not None

    def _migrate(self, had_notices: bool) -> None:
        """Bring an older database up to date (under the lock, in one transaction)."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            if self._table_exists("pushes"):
                # pushes were the case system's only: keep them under their source
                self._conn.execute(
                    "INSERT OR IGNORE INTO outbox_pushes (source, outbox_id, delivered, acked)"
                    " SELECT ?, outbox_id, delivered, acked FROM pushes",
                    (CASES_SOURCE,),
                )
                self._conn.execute("DROP TABLE pushes")
            if not had_notices:
                # chats that talked to the bot before notices existed get community notices
                self._conn.execute(
                    "INSERT OR IGNORE INTO notice_prefs (chat_id, since)"
                    " SELECT chat_id, ? FROM chats UNION SELECT DISTINCT chat_id, ? FROM inbox",
                    (time.time(), time.time()),
                )
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise

    @functools.cached_property
    def aio(self) -> AsyncBotStore:
        """This store for coroutines: every call off the event loop (see ``AsyncBotStore``)."""
        from bot.store_async import AsyncBotStore

        return AsyncBotStore(self)

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

    def update_prefs(
        self, chat_id: int, change: Callable[[ChatPrefs], bool | None]
    ) -> tuple[ChatPrefs, ChatPrefs]:
        """Read, change and write the chat's preferences in one step (no other statement in
        between). ``change`` edits the prefs in place; when it returns False nothing is written.

        Returns:
            The preferences before and after.
        """
        with self._lock:
            before = self.prefs(chat_id)
            after = dataclasses.replace(before)
            if change(after) is not False:
                self.save_prefs(after)
        return before, after

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

    def attachments_for(self, chat_id: int, case_no: str) -> list[Attachment]:
        """``assign_case`` then ``pending_attachments`` in one step: the chat's kept attachments
        given to ``case_no`` and everything still to send to it (nothing added in between)."""
        with self._lock:
            self.assign_case(chat_id, case_no)
            return self.pending_attachments(chat_id, case_no)

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

    def button(self, token: str, chat_id: int | None = None) -> tuple[str, str] | None:
        """(title, payload) of a remembered button (only the chat's own when ``chat_id``)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT title, payload FROM buttons WHERE token = ? AND (? IS NULL OR chat_id = ?)",
                (token, chat_id, chat_id),
            ).fetchone()
        return (row["title"], row["payload"]) if row else None

    # --- pushes -----------------------------------------------------------------------------

    def push_delivered(self, outbox_id: int, source: str = CASES_SOURCE) -> bool:
        """Whether this outbox message was already sent to Telegram."""
        with self._lock:
            row = self._conn.execute(
                "SELECT 1 FROM outbox_pushes WHERE source = ? AND outbox_id = ?",
                (source, outbox_id),
            ).fetchone()
        return row is not None

    def mark_push_delivered(self, outbox_id: int, source: str = CASES_SOURCE) -> None:
        """Record that an outbox message reached the resident."""
        with self._lock:
            self._conn.execute(
                "INSERT OR IGNORE INTO outbox_pushes (source, outbox_id, delivered)"
                " VALUES (?, ?, ?)",
                (source, outbox_id, time.time()),
            )

    def mark_push_acked(self, outbox_ids: list[int], source: str = CASES_SOURCE) -> None:
        """Record that the outbox's owner knows these messages were delivered."""
        with self._lock:
            self._conn.executemany(
                "UPDATE outbox_pushes SET acked = 1 WHERE source = ? AND outbox_id = ?",
                [(source, i) for i in outbox_ids],
            )

    def unacked_pushes(self, source: str = CASES_SOURCE) -> list[int]:
        """Delivered pushes the outbox's owner has not been told about yet."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT outbox_id FROM outbox_pushes WHERE source = ? AND acked = 0", (source,)
            ).fetchall()
        return [r[0] for r in rows]

    # --- community notices ------------------------------------------------------------------

    def seen_chat(self, chat_id: int) -> None:
        """A chat talked to the bot: it gets community notices unless it said no (a chat that
        had blocked the bot and talks again is reachable again)."""
        with self._lock:
            self._conn.execute(
                "INSERT INTO notice_prefs (chat_id, since) VALUES (?, ?)"
                " ON CONFLICT(chat_id) DO UPDATE SET blocked = 0 WHERE blocked = 1",
                (chat_id, time.time()),
            )

    def notice_pref(self, chat_id: int) -> NoticePref:
        """The chat's notice setting (community notices for a chat not seen yet)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT * FROM notice_prefs WHERE chat_id = ?", (chat_id,)
            ).fetchone()
        return _notice_pref(row) if row else NoticePref(chat_id=chat_id)

    def set_notice_pref(
        self, chat_id: int, wants: NoticeWants, building: str | None = None
    ) -> None:
        """Save the chat's choice (the building is kept when ``building`` is None)."""
        with self._lock:
            self._conn.execute(
                "INSERT INTO notice_prefs (chat_id, wants, building, since) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(chat_id) DO UPDATE SET wants = excluded.wants, blocked = 0,"
                " building = COALESCE(excluded.building, notice_prefs.building)",
                (chat_id, str(wants), building, time.time()),
            )

    def notice_audience(self) -> list[NoticePref]:
        """Chats that may get notices (not unsubscribed, not blocked)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM notice_prefs WHERE wants != ? AND blocked = 0 ORDER BY chat_id",
                (str(NoticeWants.OFF),),
            ).fetchall()
        return [_notice_pref(r) for r in rows]

    def claim_notice(self, notice_id: int, chat_id: int) -> bool:
        """Take the right to send a notice to a chat; False when it was sent (or claimed)."""
        with self._lock:
            cur = self._conn.execute(
                "INSERT OR IGNORE INTO notice_sends (notice_id, chat_id, state, at)"
                " VALUES (?, ?, ?, ?)",
                (notice_id, chat_id, str(NoticeSend.SENDING), time.time()),
            )
            return bool(cur.rowcount)

    def finish_notice(self, notice_id: int, chat_id: int, state: NoticeSend) -> None:
        """Record what became of a claimed notice; ``BLOCKED`` also stops further notices."""
        with self._lock:
            self._conn.execute(
                "UPDATE notice_sends SET state = ?, at = ? WHERE notice_id = ? AND chat_id = ?",
                (str(state), time.time(), notice_id, chat_id),
            )
            if state == NoticeSend.BLOCKED:
                self._conn.execute(
                    "UPDATE notice_prefs SET blocked = 1 WHERE chat_id = ?", (chat_id,)
                )

    def release_notice(self, notice_id: int, chat_id: int) -> None:
        """Give back a claim whose send certainly did not happen (sent again next round)."""
        with self._lock:
            self._conn.execute(
                "DELETE FROM notice_sends WHERE notice_id = ? AND chat_id = ? AND state = ?",
                (notice_id, chat_id, str(NoticeSend.SENDING)),
            )

    def notice_sends(self, notice_id: int) -> dict[int, NoticeSend]:
        """Chat → state of one notice (tests, operators)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT chat_id, state FROM notice_sends WHERE notice_id = ?", (notice_id,)
            ).fetchall()
        return {r[0]: NoticeSend(r[1]) for r in rows}

    def cursor(self, name: str) -> int:
        """A named watermark (0 when never set)."""
        with self._lock:
            row = self._conn.execute("SELECT value FROM cursors WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else 0

    def advance_cursor(self, name: str, value: int) -> None:
        """Move a watermark forward (never back)."""
        with self._lock:
            self._conn.execute(
                "INSERT INTO cursors (name, value) VALUES (?, ?) ON CONFLICT(name)"
                " DO UPDATE SET value = MAX(value, excluded.value)",
                (name, value),
            )


def _notice_pref(row: sqlite3.Row) -> NoticePref:
    return NoticePref(
        chat_id=row["chat_id"],
        wants=NoticeWants(row["wants"]),
        building=row["building"],
        blocked=bool(row["blocked"]),
        since=float(row["since"]),
    )
