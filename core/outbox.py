"""The polling outbox each hub part keeps for residents' channels, read and acknowledged one way.

Every part owns its outbox table (``cases`` and ``deliberation`` each have an ``OutboxMessage``
model with ``id``, ``channel``, ``recipient`` and ``delivered_at``); these functions take that
model, so no part touches another's table and the channels see the same behaviour everywhere.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session


def pending(
    session: Session,
    model: Any,
    *,
    channel: str,
    after: int = 0,
    limit: int = 100,
    recipient: str | None = None,
) -> list[Any]:
    """Undelivered messages of a channel with id greater than ``after``, oldest first (only one
    resident's when ``recipient`` is given: the web chat collects them as that resident talks)."""
    query = select(model).where(
        model.channel == channel, model.id > after, model.delivered_at.is_(None)
    )
    if recipient is not None:
        query = query.where(model.recipient == recipient)
    return list(session.scalars(query.order_by(model.id).limit(limit)))


def mark_delivered(
    session: Session, model: Any, *, ids: list[int], channel: str | None, now: datetime
) -> int:
    """Mark messages delivered (idempotent); returns how many were newly marked."""
    if not ids:
        return 0
    query = update(model).where(model.id.in_(ids), model.delivered_at.is_(None))
    if channel:
        query = query.where(model.channel == channel)
    return int(session.execute(query.values(delivered_at=now)).rowcount or 0)  # type: ignore[attr-defined]
