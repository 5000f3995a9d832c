"""conversations/tracker.py on SQLite: a tracker store addressed by file path or SQLAlchemy URL,
export / deletion of one sender, idle purge, no store vs. no table yet, a broken store. The same
queries on PostgreSQL with Rasa's own tracker store: tests/postgres/test_tracker_store.py."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conversations import tracker as conversations
from conversations.config import TrackerSettings
from conversations.tracker import tracker_store
from tests.unit.privacy.test_resident import make_tracker

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def _add(path: Path, sender: str, kind: str, text: str | None, hours_ago: float) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)",
            (sender, kind, (NOW - timedelta(hours=hours_ago)).timestamp(),
             json.dumps({"event": kind, "text": text})),
        )  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "rasa_tracker.db"
    make_tracker(path, [])
    _add(path, "tg:1", "action", None, 90)
    _add(path, "tg:1", "user", "楼道灯坏了", 90)
    _add(path, "tg:1", "bot", "好的", 80)
    _add(path, "tg:2", "user", "你好", 100)
    _add(path, "tg:2", "user", "还在吗", 1)
    return path


def test_urls_from_paths_and_urls(tmp_path: Path) -> None:
    assert conversations.tracker_url(tmp_path / "t.db") == f"sqlite:///{tmp_path / 't.db'}"
    assert conversations.tracker_url(str(tmp_path / "t.db")) == f"sqlite:///{tmp_path / 't.db'}"
    assert conversations.tracker_url("postgresql://u:p@pg:5432/linli") == (
        "postgresql+psycopg://u:p@pg:5432/linli"
    )
    assert conversations.tracker_url("sqlite:////srv/t.db") == "sqlite:////srv/t.db"


def test_path_and_url_read_the_same_store(store: Path) -> None:
    by_path = conversations.conversation(store, "tg:1")
    said = [(m["type"], m["text"]) for m in by_path or []]
    assert said == [("user", "楼道灯坏了"), ("bot", "好的")]
    assert conversations.conversation(f"sqlite:///{store}", "tg:1") == by_path
    assert conversations.conversation(store, "tg:unknown") == []


def test_delete_one_sender_only(store: Path) -> None:
    assert conversations.delete_conversation(f"sqlite:///{store}", "tg:1") == 3
    assert conversations.conversation(store, "tg:1") == []
    assert len(conversations.conversation(store, "tg:2") or []) == 2
    assert conversations.delete_conversation(store, "tg:1") == 0


def test_purge_keeps_conversations_with_a_recent_message(store: Path) -> None:
    assert conversations.purge_idle(store, now=NOW, idle_hours=72) == 3
    assert conversations.conversation(store, "tg:1") == []
    assert len(conversations.conversation(store, "tg:2") or []) == 2  # last message 1 h ago
    assert conversations.purge_idle(store, now=NOW, idle_hours=72) == 0
    assert conversations.purge_idle(store, now=NOW + timedelta(hours=2), idle_hours=1) == 2


def test_no_store_no_table_and_a_broken_store(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "missing.db"
    assert conversations.conversation(missing, "tg:1") is None
    assert conversations.delete_conversation(f"sqlite:///{missing}", "tg:1") is None
    assert conversations.purge_idle(missing, now=NOW, idle_hours=1) is None
    assert not missing.exists()  # looking did not create it
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()  # Rasa not started yet: a database without the table
    assert conversations.conversation(empty, "tg:1") == []
    assert conversations.delete_conversation(empty, "tg:1") == 0
    assert conversations.purge_idle(empty, now=NOW, idle_hours=1) == 0
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"not a database at all" * 100)
    assert conversations.delete_conversation(broken, "tg:13812345678") is None
    assert "could not delete a conversation" in caplog.text
    assert "13812345678" not in caplog.text  # the query's values are not logged


def test_setting_accepts_a_url_or_a_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("CASES_RASA_TRACKER_URL", "LINLI_RASA_TRACKER_URL", "CASES_RASA_TRACKER_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LINLI_RASA_TRACKER_DB", str(tmp_path / "t.db"))
    setting = TrackerSettings().rasa_tracker_db
    assert tracker_store(tmp_path, setting) == tmp_path / "t.db"
    url = "postgresql://linli:pw@postgres:5432/linli"
    monkeypatch.setenv("LINLI_RASA_TRACKER_URL", url)
    setting = TrackerSettings().rasa_tracker_db
    assert tracker_store(tmp_path, setting) == url  # a URL wins and stays a URL
    assert tracker_store(tmp_path, None) == tmp_path / "rasa_tracker.db"
