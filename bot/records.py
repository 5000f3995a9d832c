"""What the bot's store keeps, as records: queued messages, chat preferences, attachments, notice
settings and sends (``bot/store.py`` reads and writes them)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

CASES_SOURCE = "cases"
"""Outbox source name of the case system (the only one before ``outbox_pushes`` had sources)."""


class NoticeWants(StrEnum):
    """Which community notices a chat gets."""

    COMMUNITY = "community"
    """Only notices for the whole community (every chat that talked to the bot, by default)."""
    BUILDING = "building"
    """The whole community's and those for the chat's building (or its grid)."""
    ALL = "all"
    """Every notice (都要)."""
    OFF = "off"
    """None (不要通知)."""


class NoticeSend(StrEnum):
    """What became of one notice for one chat (one row each: never sent twice)."""

    SENDING = "sending"
    """Claimed and being sent; left behind by a crash it counts as sent (maybe sent)."""
    SENT = "sent"
    BLOCKED = "blocked"
    """The chat blocked the bot."""
    FAILED = "failed"
    """Telegram refused it for good (unknown chat)."""


@dataclass
class NoticePref:
    """A chat's notice setting."""

    chat_id: int
    wants: NoticeWants = NoticeWants.COMMUNITY
    building: str | None = None
    blocked: bool = False
    since: float = 0.0
    """When the chat first talked to the bot (epoch seconds): older notices are not pushed."""


class InboxState(StrEnum):
    """Where a resident's message is in the queue."""

    WAITING = "waiting"
    """Reserved (voice being recognised); later messages of the chat wait behind it."""
    PENDING = "pending"
    """Ready to go to Rasa."""
    UNCERTAIN = "uncertain"
    """Sent, but no answer: check Rasa's tracker before sending it again."""
    DONE = "done"
    DROPPED = "dropped"
    """Nothing to send (unclear voice note)."""


@dataclass
class InboxItem:
    """One resident message kept until Rasa has answered it."""

    id: int
    chat_id: int
    update_id: int
    kind: str
    text: str | None
    state: InboxState
    attempts: int
    last_try: float | None = None
    """When it was last sent to Rasa (epoch seconds)."""

    @property
    def message_id(self) -> str:
        """Stable id sent to Rasa as ``metadata.message_id`` (also an idempotency key)."""
        return f"tg:{self.chat_id}:{self.update_id}"


@dataclass
class ChatPrefs:
    """Per-chat settings and memory that survive restarts."""

    chat_id: int
    elder_mode: bool = False
    expect: str | None = None
    last_case_no: str | None = None
    last_case_at: float | None = None
    outage_notified: bool = False


@dataclass
class Attachment:
    """A photo or location waiting for (or attached to) a case."""

    id: int
    chat_id: int
    kind: str
    content_type: str | None
    filename: str | None
    data: bytes | None
    latitude: float | None
    longitude: float | None
    case_no: str | None
    state: str
