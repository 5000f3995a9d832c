"""Polls: staff open and close them; channels vote; everyone may read tallies."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import Response

from deliberation import polls
from deliberation.api.deps import ActorDep, ClockDep, ServiceDep, SessionDep, StateDep
from deliberation.api.errors import ChineseErrorsRoute, Number
from deliberation.errors import NotFound, Refused
from deliberation.export import tally_csv
from deliberation.schemas import CentreVoteIn, PollIn, PollOut, VoteIn, VoteReceipt
from deliberation.views import poll_out

router = APIRouter(prefix="/api/deliberation", tags=["议事"], route_class=ChineseErrorsRoute)


@router.post("/polls", response_model=PollOut, status_code=status.HTTP_201_CREATED)
def open_poll(
    body: PollIn, state: StateDep, session: SessionDep, clock: ClockDep, actor: ActorDep
) -> PollOut:
    """Open a poll (times with an offset; stored UTC). Grid workers: inside their grids."""
    now = clock.now()
    poll = polls.open_poll(
        session=session,
        actor=actor,
        question=body.question,
        options=body.options,
        scope=body.scope,
        scope_codes=body.scope_codes,
        eligibility=body.eligibility,
        threshold=body.threshold,
        opens_at=body.opens_at,
        closes_at=body.closes_at,
        proposal_id=body.proposal_id,
        now=now,
        default_days=state.settings.default_poll_days,
    )
    return poll_out(polls.tally(session, poll, now))


@router.get("/polls", response_model=list[PollOut])
def list_polls(
    session: SessionDep,
    clock: ClockDep,
    open_now: Annotated[bool, Query(alias="open")] = False,
    building: Annotated[str | None, Query(max_length=20)] = None,
) -> list[PollOut]:
    """Polls with their tally and turnout, newest first (public: counts only, no personal data).

    ``open=true``: only polls a vote is accepted in now; ``building=5``: only polls whose scope
    includes 5号楼 (what a channel offers a resident of that building).
    """
    now = clock.now()
    found = polls.list_polls(session)
    if open_now:
        found = [p for p in found if p.opens_at <= now < p.closes_at]
    if building:
        found = polls.polls_for_building(session, found, building)
    return [poll_out(polls.tally(session, p, now)) for p in found]


@router.get("/polls/{number}", response_model=PollOut)
def get_poll(number: Number, session: SessionDep, clock: ClockDep) -> PollOut:
    """One poll's tally, turnout and threshold verdict (public)."""
    now = clock.now()
    return poll_out(polls.tally(session, polls.get_poll(session, number), now))


@router.get("/polls/{number}/export.csv")
def export_csv(number: Number, session: SessionDep, clock: ClockDep, _: ActorDep) -> Response:
    """The result as CSV: counts, turnout, thresholds; no household or personal data."""
    result = polls.tally(session, polls.get_poll(session, number), clock.now())
    return Response(
        tally_csv(result),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="poll-{number}.csv"'},
    )


@router.post("/polls/{number}/votes", response_model=VoteReceipt)
def vote(
    number: Number,
    body: VoteIn,
    state: StateDep,
    session: SessionDep,
    clock: ClockDep,
    _: ServiceDep,
) -> VoteReceipt:
    """A vote from a channel, the household confirmed by a phone's last 4 digits on record.

    A later vote of the same household replaces the earlier one until the close; after it
    (or on an unknown poll) a kind refusal.
    """
    ballot = polls.Ballot(
        building=body.building,
        unit=body.unit,
        room=body.room,
        option=body.option,
        channel=body.channel,
        resident_key=body.resident_key,
        phone_last4=body.phone_last4,
        relation=body.relation,
    )
    result = polls.cast_vote(
        session=session, poll_id=number, ballot=ballot, now=clock.now(), guard=state.guard
    )
    return VoteReceipt(
        poll=result.poll_id, option=result.option, replaced=result.replaced, message=result.message
    )


def _manageable(session: SessionDep, actor: ActorDep, number: Number) -> polls.Poll:
    poll = polls.get_poll(session, number)
    if not actor.can_manage(poll.grid_codes or None):
        raise NotFound(polls.UNKNOWN_POLL)
    return poll


@router.post("/polls/{number}/votes/centre", response_model=VoteReceipt)
def vote_at_centre(
    number: Number,
    body: CentreVoteIn,
    state: StateDep,
    session: SessionDep,
    clock: ClockDep,
    actor: ActorDep,
) -> VoteReceipt:
    """A vote confirmed by staff at the service centre (no phone digits needed)."""
    _manageable(session, actor, number)
    ballot = polls.Ballot(
        building=body.building,
        unit=body.unit,
        room=body.room,
        option=body.option,
        channel="staff",
        resident_key=body.resident_key,
        relation=body.relation,
        staff_confirmed_by=actor.name,
    )
    result = polls.cast_vote(
        session=session, poll_id=number, ballot=ballot, now=clock.now(), guard=state.guard
    )
    return VoteReceipt(
        poll=result.poll_id, option=result.option, replaced=result.replaced, message=result.message
    )


@router.post("/polls/{number}/close", response_model=PollOut)
def close(number: Number, session: SessionDep, clock: ClockDep, actor: ActorDep) -> PollOut:
    """End a poll now."""
    now = clock.now()
    poll = polls.close_poll(session=session, poll=_manageable(session, actor, number), now=now)
    return poll_out(polls.tally(session, poll, now))


@router.post("/polls/{number}/announce", response_model=PollOut)
def announce(number: Number, session: SessionDep, clock: ClockDep, actor: ActorDep) -> PollOut:
    """Tell every participant the outcome on their channel (once, after the close)."""
    now = clock.now()
    poll = _manageable(session, actor, number)
    if now < poll.closes_at:
        raise Refused("投票还没结束，结束后才能公布结果")
    polls.announce_outcome(session=session, poll=poll, now=now)
    return poll_out(polls.tally(session, poll, now))
