"""Proposals (建议): creation with screening, the moderation queue, the audit trail."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.events import channel_of
from core.errors import InvalidInput
from deliberation import outbox
from deliberation.actors import Actor
from deliberation.errors import NotFound, Refused
from deliberation.households import grids_of_buildings, known_grids
from deliberation.labels import OPEN_PROPOSALS, ProposalStatus, Scope
from deliberation.models import ModerationEntry, Proposal
from deliberation.screening import best_duplicate, screen_text

logger = logging.getLogger(__name__)

EMPTY = "建议内容是空的。请说说您想提什么建议，比如“小区东门加装路灯”。"
TOO_LONG = "建议有点长了（{n}字）。请把要点控制在{limit}字以内，详细情况可以到社区服务中心面谈。"
WHY_TOO_LONG = "理由有点长了（{n}字）。请控制在{limit}字以内，详细情况可以到社区服务中心面谈。"
RECEIVED = "收到您的建议了，编号是第{no}号。工作人员审核后会告诉您结果，谢谢您为社区出主意！"
RECEIVED_UNREACHABLE = (
    "收到您的建议了，编号是第{no}号。审核和投票的结果会在服务中心的大屏上公布，"
    "您也可以来问“投票结果”。谢谢您为社区出主意！"
)
"""For a proposer no channel can reach later (the kiosk: each visit is anonymous)."""


def received_message(number: int, resident_key: str | None) -> str:
    """What the proposer is told on submitting: a promise only where it can be kept."""
    reachable = channel_of(resident_key) is not None and not str(resident_key).startswith("kiosk:")
    return (RECEIVED if reachable else RECEIVED_UNREACHABLE).format(no=number)


APPROVED = "您提的第{no}号建议已通过审核，将提交社区议事，后面的进展会告诉您。"
MERGED = "您提的第{no}号建议和第{into}号建议内容相近，已合并到一起办理，进展会一并告诉您。"
DECLINED = "您提的第{no}号建议这次没有通过审核，原因是：{reason}。有疑问可以到社区服务中心咨询。"


def _scope_grids(session: Session, scope: Scope, code: str | None) -> tuple[str | None, str | None]:
    """(scope_code, grid_code) of a proposal's place."""
    if scope is Scope.COMMUNITY:
        return None, None
    if not code or not code.strip():
        raise InvalidInput("请说明是哪个网格或哪栋楼，例如 5号楼")
    code = code.strip().removesuffix("号楼").removesuffix("网格")[:20]
    if scope is Scope.GRID:
        known = known_grids(session)
        if known and code not in known:
            raise InvalidInput(f"没有找到这个网格，请从这些里选一个：{'、'.join(sorted(known))}")
        return code, code
    grids = grids_of_buildings(session, [code])
    return code, grids[0] if len(grids) == 1 else None


def create_proposal(
    *,
    session: Session,
    what: str,
    why: str,
    scope: Scope,
    scope_code: str | None,
    channel: str,
    resident_key: str | None,
    idempotency_key: str | None,
    now: datetime,
    max_chars: int,
    duplicate_threshold: float,
) -> tuple[Proposal, bool]:
    """Screen and store a proposal; returns it and whether it is new (idempotent by key).

    Raises:
        InvalidInput: empty or too long text, scope without a place.
    """
    if idempotency_key:
        existing = session.scalar(
            select(Proposal).where(Proposal.idempotency_key == idempotency_key)
        )
        if existing is not None:
            return existing, False
    what, why = (what or "").strip(), (why or "").strip()
    if not what:
        raise InvalidInput(EMPTY)
    if len(what) > max_chars:
        raise InvalidInput(TOO_LONG.format(n=len(what), limit=max_chars))
    if len(why) > max_chars:
        raise InvalidInput(WHY_TOO_LONG.format(n=len(why), limit=max_chars))
    code, grid = _scope_grids(session, scope, scope_code)
    screened = screen_text(what, why)
    candidates = session.execute(
        select(Proposal.id, Proposal.what).where(
            Proposal.status.in_([s.value for s in OPEN_PROPOSALS])
        )
    ).all()
    duplicate = best_duplicate(screened.what, [(r[0], r[1]) for r in candidates])
    proposal = Proposal(
        what=screened.what,
        why=screened.why,
        scope=scope.value,
        scope_code=code,
        grid_code=grid,
        channel=channel,
        resident_key=resident_key,
        idempotency_key=idempotency_key,
        status=ProposalStatus.PENDING.value,
        had_numbers=screened.had_numbers,
        abusive_words=screened.abusive_words,
        created_at=now,
        updated_at=now,
    )
    if duplicate is not None and duplicate[1] >= duplicate_threshold:
        proposal.duplicate_of_id, proposal.duplicate_score = duplicate[0], round(duplicate[1], 2)
    session.add(proposal)
    session.flush()
    flags = []
    if screened.had_numbers:
        flags.append("已遮盖电话或证件号码")
    if screened.abusive_words:
        flags.append("含不文明用语：" + "、".join(screened.abusive_words))
    if proposal.duplicate_of_id:
        flags.append(f"可能与第{proposal.duplicate_of_id}号建议重复")
    _log(
        session,
        proposal,
        actor="system",
        action="screened",
        now=now,
        reason="；".join(flags) or "未发现问题",
        target=proposal.duplicate_of_id,
    )
    logger.info("Proposal %d received from %s (flags: %d)", proposal.id, channel, len(flags))
    return proposal, True


