"""Messages for residents' channels, polled by the channels like the case system's outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cases.events import channel_of
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
    those for ``recipient`` when given: the web chat collects one resident's at a time)."""
    query = select(OutboxMessage).where(
        OutboxMessage.channel == channel,
        OutboxMessage.id > after,
        OutboxMessage.delivered_at.is_(None),
    )
    if recipient is not None:
        query = query.where(OutboxMessage.recipient == recipient)
    return list(session.scalars(query.order_by(OutboxMessage.id).limit(limit)))


def ack(session: Session, *, ids: list[int], channel: str | None, now: datetime) -> int:
    """Mark messages delivered; returns how many were newly marked."""
    if not ids:
        return 0
    query = update(OutboxMessage).where(
        OutboxMessage.id.in_(ids), OutboxMessage.delivered_at.is_(None)
    )
    if channel:
        query = query.where(OutboxMessage.channel == channel)
    return int(session.execute(query.values(delivered_at=now)).rowcount or 0)
