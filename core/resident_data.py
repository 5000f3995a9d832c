"""One resident's data across the hub's parts (export and deletion on request).

Each part that keeps data about residents registers an owner at ``register()`` time; the owner
exports or deletes one resident's data in its own tables, and nothing else. The privacy request
(the case system's admin API and CLI) runs every registered owner, so a resident who asks to be
forgotten is forgotten everywhere, without one part touching another's tables. Owners outside the
hub's parts whose data the hub can reach (the action server's queue in its data directory, Rasa's
tracker store) are registered by the hub itself (``core/hub.py``, ``OWNERS``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeGuard

logger = logging.getLogger(__name__)

PENDING_SUBMISSIONS = "pending_submissions"
"""Name of the owner of the action server's queue of confirmed submissions not yet delivered to
the hub (``actions/resident_data.py``). The case system reports it inside its own export
(``pending_submissions``) and deletion (``pending_deleted``), not as another part."""
CONVERSATIONS = "conversations"
"""Name of the owner of residents' conversations in Rasa's tracker store
(``conversations/resident_data.py``, a ``ConversationStore``). The case system reports it inside
its own export (``conversations``) and deletion (``tracker_events_deleted``), and its sweep purges
idle conversations through it."""


@dataclass(frozen=True)
class Resident:
    """Who a request is about (every channel identity found for them) and who handles it."""

    sender_ids: tuple[str, ...]
    phone: str | None
    operator: str


class ResidentDataOwner(Protocol):
    """A part's export and deletion of one resident's data (blocking; run in a worker thread)."""

    name: str
    """Key of this part's section in the export and in the deletion report."""
    label: str
    """The part's name for people (议事)."""

    def export(self, resident: Resident) -> dict[str, Any]:
        """Everything this part keeps about the resident, as plain data."""

    def delete(self, resident: Resident, now: datetime) -> dict[str, int]:
        """Delete (or unlink) the resident's data; counts of what was done."""

    def describe(self, counts: dict[str, int]) -> str:
        """One plain Chinese sentence for the counts ``delete`` returned."""


class ConversationStore(ResidentDataOwner, Protocol):
    """The owner of the conversations (``CONVERSATIONS``), which also keeps them only while
    they are in use."""

    def purge_idle(self, now: datetime, idle_hours: int) -> int | None:
        """Delete every conversation idle for more than ``idle_hours`` (0 = keep forever);
        what was deleted, or None when there is no store."""


def register_owner(state: Any, owner: ResidentDataOwner) -> None:
    """Add ``owner`` to the app state's registry (``app.state``)."""
    owners = getattr(state, "resident_data_owners", None)
    if owners is None:
        owners = []
        state.resident_data_owners = owners
    owners.append(owner)


def registered(state: Any) -> list[ResidentDataOwner]:
    """The owners registered on ``app.state`` (none: an empty list)."""
    return list(getattr(state, "resident_data_owners", None) or [])


def take(
    owners: list[ResidentDataOwner], name: str
) -> tuple[ResidentDataOwner | None, list[ResidentDataOwner]]:
    """The owner called ``name`` (None: not registered) and the others, in their order."""
    found = next((o for o in owners if o.name == name), None)
    return found, [o for o in owners if o is not found]


def conversation_store(owners: list[ResidentDataOwner]) -> ConversationStore | None:
    """The registered owner of the conversations (``CONVERSATIONS``), if any."""
    found, _ = take(owners, CONVERSATIONS)
    return found if _is_conversation_store(found) else None


def _is_conversation_store(owner: ResidentDataOwner | None) -> TypeGuard[ConversationStore]:
    return owner is not None and callable(getattr(owner, "purge_idle", None))


def export_all(owners: list[ResidentDataOwner], resident: Resident) -> dict[str, Any]:
    """Each owner's export under its name; an owner that fails says so instead of its data."""
    out: dict[str, Any] = {}
    for owner in owners:
        try:
            out[owner.name] = owner.export(resident)
        except Exception as exc:  # noqa: BLE001 - one part's failure must not hide the others
            logger.exception("Resident export failed in %s", owner.name)
            out[owner.name] = {"error": f"导出失败（{type(exc).__name__}），请稍后再试"}
    return out


def delete_all(
    owners: list[ResidentDataOwner], resident: Resident, now: datetime
) -> dict[str, dict[str, int] | str]:
    """Each owner's deletion report under its name; a failure is reported, not raised."""
    out: dict[str, dict[str, int] | str] = {}
    for owner in owners:
        try:
            out[owner.name] = owner.delete(resident, now)
        except Exception as exc:  # noqa: BLE001 - the others still delete
            logger.exception("Resident deletion failed in %s", owner.name)
            out[owner.name] = f"删除失败（{type(exc).__name__}），请稍后再试"
    return out