def _log(
    session: Session,
    proposal: Proposal,
    *,
    actor: str,
    action: str,
    now: datetime,
    actor_name: str = "",
    reason: str = "",
    from_status: str | None = None,
    target: int | None = None,
) -> None:
    session.add(
        ModerationEntry(
            proposal_id=proposal.id,
            at=now,
            actor=actor,
            actor_name=actor_name,
            action=action,
            reason=reason,
            from_status=from_status,
            to_status=proposal.status,
            target_id=target,
        )
    )


def get_proposal(session: Session, proposal_id: int) -> Proposal:
    """A proposal by id.

    Raises:
        NotFound: no such proposal.
    """
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(f"没有找到第{proposal_id}号建议")
    return proposal


def visible_to(actor: Actor, proposal: Proposal) -> bool:
    """Whether a staff member may see and moderate it (grid workers: their grids only)."""
    return actor.can_manage([proposal.grid_code] if proposal.grid_code else None)


def list_proposals(
    session: Session, *, actor: Actor, status: str | None = None, limit: int = 200
) -> list[Proposal]:
    """Proposals the actor may see, newest first."""
    query = select(Proposal).order_by(Proposal.created_at.desc(), Proposal.id.desc())
    if status:
        query = query.where(Proposal.status == status)
    if not actor.manages_all:
        query = query.where(Proposal.grid_code.in_(sorted(actor.grid_codes)))
    return list(session.scalars(query.limit(limit)))


def _pending(proposal: Proposal) -> None:
    if proposal.status != ProposalStatus.PENDING:
        raise Refused(f"第{proposal.id}号建议已经处理过了，不能重复处理")


def approve(*, session: Session, proposal: Proposal, actor: Actor, now: datetime) -> Proposal:
    """Approve a pending proposal and tell the proposer."""
    _pending(proposal)
    before, proposal.status, proposal.updated_at = proposal.status, ProposalStatus.APPROVED, now
    _log(
        session,
        proposal,
        actor=actor.name,
        actor_name=actor.display,
        action="approved",
        now=now,
        from_status=before,
    )
    outbox.enqueue(
        session,
        resident_key=proposal.resident_key,
        ref=f"proposal:{proposal.id}",
        text=APPROVED.format(no=proposal.id),
        now=now,
    )
    return proposal


def merge(
    *, session: Session, proposal: Proposal, into: Proposal, actor: Actor, now: datetime
) -> Proposal:
    """Merge a pending proposal into another open one and tell the proposer."""
    _pending(proposal)
    if into.id == proposal.id:
        raise InvalidInput("不能把建议合并到它自己")
    if into.status not in OPEN_PROPOSALS:
        raise Refused(f"第{into.id}号建议已合并或未通过，请选一个待审核或已通过的建议")
    before = proposal.status
    proposal.status, proposal.merged_into_id, proposal.updated_at = (
        ProposalStatus.MERGED,
        into.id,
        now,
    )
    _log(
        session,
        proposal,
        actor=actor.name,
        actor_name=actor.display,
        action="merged",
        now=now,
        from_status=before,
        target=into.id,
        reason=f"合并到第{into.id}号建议",
    )
    outbox.enqueue(
        session,
        resident_key=proposal.resident_key,
        ref=f"proposal:{proposal.id}",
        text=MERGED.format(no=proposal.id, into=into.id),
        now=now,
    )
    return proposal


def decline(
    *, session: Session, proposal: Proposal, reason: str, actor: Actor, now: datetime
) -> Proposal:
    """Decline a pending proposal with a reason the proposer is told."""
    _pending(proposal)
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput("请写明不通过的原因，会转告提建议的居民")
    if len(reason) > 300:
        raise InvalidInput("原因请控制在300字以内")
    before = proposal.status
    proposal.status, proposal.decline_reason, proposal.updated_at = (
        ProposalStatus.DECLINED,
        reason,
        now,
    )
    _log(
        session,
        proposal,
        actor=actor.name,
        actor_name=actor.display,
        action="declined",
        now=now,
        from_status=before,
        reason=reason,
    )
    outbox.enqueue(
        session,
        resident_key=proposal.resident_key,
        ref=f"proposal:{proposal.id}",
        text=DECLINED.format(no=proposal.id, reason=reason),
        now=now,
    )
    return proposal


def audit_trail(session: Session, proposal_id: int | None = None) -> list[ModerationEntry]:
    """Moderation entries (of one proposal, or all), oldest first."""
    query = select(ModerationEntry).order_by(ModerationEntry.at, ModerationEntry.id)
    if proposal_id is not None:
        query = query.where(ModerationEntry.proposal_id == proposal_id)
    return list(session.scalars(query))
