"""Rasa's tracker store as an owner of residents' data (``core/resident_data.py``).

The hub registers it (``core/hub.py``, ``OWNERS``); the case system takes it by its name
(``core.resident_data.CONVERSATIONS``) and reports it where it always did: the conversations by
sender id in its export (``conversations``), the events deleted in its deletion
(``tracker_events_deleted``), and the idle purge of its sweep (``conversation_events_deleted``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from conversations.config import TrackerSettings
from conversations.tracker import (
    TrackerStore,
    delete_tracker_conversation,
    purge_idle_conversations,
    tracker_conversation,
    tracker_store,
)
from core.config import HubSettings
from core.resident_data import CONVERSATIONS, Resident


class TrackerConversations:
    """A resident's conversations in Rasa's SQL tracker store, by their sender ids."""

    name = CONVERSATIONS
    label = "对话记录"

    def __init__(self, store: TrackerStore | None) -> None:
        """The store (SQLite file path or SQLAlchemy URL; None: no store); it need not exist."""
        self.store = store

    def export(self, resident: Resident) -> dict[str, Any]:
        """``conversations``: each sender id's messages (``type``, ``timestamp``, ``text``),
        senders the store cannot be read for left out."""
        found = {s: tracker_conversation(self.store, s) for s in sorted(resident.sender_ids)}
        return {"conversations": {s: conv for s, conv in found.items() if conv is not None}}

    def delete(self, resident: Resident, now: datetime) -> dict[str, int]:
        """``events_deleted``: events of the resident's senders deleted (nothing when the store
        could not be reached for any of them)."""
        total: int | None = None
        for sender in sorted(resident.sender_ids):
            deleted = delete_tracker_conversation(self.store, sender)
            if deleted is not None:
                total = (total or 0) + deleted
        return {} if total is None else {"events_deleted": total}

    def describe(self, counts: dict[str, int]) -> str:
        """One plain sentence for ``delete``'s counts."""
        return f"删除对话记录 {counts.get('events_deleted', 0)} 条"

    def purge_idle(self, now: datetime, idle_hours: int) -> int | None:
        """Delete every conversation idle for more than ``idle_hours`` (0 = keep forever);
        events deleted, or None when there is no store."""
        return purge_idle_conversations(self.store, now=now, idle_hours=idle_hours)


def resident_data_owner(settings: HubSettings) -> TrackerConversations:
    """The owner for a hub's data directory and tracker setting (what ``core/hub.py``
    registers)."""
    return TrackerConversations(tracker_store(settings.data_dir, TrackerSettings().rasa_tracker_db))
