"""A durable queue of confirmed submissions the hub has not acknowledged yet (SQLite, stdlib).

A resident's confirmed case is written here before the hub is called, removed once the hub has
stored it, and retried (idempotently, by its key) until then — so a hub outage loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from pathlib import Path

from core.contracts import CaseCreate

logger = logging.getLogger(__name__)


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

    async def all(self) -> list[CaseCreate]:
        """Every waiting submission, oldest first."""
        return await asyncio.to_thread(self._all)
