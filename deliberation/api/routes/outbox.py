"""Outbox of the deliberation part for the residents' channels (service token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from cases.events import SENDER_CHANNELS
from deliberation import outbox
from deliberation.api.deps import ClockDep, ServiceDep, SessionDep
from deliberation.api.errors import ChineseErrorsRoute
from deliberation.schemas import AckIn, AckOut, OutboxOut

router = APIRouter(prefix="/api/deliberation/outbox", tags=["议事"], route_class=ChineseErrorsRoute)
ChannelName = Annotated[str, Query(pattern="^(" + "|".join(SENDER_CHANNELS.values()) + ")$")]


@router.get("", response_model=list[OutboxOut])
def list_outbox(
    session: SessionDep,
    _: ServiceDep,
    channel: ChannelName,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[OutboxOut]:
    """Undelivered messages of a channel with id > ``after``, oldest first."""
    return [
        OutboxOut(
            id=m.id,
            ref=m.ref,
            channel=m.channel,
            recipient=m.recipient,
            text=m.text,
            created_at=m.created_at.isoformat(),
        )
        for m in outbox.pending(session, channel=channel, after=after, limit=limit)
    ]


@router.post("/ack", response_model=AckOut)
def ack(body: AckIn, session: SessionDep, clock: ClockDep, _: ServiceDep) -> AckOut:
    """Mark messages delivered (idempotent)."""
    return AckOut(acked=outbox.ack(session, ids=body.ids, channel=body.channel, now=clock.now()))
