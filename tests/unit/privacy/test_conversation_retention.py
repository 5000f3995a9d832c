"""Conversations idle past ``CASES_CONVERSATION_RETENTION_HOURS`` are deleted from Rasa's tracker
store by the hub's maintenance pass (the purge endpoint and the periodic sweep). The real Rasa
store is exercised in tests/faults/test_tracker_privacy.py."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from cases.api import sweep_once
from cases.clock import ManualClock
from conversations.tracker import purge_idle_conversations
from tests.unit.privacy.conftest import AUTH
from tests.unit.privacy.test_resident import make_tracker


def _at(path: Path, sender: str, when: datetime) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, ?)",
            (sender, when.timestamp(), json.dumps({"event": "user", "text": "你好"})),
        )


def _senders(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT DISTINCT sender_id FROM events")}


def test_purge_endpoint_deletes_idle_conversations_only(
    api: TestClient, hub: FastAPI, clock: ManualClock
) -> None:
    tracker = hub.state.settings.data_dir / "rasa_tracker.db"
    make_tracker(tracker, [])
    now = clock.now()
    _at(tracker, "tg:old", now - timedelta(hours=80))
    _at(tracker, "tg:busy", now - timedelta(hours=100))  # long conversation, still going
    _at(tracker, "tg:busy", now - timedelta(hours=2))
    _at(tracker, "tg:new", now - timedelta(hours=1))
    assert hub.state.cases.settings.conversation_retention_hours == 72
    out = api.post("/api/cases-admin/purge", headers=AUTH).json()
    assert out["conversation_events_deleted"] == 1
    assert _senders(tracker) == {"tg:busy", "tg:new"}
    clock.advance(hours=73)
    sweep_once(hub.state.cases)
    assert _senders(tracker) == set()


def test_zero_keeps_conversations_and_no_store_is_fine(
    api: TestClient, hub: FastAPI, clock: ManualClock, tmp_path: Path
) -> None:
    hub.state.cases.settings.conversation_retention_hours = 0
    tracker = hub.state.settings.data_dir / "rasa_tracker.db"
    assert (
        api.post("/api/cases-admin/purge", headers=AUTH).json()["conversation_events_deleted"]
        is None
    )  # no store yet
    make_tracker(tracker, [("tg:1", "user", "你好")])  # timestamp 1970
    assert (
        api.post("/api/cases-admin/purge", headers=AUTH).json()["conversation_events_deleted"]
        is None
    )
    assert _senders(tracker) == {"tg:1"}
    assert purge_idle_conversations(tmp_path / "none.db", now=clock.now(), idle_hours=1) is None
    assert purge_idle_conversations(tracker, now=clock.now(), idle_hours=1) == 1
