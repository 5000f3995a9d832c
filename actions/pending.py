"""A durable queue of confirmed submissions the hub has not acknowledged yet (SQLite, stdlib).

A resident's confirmed case is written here before the hub is called, removed once the hub has
stored it, and retried (idempotently, by its key) until then — so a hub outage loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from core.contracts import CaseCreate, Location

logger = logging.getLogger(__name__)

PENDING_DB = "actions_pending.db"
"""The queue's file name in the data directory."""


def queue_path(data_dir: Path) -> Path:
    """Where the action server keeps its queue in a data directory."""
    return data_dir / PENDING_DB


YISHI_TABLE = (
    "CREATE TABLE IF NOT EXISTS pending_yishi (key TEXT PRIMARY KEY, kind TEXT NOT NULL, "
    "poll INTEGER, resident_key TEXT, payload TEXT NOT NULL, created REAL NOT NULL)"
)
"""议事 submissions (a proposal, a vote) waiting for the hub: ``kind`` 'proposal' | 'vote',
``payload`` the ProposalIn / VoteIn JSON, ``poll`` the poll a vote is for."""


@dataclass(frozen=True)
class PendingYishi:
    """A confirmed proposal or vote the hub has not stored yet."""

    key: str
    kind: str
    poll: int | None
    payload: str


class PendingSubmissions:
    """Confirmed CaseCreate payloads waiting for the hub, keyed by idempotency key."""

    def __init__(self, path: Path) -> None:
        self._path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS pending (key TEXT PRIMARY KEY, payload TEXT NOT NULL, "
                "created REAL NOT NULL, attempts INTEGER NOT NULL DEFAULT 0)"
            )
            db.execute(YISHI_TABLE)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self._path, timeout=10)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def _add(self, case: CaseCreate) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT OR IGNORE INTO pending (key, payload, created) VALUES (?, ?, ?)",
                (case.idempotency_key, case.model_dump_json(), time.time()),
            )

    def _remove(self, key: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM pending WHERE key = ?", (key,))

    def _amend(self, key: str, location: Location | None, contact_phone: str | None) -> bool:
        with self._connect() as db:
            row = db.execute("SELECT payload FROM pending WHERE key = ?", (key,)).fetchone()
            if row is None:
                return False
            case = CaseCreate.model_validate_json(row[0])
            update: dict[str, object] = {}
            if location is not None:
                old = case.location.model_dump() if case.location else {}
                update["location"] = Location.model_validate(
                    {k: v or old.get(k) for k, v in location.model_dump().items()}
                )
            if contact_phone:
                update.update(contact_phone=contact_phone, contact_declined=False)
            amended = case.model_copy(update=update)
            db.execute(
                "UPDATE pending SET payload = ? WHERE key = ?", (amended.model_dump_json(), key)
            )
        return True

    def _all(self) -> list[CaseCreate]:
        with self._connect() as db:
            rows = db.execute("SELECT payload FROM pending ORDER BY created").fetchall()
        return [CaseCreate.model_validate_json(r[0]) for r in rows]

    async def add(self, case: CaseCreate) -> None:
        """Store a confirmed submission durably (before the hub is called)."""
        if not case.idempotency_key:
            raise ValueError("a pending submission needs an idempotency key")
        await asyncio.to_thread(self._add, case)

    async def remove(self, key: str) -> None:
        """Forget a submission the hub has stored."""
        await asyncio.to_thread(self._remove, key)

    async def amend(
        self, key: str, *, location: Location | None = None, contact_phone: str | None = None
    ) -> bool:
        """Add a location / phone to a submission still waiting; False when it is gone."""
        return await asyncio.to_thread(self._amend, key, location, contact_phone)

    async def all(self) -> list[CaseCreate]:
        """Every waiting submission, oldest first."""
        return await asyncio.to_thread(self._all)

    def _add_yishi(self, item: PendingYishi, resident_key: str | None) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO pending_yishi (key, kind, poll, resident_key, payload, "
                "created) VALUES (?, ?, ?, ?, ?, ?)",
                (item.key, item.kind, item.poll, resident_key, item.payload, time.time()),
            )

    def _remove_yishi(self, key: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM pending_yishi WHERE key = ?", (key,))

    def _all_yishi(self) -> list[PendingYishi]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT key, kind, poll, payload FROM pending_yishi ORDER BY created"
            ).fetchall()
        return [PendingYishi(*row) for row in rows]

    async def add_yishi(self, item: PendingYishi, resident_key: str | None) -> None:
        """Keep a confirmed proposal or vote durably until the hub stores it (a later vote of
        the same resident on the same poll replaces a waiting one: same key)."""
        await asyncio.to_thread(self._add_yishi, item, resident_key)

    async def remove_yishi(self, key: str) -> None:
        """Forget a proposal or vote the hub has stored (or refused)."""
        await asyncio.to_thread(self._remove_yishi, key)

    async def all_yishi(self) -> list[PendingYishi]:
        """Every waiting proposal and vote, oldest first."""
        return await asyncio.to_thread(self._all_yishi)

    async def waiting(self) -> bool:
        """True while anything (case, proposal, vote) waits for the hub."""
        return bool(await self.all()) or bool(await self.all_yishi())


def _digits(phone: str | None) -> str:
    return "".join(ch for ch in phone or "" if ch.isdigit())


def _of_resident(case: CaseCreate, phone_digits: str, sender_ids: set[str]) -> bool:
    if phone_digits and _digits(case.contact_phone) == phone_digits:
        return True
    return bool(case.sender_id) and case.sender_id in sender_ids


def resident_submissions(
    path: Path, *, phone: str | None, sender_ids: set[str]
) -> list[CaseCreate] | None:
    """A resident's waiting submissions (by phone or sender id); None when there is no queue.

    For the hub's export on request: it reads the queue file, it does not run the action server.
    """
    if not path.exists():
        return None
    phone_digits = _digits(phone)
    with sqlite3.connect(path, timeout=30) as db:
        rows = db.execute("SELECT payload FROM pending ORDER BY created").fetchall()
    cases = [CaseCreate.model_validate_json(r[0]) for r in rows]
    return [c for c in cases if _of_resident(c, phone_digits, sender_ids)]


def forget_resident(path: Path, *, phone: str | None, sender_ids: set[str]) -> int | None:
    """Delete a resident's waiting submissions (deletion on request); how many, or None when
    there is no queue. They are never delivered afterwards."""
    if not path.exists():
        return None
    phone_digits = _digits(phone)
    with sqlite3.connect(path, timeout=30) as db:
        rows = db.execute("SELECT key, payload FROM pending").fetchall()
        keys = [
            key for key, payload in rows
            if _of_resident(CaseCreate.model_validate_json(payload), phone_digits, sender_ids)
        ]  # fmt: skip
        db.executemany("DELETE FROM pending WHERE key = ?", [(k,) for k in keys])
        db.execute(YISHI_TABLE)
        marks = ",".join("?" * len(sender_ids))
        yishi = (
            db.execute(
                f"DELETE FROM pending_yishi WHERE resident_key IN ({marks})", sorted(sender_ids)
            ).rowcount
            if sender_ids
            else 0
        )
    if keys or yishi:
        logger.info("Deleted %d waiting submissions on request", len(keys) + yishi)
    return len(keys) + yishi
