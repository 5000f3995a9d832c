"""Decisions: what became of a poll or a proposal (采纳 → 办理中 → 已完成), with notes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import InvalidInput
from deliberation import outbox
from deliberation.actors import Actor
from deliberation.errors import NotFound, Refused
from deliberation.labels import DECISION_LABELS, DECISION_NEXT, DecisionStatus, ProposalStatus
from deliberation.models import Decision, DecisionNote, Poll, Proposal, Vote

PROGRESS = "社区议事“{title}”有新进展（{status}）：{note}"


def _recipients(session: Session, decision: Decision) -> list[str]:
    """Everyone to tell: the participants of its poll and the proposer (and merged ones)."""
    keys: set[str] = set()
    if decision.poll_id is not None:
        keys.update(
            k
            for k in session.scalars(
                select(Vote.resident_key).where(Vote.poll_id == decision.poll_id)
            )
            if k
        )
    if decision.proposal_id is not None:
        proposals = session.scalars(
            select(Proposal.resident_key).where(
                (Proposal.id == decision.proposal_id)
                | (Proposal.merged_into_id == decision.proposal_id)
            )
        )
        keys.update(k for k in proposals if k)
    return sorted(keys)


def _notify(session: Session, decision: Decision, note: str, now: datetime) -> None:
    text = PROGRESS.format(
        title=decision.title[:40],
        status=DECISION_LABELS[DecisionStatus(decision.status)],
        note=note or "详情可到社区服务中心了解",
    )
    for key in _recipients(session, decision):
        outbox.enqueue(session, resident_key=key, ref=f"decision:{decision.id}", text=text, now=now)


def create_decision(
    *,
    session: Session,
    actor: Actor,
    poll_id: int | None,
    proposal_id: int | None,
    adopted: bool,
    note: str,
    now: datetime,
) -> Decision:
    """Record the decision on a closed poll or an approved proposal and tell those concerned.

    Raises:
        InvalidInput: neither given. NotFound. Refused: poll still open, already decided,
            or outside the actor's grids.
    """
    poll = proposal = None
    if poll_id is not None:
        poll = session.get(Poll, poll_id)
        if poll is None:
            raise NotFound(f"没有找到第{poll_id}号投票")
        if now < poll.closes_at:
            raise Refused("投票还没结束，结束后再记录决定")
        if session.scalar(select(Decision).where(Decision.poll_id == poll.id)) is not None:
            raise Refused(f"第{poll.id}号投票已经有决定了，请在原决定上记录进展")
        proposal_id = proposal_id or poll.proposal_id
    if proposal_id is not None:
        proposal = session.get(Proposal, proposal_id)
        if proposal is None:
            raise NotFound(f"没有找到第{proposal_id}号建议")
        if proposal.status != ProposalStatus.APPROVED:
            raise Refused("只有通过审核的建议才能记录决定")
    if poll is None and proposal is None:
        raise InvalidInput("请指明是哪个投票或哪条建议的决定")
    if poll is not None:
        grids, title = poll.grid_codes, poll.question
    else:
        assert proposal is not None
        grids, title = ([proposal.grid_code] if proposal.grid_code else []), proposal.what
    if not actor.can_manage(grids or None):
        raise Refused("这件事超出了您负责的网格")
    status = DecisionStatus.ADOPTED if adopted else DecisionStatus.REJECTED
    decision = Decision(
        poll_id=poll.id if poll else None,
        proposal_id=proposal.id if proposal else None,
        title=title[:300],
        status=status.value,
        grid_codes=list(grids),
        created_at=now,
        updated_at=now,
    )
    session.add(decision)
    session.flush()
    note = " ".join((note or "").split())[:500]
    session.add(
        DecisionNote(
            decision_id=decision.id,
            at=now,
            actor=actor.name,
            actor_name=actor.display,
            status=status.value,
            text=note,
        )
    )
    _notify(session, decision, note, now)
    return decision


def get_decision(session: Session, decision_id: int) -> Decision:
    """A decision by id.

    Raises:
        NotFound: no such decision.
    """
    decision = session.get(Decision, decision_id)
    if decision is None:
        raise NotFound(f"没有找到第{decision_id}号决定")
    return decision


def add_progress(
    *,
    session: Session,
    decision: Decision,
    actor: Actor,
    status: DecisionStatus,
    note: str,
    now: datetime,
) -> Decision:
    """Move a decision on (办理中 / 已完成) with a progress note everyone concerned is told.

    Raises:
        Refused: not allowed from the current status or outside the actor's grids.
        InvalidInput: no note.
    """
    if not actor.can_manage(decision.grid_codes or None):
        raise Refused("这件事超出了您负责的网格")
    current = DecisionStatus(decision.status)
    if status not in DECISION_NEXT[current]:
        raise Refused(f"“{DECISION_LABELS[current]}”的事项不能改为“{DECISION_LABELS[status]}”")
    note = " ".join((note or "").split())
    if not note:
        raise InvalidInput("请写一句进展，会告诉参与的居民")
    if len(note) > 500:
        raise InvalidInput("进展请控制在500字以内")
    decision.status, decision.updated_at = status.value, now
    session.add(
        DecisionNote(
            decision_id=decision.id,
            at=now,
            actor=actor.name,
            actor_name=actor.display,
            status=status.value,
            text=note,
        )
    )
    _notify(session, decision, note, now)
    return decision


def notes_of(session: Session, decision: Decision) -> list[DecisionNote]:
    """The decision's notes, oldest first."""
    return list(
        session.scalars(
            select(DecisionNote)
            .where(DecisionNote.decision_id == decision.id)
            .order_by(DecisionNote.at, DecisionNote.id)
        )
    )


def list_decisions(session: Session, *, limit: int = 100) -> list[Decision]:
    """Decisions, newest first."""
    return list(session.scalars(select(Decision).order_by(Decision.id.desc()).limit(limit)))
