"""Case events and the outbox: every change is an event; residents hear of it on their channel."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.models import Case, CaseEvent, OutboxMessage
from core import outbox

logger = logging.getLogger(__name__)

SENDER_CHANNELS = {"tg": "telegram", "kiosk": "kiosk", "web": "web"}
"""Sender-id prefix → outbox channel."""


def channel_of(sender_id: str | None) -> tuple[str, str] | None:
    """The (channel, recipient) of a sender id like ``tg:12345``; None if it has no channel."""
    if not sender_id or ":" not in sender_id:
        return None
    prefix, _, recipient = sender_id.partition(":")
    channel = SENDER_CHANNELS.get(prefix)
    if channel is None or not recipient:
        return None
    return channel, recipient


def record_event(
    session: Session,
    *,
    case: Case,
    kind: str,
    text: str,
    now: datetime,
    actor: str = "system",
    from_status: str | None = None,
    to_status: str | None = None,
    internal: bool = False,
    notify: str | None = None,
) -> CaseEvent:
    """Add an event to a case and, when ``notify`` is given, an outbox message for the resident.

    Args:
        session: Open session (the caller commits).
        case: The case (must be flushed, so it has an id).
        kind: Machine-readable kind: created, dispatched, status, note, rating, escalated …
        text: Plain Chinese line for the history.
        now: Time of the event.
        actor: Who did it (staff username, 'resident', 'system').
        from_status: Status before, for status changes.
        to_status: Status after, for status changes.
        internal: Staff-only note (never shown to residents, never notified).
        notify: Message text for the resident's channel, or None for no message.
    """
    event = CaseEvent(
        case_id=case.id,
        at=now,
        kind=kind,
        text=text,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        internal=internal,
    )
    session.add(event)
    session.flush()
    if notify and not internal:
        target = channel_of(case.sender_id)
        if target is not None:
            channel, recipient = target
            session.add(
                OutboxMessage(
                    case_id=case.id,
                    event_id=event.id,
                    channel=channel,
                    recipient=recipient,
                    text=notify,
                    created_at=now,
                )
            )
    return event


def case_events(session: Session, case: Case, *, include_internal: bool) -> list[CaseEvent]:
    """The events of a case, oldest first."""
    query = select(CaseEvent).where(CaseEvent.case_id == case.id)
    if not include_internal:
        query = query.where(CaseEvent.internal.is_(False))
    return list(session.scalars(query.order_by(CaseEvent.at, CaseEvent.id)))


def pending_outbox(
    session: Session,
    *,
    channel: str,
    after: int = 0,
    limit: int = 100,
    recipient: str | None = None,
) -> list[OutboxMessage]:
    """Undelivered messages of a channel with id greater than ``after``, oldest first (one
    resident's with ``recipient``; ``core.outbox.pending``)."""
    return outbox.pending(
        session, OutboxMessage, channel=channel, after=after, limit=limit, recipient=recipient
    )


def ack_outbox(session: Session, *, ids: list[int], channel: str | None, now: datetime) -> int:
    """Mark messages delivered; returns how many were newly marked."""
    return outbox.mark_delivered(session, OutboxMessage, ids=ids, channel=channel, now=now)
