"""Rasa's tracker store as an owner of residents' data (``conversations/resident_data.py``) that
the hub registers (``core/hub.py``, ``OWNERS``); the case system reaches it only through
``core/resident_data.py`` and reports it where it always did (``conversations``,
``tracker_events_deleted``, ``conversation_events_deleted``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI

from conversations.resident_data import TrackerConversations
from core.resident_data import CONVERSATIONS, Resident, conversation_store, registered
from tests.unit.privacy.test_resident import make_tracker

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def test_the_hub_registers_the_tracker_store(hub: FastAPI) -> None:
    owners = [o for o in registered(hub.state) if o.name == CONVERSATIONS]
    assert len(owners) == 1 and isinstance(owners[0], TrackerConversations)
    assert owners[0].store == hub.state.settings.data_dir / "rasa_tracker.db"
    assert conversation_store(registered(hub.state)) is owners[0]
    assert hub.state.cases.resident_data() == registered(hub.state)


def test_export_delete_and_purge_by_sender(tmp_path: Path) -> None:
    store = tmp_path / "rasa_tracker.db"
    make_tracker(store, [("tg:1", "user", "楼道灯坏了"), ("web:a", "bot", "好的"),
                         ("tg:2", "user", "别人的话")])  # fmt: skip
    owner = TrackerConversations(store)
    resident = Resident(("tg:1", "web:a", "web:none"), "13812345678", "zhang")
    assert owner.export(resident) == {
        "conversations": {
            "tg:1": [{"type": "user", "timestamp": 1.0, "text": "楼道灯坏了"}],
            "web:a": [{"type": "bot", "timestamp": 1.0, "text": "好的"}],
            "web:none": [],
        }
    }
    assert owner.delete(resident, NOW) == {"events_deleted": 2}
    assert owner.describe({"events_deleted": 2}) == "删除对话记录 2 条"
    assert owner.export(resident)["conversations"]["tg:1"] == []
    assert owner.purge_idle(NOW, 0) is None  # kept forever
    assert owner.purge_idle(NOW, 1) == 1  # tg:2, last said in 1970


def test_no_store_is_nothing_to_export_or_delete(tmp_path: Path) -> None:
    resident = Resident(("tg:1",), None, "zhang")
    for owner in (TrackerConversations(tmp_path / "missing.db"), TrackerConversations(None)):
        assert owner.export(resident) == {"conversations": {}}
        assert owner.delete(resident, NOW) == {}
        assert owner.purge_idle(NOW, 1) is None
