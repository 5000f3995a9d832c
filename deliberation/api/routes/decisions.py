"""Decisions: 采纳 → 办理中 → 已完成 with progress notes; an adopted one can spawn a case."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from fastapi import APIRouter, status

from cases.client import CaseClientError
from core.errors import ServiceUnavailable
from deliberation import decisions
from deliberation.actors import Actor
from deliberation.api.deps import ActorDep, ClockDep, SessionDep, StateDep
from deliberation.api.errors import ChineseErrorsRoute, Number
from deliberation.api.state import DeliberationState
from deliberation.casework import spawn_case
from deliberation.db import session_scope
from deliberation.errors import Refused
from deliberation.labels import DecisionStatus, Scope
from deliberation.models import Decision, Poll, Proposal
from deliberation.schemas import DecisionIn, DecisionOut, ProgressIn
from deliberation.views import decision_out

router = APIRouter(prefix="/api/deliberation", tags=["议事"], route_class=ChineseErrorsRoute)
T = TypeVar("T")


@router.post("/decisions", response_model=DecisionOut, status_code=status.HTTP_201_CREATED)
def create(body: DecisionIn, session: SessionDep, clock: ClockDep, actor: ActorDep) -> DecisionOut:
    """Record the decision on a closed poll or an approved proposal (participants are told)."""
    decision = decisions.create_decision(
        session=session,
        actor=actor,
        poll_id=body.poll_id,
        proposal_id=body.proposal_id,
        adopted=body.adopted,
        note=body.note,
        now=clock.now(),
    )
    return decision_out(decision, decisions.notes_of(session, decision))


@router.get("/decisions", response_model=list[DecisionOut])
def list_all(session: SessionDep) -> list[DecisionOut]:
    """Every decision with its progress (public: what became of residents' matters)."""
    return [
        decision_out(d, decisions.notes_of(session, d)) for d in decisions.list_decisions(session)
    ]


@router.post("/decisions/{number}/progress", response_model=DecisionOut)
def progress(
    number: Number, body: ProgressIn, session: SessionDep, clock: ClockDep, actor: ActorDep
) -> DecisionOut:
    """Move on to 办理中 or 已完成 with a note everyone concerned is told."""
    try:
        new_status = DecisionStatus(body.status)
    except ValueError:
        raise Refused("状态只能是 办理中 或 已完成") from None
    decision = decisions.get_decision(session, number)
    decisions.add_progress(
        session=session,
        decision=decision,
        actor=actor,
        status=new_status,
        note=body.note,
        now=clock.now(),
    )
    return decision_out(decision, decisions.notes_of(session, decision))


def _in_thread(state: DeliberationState, work: Callable[..., T]) -> T:
    lock = state.sqlite_lock
    if lock is not None:
        lock.acquire()
    try:
        with session_scope(state.sessions) as session:
            return work(session)
    finally:
        if lock is not None:
            lock.release()


def _prepare(session: object, number: Number, actor: Actor) -> tuple[Decision, str | None]:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    decision = decisions.get_decision(session, number)
    if not actor.can_manage(decision.grid_codes or None):
        raise Refused("这件事超出了您负责的网格")
    if decision.status == DecisionStatus.REJECTED:
        raise Refused("未采纳的事项不能转成工单")
    building = None
    poll = session.get(Poll, decision.poll_id) if decision.poll_id else None
    proposal = session.get(Proposal, decision.proposal_id) if decision.proposal_id else None
    if poll is not None and poll.scope == Scope.BUILDING and len(poll.scope_codes) == 1:
        building = poll.scope_codes[0]
    elif proposal is not None and proposal.scope == Scope.BUILDING:
        building = proposal.scope_code
    return decision, building


@router.post("/decisions/{number}/case", response_model=DecisionOut)
async def spawn(number: Number, state: StateDep, actor: ActorDep) -> DecisionOut:
    """Open a case in the case system for an adopted decision (once; the number is the link)."""
    decision, building = await asyncio.to_thread(
        _in_thread, state, lambda s: _prepare(s, number, actor)
    )
    if decision.case_no is None:
        try:
            case_no = await spawn_case(state.cases(), decision, building)
        except (ServiceUnavailable, CaseClientError) as exc:
            raise Refused("工单系统暂时没有响应，请稍后再试") from exc

        def store(session: object) -> None:
            from sqlalchemy.orm import Session

            assert isinstance(session, Session)
            row = decisions.get_decision(session, number)
            row.case_no = row.case_no or case_no
            session.add(
                decisions.DecisionNote(
                    decision_id=row.id,
                    at=state.clock.now(),
                    actor=actor.name,
                    actor_name=actor.display,
                    status=None,
                    text=f"已转为工单 {case_no}",
                )
            )

        await asyncio.to_thread(_in_thread, state, store)

    def load(session: object) -> DecisionOut:
        from sqlalchemy.orm import Session

        assert isinstance(session, Session)
        row = decisions.get_decision(session, number)
        return decision_out(row, decisions.notes_of(session, row))

    return await asyncio.to_thread(_in_thread, state, load)
