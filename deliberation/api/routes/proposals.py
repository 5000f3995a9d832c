"""Proposals: residents' channels submit (service token); staff moderate (login or token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from deliberation import proposals
from deliberation.api.deps import ActorDep, ClockDep, ServiceDep, SessionDep, StateDep
from deliberation.api.errors import ChineseErrorsRoute, Number
from deliberation.errors import NotFound
from deliberation.schemas import (
    AuditOut,
    DeclineIn,
    MergeIn,
    ProposalIn,
    ProposalOut,
    ProposalReceipt,
    ResidentProposalOut,
)
from deliberation.views import (
    audit_out,
    proposal_label,
    proposal_out,
    resident_proposal_out,
)

router = APIRouter(prefix="/api/deliberation", tags=["议事"], route_class=ChineseErrorsRoute)


@router.post("/proposals", response_model=ProposalReceipt, status_code=status.HTTP_201_CREATED)
def submit_proposal(
    body: ProposalIn, state: StateDep, session: SessionDep, clock: ClockDep, _: ServiceDep
) -> ProposalReceipt:
    """A resident's proposal (channels). Screened at once (numbers masked, abusive words and
    likely duplicates flagged), then waits for staff. Idempotent by ``idempotency_key``."""
    proposal, _new = proposals.create_proposal(
        session=session,
        what=body.what,
        why=body.why,
        scope=body.scope,
        scope_code=body.place,
        channel=body.channel,
        resident_key=body.resident_key,
        idempotency_key=body.idempotency_key,
        now=clock.now(),
        max_chars=state.settings.max_text_chars,
        duplicate_threshold=state.settings.duplicate_threshold,
    )
    return ProposalReceipt(
        number=proposal.id,
        status=proposal.status,
        status_label=proposal_label(proposal.status),
        message=proposals.received_message(proposal.id, body.resident_key),
    )


@router.get("/proposals/{number}/mine", response_model=ResidentProposalOut)
def my_proposal(
    number: Number,
    session: SessionDep,
    _: ServiceDep,
    resident_key: Annotated[str, Query(max_length=200)],
) -> ResidentProposalOut:
    """A proposal as its proposer sees it (same sender id only; otherwise not found)."""
    proposal = session.get(proposals.Proposal, number)
    if proposal is None or proposal.resident_key != resident_key:
        raise NotFound(f"没有找到您提的第{number}号建议")
    return resident_proposal_out(proposal)


@router.get("/proposals", response_model=list[ProposalOut])
def list_proposals(
    session: SessionDep,
    actor: ActorDep,
    status_: Annotated[str | None, Query(alias="status", max_length=20)] = None,
) -> list[ProposalOut]:
    """The moderation queue and past proposals (grid workers: their grids)."""
    return [proposal_out(p) for p in proposals.list_proposals(session, actor=actor, status=status_)]


def _visible(session: SessionDep, actor: ActorDep, number: Number) -> proposals.Proposal:
    proposal = proposals.get_proposal(session, number)
    if not proposals.visible_to(actor, proposal):
        raise NotFound(f"没有找到第{number}号建议")
    return proposal


@router.post("/proposals/{number}/approve", response_model=ProposalOut)
def approve(number: Number, session: SessionDep, clock: ClockDep, actor: ActorDep) -> ProposalOut:
    """Approve; the proposer is told."""
    proposal = _visible(session, actor, number)
    return proposal_out(
        proposals.approve(session=session, proposal=proposal, actor=actor, now=clock.now())
    )


@router.post("/proposals/{number}/merge", response_model=ProposalOut)
def merge(
    number: Number, body: MergeIn, session: SessionDep, clock: ClockDep, actor: ActorDep
) -> ProposalOut:
    """Merge into another open proposal; the proposer is told which."""
    proposal = _visible(session, actor, number)
    into = _visible(session, actor, body.into)
    return proposal_out(
        proposals.merge(session=session, proposal=proposal, into=into, actor=actor, now=clock.now())
    )


@router.post("/proposals/{number}/decline", response_model=ProposalOut)
def decline(
    number: Number, body: DeclineIn, session: SessionDep, clock: ClockDep, actor: ActorDep
) -> ProposalOut:
    """Decline with a reason; the proposer is told the reason."""
    proposal = _visible(session, actor, number)
    return proposal_out(
        proposals.decline(
            session=session, proposal=proposal, reason=body.reason, actor=actor, now=clock.now()
        )
    )


@router.get("/proposals/{number}/audit", response_model=list[AuditOut])
def audit(number: Number, session: SessionDep, actor: ActorDep) -> list[AuditOut]:
    """The audit trail of one proposal: screening and every moderation decision."""
    _visible(session, actor, number)
    return [audit_out(e) for e in proposals.audit_trail(session, number)]
