"""Against the real stack: Rasa's tracker store has the table and columns the resident
export/deletion reads, deletion removes one sender's conversation only, and an online backup
of the running stack's data directory restores (SQLite backup API while Rasa and the hub write)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from conversations.tracker import delete_tracker_conversation, tracker_conversation
from core.backup import restore_backup
from tests import heldout as h

ROOT = Path(__file__).resolve().parents[3]


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip


@pytest.mark.integration
def test_real_tracker_store_export_delete_and_online_backup(live_stack, tmp_path: Path) -> None:
    live_stack.say("web:privacy-a", h.HELLO_ANYONE)
    live_stack.say("web:privacy-a", h.BULB_BURNT_OUT)
    live_stack.say("web:privacy-b", h.HELLO_ANYONE)
    tracker = live_stack.data_dir / "rasa_tracker.db"
    with sqlite3.connect(tracker) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(events)")}
    assert {"sender_id", "type_name", "timestamp", "data"} <= columns
    conversation = tracker_conversation(tracker, "web:privacy-a")
    assert conversation is not None
    assert [m["text"] for m in conversation if m["type"] == "user"] == [
        h.HELLO_ANYONE,
        h.BULB_BURNT_OUT,
    ]
    assert any(m["type"] == "bot" and m["text"] for m in conversation)

    archive_dir = tmp_path / "backups"
    made = _cli(live_stack.env, "-m", "core.backup", "create", "--out", str(archive_dir))
    assert made.returncode == 0, made.stderr
    archive = Path(made.stdout.strip())
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert {"manifest.json", "cases.db", "knowledge.db", "rasa_tracker.db"} <= set(names)
    restored = tmp_path / "restored"
    restore_backup(archive, restored)
    assert tracker_conversation(restored / "rasa_tracker.db", "web:privacy-a") == conversation

    deleted = _cli(live_stack.env, "-m", "cases", "delete-resident", "--sender-id", "web:privacy-a")
    assert deleted.returncode == 0, deleted.stderr
    assert "删除对话记录" in deleted.stdout
    assert tracker_conversation(tracker, "web:privacy-a") == []
    assert tracker_conversation(tracker, "web:privacy-b")
    assert delete_tracker_conversation(tracker, "web:privacy-a") == 0
    # Rasa keeps working for the deleted sender: a fresh conversation
    assert live_stack.say("web:privacy-a", h.HELLO_ANYONE)
