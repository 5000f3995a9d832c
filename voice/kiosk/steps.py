"""What a kiosk-side step (status check, hand-off, place picker) answers, and what it may use."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from core.rasa_rest import BotMessage
from voice.kiosk.hubcases import HubCases
from voice.kiosk.limits import GuessLimiter


@dataclass
class Step:
    """One kiosk-side answer: shown, spoken, with what to touch next."""

    text: str
    buttons: list[dict] = field(default_factory=list)
    touch: dict | None = None
    speech: str | None = None
    """What to say when it differs from ``text`` (digits read in groups, …)."""
    kind: str = "reply"
    """``retry``: a gentle re-ask; the question stays on screen."""
    view: dict | None = None
    """A case card: ``{"title", "rows": [[label, value]], "history": [[when, text]]}``."""
    case_no: str | None = None
    print_url: str | None = None
    heard: str | None = None
    """What the resident entered, as the page should echo it ("138 1234 5678")."""


@dataclass
class Kit:
    """What kiosk-side steps may use: the case system, the guess limiter, the dialogue."""

    cases: HubCases
    limiter: GuessLimiter
    session_id: str
    dialogue: Callable[[str], Awaitable[list[BotMessage]]]
    """Send a message (payload) to the dialogue as this resident; returns its messages."""
    now: Callable[[], datetime] = lambda: datetime.now(UTC)


@dataclass
class ToDialogue:
    """A kiosk-side step is finished: send ``text`` to the dialogue as the resident's answer."""

    text: str
    speech_prefix: str = ""
    """Said before the dialogue's reply (e.g. the number read back in groups)."""
    heard: str | None = None
