"""The action server's queue as an owner of residents' data (``core/resident_data.py``).

Confirmed submissions wait in the queue (``actions/pending.py``) while the hub is unreachable;
a resident's export and deletion on request cover them. The hub registers this owner
(``core/hub.py``, ``OWNERS``): the hub and the action server share the data directory, and the
queue is read and changed here, in the package that owns it, never by the case system.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from actions.pending import forget_resident, queue_path, resident_submissions
from core.config import HubSettings
from core.resident_data import PENDING_SUBMISSIONS, Resident


class PendingSubmissionsData:
    """A resident's submissions still waiting in the action server's queue file."""

    name = PENDING_SUBMISSIONS
    label = "待提交的事项"

    def __init__(self, path: Path) -> None:
        """The queue file (``actions.pending.queue_path``); it need not exist."""
        self.path = path

    def export(self, resident: Resident) -> dict[str, Any]:
        """``submissions``: the waiting submissions by the resident's phone or sender ids."""
        found = resident_submissions(
            self.path, phone=resident.phone, sender_ids=set(resident.sender_ids)
        )
        return {"submissions": [c.model_dump(mode="json") for c in found or []]}

    def delete(self, resident: Resident, now: datetime) -> dict[str, int]:
        """``submissions_deleted``: how many were deleted (nothing when there is no queue)."""
        deleted = forget_resident(
            self.path, phone=resident.phone, sender_ids=set(resident.sender_ids)
        )
        return {} if deleted is None else {"submissions_deleted": deleted}

    def describe(self, counts: dict[str, int]) -> str:
        """One plain sentence for ``delete``'s counts."""
        return f"删除待提交的事项 {counts.get('submissions_deleted', 0)} 件"


def resident_data_owner(settings: HubSettings) -> PendingSubmissionsData:
    """The owner for a hub's data directory (what ``core/hub.py`` registers)."""
    return PendingSubmissionsData(queue_path(settings.data_dir))
