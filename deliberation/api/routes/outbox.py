"""Outbox of the deliberation part for the residents' channels, and residents' export and
deletion requests (service token)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from cases.events import SENDER_CHANNELS
from deliberation import outbox, privacy
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
    after: Annotated[int, Query(ge=0, le=2_147_483_647)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    recipient: Annotated[str | None, Query(min_length=3, max_length=200)] = None,
) -> list[OutboxOut]:
    """Undelivered messages of a channel with id > ``after``, oldest first (``recipient``: only
    that resident's)."""
    return [
        OutboxOut(
            id=m.id,
            ref=m.ref,
            channel=m.channel,
            recipient=m.recipient,
            text=m.text,
            created_at=m.created_at.isoformat(),
        )
        for m in outbox.pending(
            session, channel=channel, after=after, limit=limit, recipient=recipient
        )
    ]


@router.post("/ack", response_model=AckOut)
def ack(body: AckIn, session: SessionDep, clock: ClockDep, _: ServiceDep) -> AckOut:
    """Mark messages delivered (idempotent)."""
    return AckOut(acked=outbox.ack(session, ids=body.ids, channel=body.channel, now=clock.now()))


privacy_router = APIRouter(
    prefix="/api/deliberation/residents", tags=["议事"], route_class=ChineseErrorsRoute
)


class ResidentIn(BaseModel):
    """Whose data, and who asked for it (for the audit trail)."""

    sender_id: str = Field(min_length=3, max_length=200)
    operator: str = Field(default="admin", max_length=60)


@privacy_router.post("/export")
def export_resident(body: ResidentIn, session: SessionDep, _: ServiceDep) -> dict[str, Any]:
    """A resident's proposals, votes and messages (by sender id)."""
    return privacy.export_resident(session, body.sender_id)


@privacy_router.post("/delete")
def delete_resident(
    body: ResidentIn, session: SessionDep, clock: ClockDep, _: ServiceDep
) -> dict[str, int]:
    """Delete a resident's data; their household's votes stay counted."""
    done = privacy.delete_resident(session, body.sender_id, operator=body.operator, now=clock.now())
    return dict(done.__dict__)
