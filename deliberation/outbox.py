"""Messages for residents' channels, polled by the channels like the case system's outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cases.events import channel_of
from core import outbox
from deliberation.models import OutboxMessage


def enqueue(
    session: Session, *, resident_key: str | None, ref: str, text: str, now: datetime
) -> OutboxMessage | None:
    """Queue ``text`` for the resident's channel; None when the key names no channel."""
    target = channel_of(resident_key)
    if target is None:
        return None
    channel, recipient = target
    message = OutboxMessage(
        channel=channel, recipient=recipient, ref=ref, text=text, created_at=now
    )
    session.add(message)
    return message


def pending(
    session: Session,
    *,
    channel: str,
    after: int = 0,
    limit: int = 100,
    recipient: str | None = None,
) -> list[OutboxMessage]:
    """Undelivered messages of a channel with id greater than ``after``, oldest first (only
    those for ``recipient`` when given; ``core.outbox.pending``)."""
    return outbox.pending(
        session, OutboxMessage, channel=channel, after=after, limit=limit, recipient=recipient
    )


def ack(session: Session, *, ids: list[int], channel: str | None, now: datetime) -> int:
    """Mark messages delivered; returns how many were newly marked."""
    return outbox.mark_delivered(session, OutboxMessage, ids=ids, channel=channel, now=now)
