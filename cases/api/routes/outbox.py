"""Outbox for the channels: undelivered resident notifications and staff alerts, and their
acknowledgement."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from cases.alerts import STAFF_CHANNEL
from cases.api.deps import ClockDep, ServiceAuth, SessionDep
from cases.events import SENDER_CHANNELS, ack_outbox, pending_outbox
from cases.models import Case
from core.contracts import OutboxItem

router = APIRouter(prefix="/api/outbox", tags=["outbox"], dependencies=[ServiceAuth])

_CHANNELS = [*SENDER_CHANNELS.values(), STAFF_CHANNEL]
ChannelName = Annotated[str, Query(pattern="^(" + "|".join(_CHANNELS) + ")$")]
"""A residents' channel, or ``staff`` for alerts to staff (``cases/alerts.py``)."""


class AckIn(BaseModel):
    """Messages the channel delivered."""

    ids: list[int] = Field(max_length=1000)
    channel: str | None = None


class AckOut(BaseModel):
    """How many messages were newly marked delivered."""

    acked: int


@router.get("", response_model=list[OutboxItem])
def list_outbox(
    session: SessionDep,
    channel: ChannelName,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    recipient: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> list[OutboxItem]:
    """Undelivered messages of a channel with id > ``after``, oldest first (one resident's
    only, with ``recipient``)."""
    messages = pending_outbox(
        session, channel=channel, after=after, limit=limit, recipient=recipient
    )
    case_ids = sorted({m.case_id for m in messages})
    rows = session.execute(select(Case.id, Case.case_no).where(Case.id.in_(case_ids))).all()
    numbers = {row[0]: row[1] for row in rows}
    return [
        OutboxItem(
            id=m.id,
            case_no=numbers.get(m.case_id, ""),
            channel=m.channel,
            recipient=m.recipient,
            text=m.text,
            created_at=m.created_at.isoformat(),
        )
        for m in messages
    ]


@router.post("/ack", response_model=AckOut)
def ack(body: AckIn, session: SessionDep, clock: ClockDep) -> AckOut:
    """Mark messages delivered (idempotent)."""
    return AckOut(acked=ack_outbox(session, ids=body.ids, channel=body.channel, now=clock.now()))
