"""Per-visitor kiosk sessions: conversation state, voice settings, idle tracking."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from voice.kiosk.drafts import Draft, now_iso


def new_session_id() -> str:
    """A fresh unguessable session id."""
    return secrets.token_urlsafe(12)


@dataclass
class KioskSession:
    """One resident's visit to the kiosk."""

    id: str = field(default_factory=new_session_id)
    started_at: str = field(default_factory=now_iso)
    last_activity: float = field(default_factory=time.monotonic)
    expect: str = "free"
    """Kind of answer the dialogue waits for (steers the recogniser)."""
    expect_digits: int | None = None
    """While one group of a spoken phone number is said again: its number of digits."""
    answer_digits: tuple[int, ...] = ()
    asked_slot: str | None = None
    """The slot the dialogue's question asks for, when it says (the 议事 questions)."""
    """The dialogue asked for a few digits, not a whole phone (a case's or a phone's last 4):
    how many the number pad accepts."""
    rate: int = 125
    volume: float = 1.0
    turns: list[dict] = field(default_factory=list)
    last_reply: dict | None = None
    """The last reply sent (for 再说一遍)."""
    last_spoken: str = ""
    """The text of the last speech synthesised (to tell barge-in from the kiosk's own echo)."""
    case_no: str | None = None
    finished: bool = False
    """True once a case was created or the resident cancelled: nothing left to keep."""
    draft_saved: bool = False
    flow: Any = None
    """A kiosk-side step in progress (``StatusFlow`` / ``HandoffFlow``), or None."""
    picker: Any = None
    """The place picker offered with the dialogue's location question (or a correction)."""
    keypad: str | None = None
    """``phone`` while the dialogue's phone question (or a phone correction) is on screen."""
    form: str | None = None
    """``report`` / ``service`` while a dialogue form runs (for the correction buttons)."""
    consulting: str | None = None
    """``ask`` when the dialogue asked for a question, ``answered`` after its answer."""
    touch_only: bool = False
    """The page has no working microphone: questions also say where to tap."""
    last_dialogue: dict | None = None
    """The last reply of the dialogue itself (接着刚才的事 after a kiosk-side step)."""

    @property
    def sender(self) -> str:
        """The dialogue sender id."""
        return f"kiosk:{self.id}"

    def touch(self) -> None:
        """Record activity now."""
        self.last_activity = time.monotonic()

    def idle_seconds(self) -> float:
        """Seconds since the last activity."""
        return time.monotonic() - self.last_activity

    def add_turn(self, who: str, text: str) -> None:
        """Record what was said."""
        if text:
            self.turns.append({"who": who, "text": text, "at": now_iso()})

    def visited(self) -> bool:
        """Someone used the kiosk in this session (said, typed or tapped an answer)."""
        return any(t["who"] == "resident" for t in self.turns)

    def unfinished(self) -> bool:
        """True when the resident said something and no case closed the conversation."""
        return self.visited() and not self.finished and not self.draft_saved

    def to_draft(self, reason: str) -> Draft:
        """The draft to keep for staff."""
        return Draft(
            session=self.id,
            reason=reason,
            started_at=self.started_at,
            saved_at=now_iso(),
            turns=list(self.turns),
            last_expect=self.expect,
        )
