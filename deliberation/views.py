"""Table rows → API models (local times, Chinese labels)."""

from __future__ import annotations

from core.localtime import format_local
from deliberation.labels import (
    DECISION_LABELS,
    ELIGIBILITY_LABELS,
    MODERATION_LABELS,
    PROPOSAL_LABELS,
    DecisionStatus,
    Eligibility,
    ProposalStatus,
    scope_label,
)
from deliberation.models import Decision, DecisionNote, Household, ModerationEntry, Proposal
from deliberation.polls import Tally
from deliberation.schemas import (
    AuditOut,
    DecisionOut,
    HouseholdOut,
    NoteOut,
    PollOut,
    ProposalOut,
    ResidentProposalOut,
    ThresholdOut,
)
from deliberation.thresholds import THRESHOLD_LABELS, Threshold


def proposal_label(status: str) -> str:
    """待审核 / 已通过审核 / …"""
    return PROPOSAL_LABELS[ProposalStatus(status)]


def proposal_out(p: Proposal) -> ProposalOut:
    """A proposal for staff."""
    return ProposalOut(
        number=p.id,
        what=p.what,
        why=p.why,
        scope=p.scope,
        place_label=scope_label(p.scope, p.scope_code),
        grid_code=p.grid_code,
        channel=p.channel,
        status=p.status,
        status_label=proposal_label(p.status),
        had_numbers=p.had_numbers,
        abusive_words=list(p.abusive_words or []),
        duplicate_of=p.duplicate_of_id,
        duplicate_score=p.duplicate_score,
        merged_into=p.merged_into_id,
        decline_reason=p.decline_reason,
        created_at=format_local(p.created_at),
    )


def resident_proposal_out(p: Proposal) -> ResidentProposalOut:
    """A proposal for its proposer."""
    return ResidentProposalOut(
        number=p.id,
        what=p.what,
        status=p.status,
        status_label=proposal_label(p.status),
        decline_reason=p.decline_reason,
        merged_into=p.merged_into_id,
    )


def audit_out(e: ModerationEntry) -> AuditOut:
    """One audit entry."""
    return AuditOut(
        proposal=e.proposal_id,
        at=format_local(e.at),
        actor=e.actor,
        action=e.action,
        action_label=MODERATION_LABELS.get(e.action, e.action),
        from_status=e.from_status,
        to_status=e.to_status,
        reason=e.reason,
        target=e.target_id,
    )


def poll_out(t: Tally) -> PollOut:
    """A poll with its tally."""
    p = t.poll
    threshold = None
    if t.threshold is not None:
        threshold = ThresholdOut(
            rule=p.threshold,
            rule_label=THRESHOLD_LABELS[Threshold(p.threshold)],
            participation_met=t.threshold.participation_met,
            approval_met=t.threshold.approval_met,
            met=t.threshold.met,
        )
    return PollOut(
        number=p.id,
        proposal=p.proposal_id,
        question=p.question,
        options=list(p.options),
        counts=t.counts,
        scope=p.scope,
        scope_label=scope_label(p.scope, p.scope_codes),
        eligibility=p.eligibility,
        eligibility_label=ELIGIBILITY_LABELS[Eligibility(p.eligibility)],
        state=t.state,
        opens_at=format_local(p.opens_at),
        closes_at=format_local(p.closes_at),
        opens_at_utc=p.opens_at.isoformat(),
        closes_at_utc=p.closes_at.isoformat(),
        eligible_households=p.eligible_households,
        participants=t.participants,
        households=t.households,
        turnout=t.turnout,
        threshold=threshold,
        outcome_announced=p.outcome_notified_at is not None,
    )


def decision_out(d: Decision, notes: list[DecisionNote]) -> DecisionOut:
    """A decision with its notes."""
    return DecisionOut(
        number=d.id,
        poll=d.poll_id,
        proposal=d.proposal_id,
        title=d.title,
        status=d.status,
        status_label=DECISION_LABELS[DecisionStatus(d.status)],
        case_no=d.case_no,
        notes=[
            NoteOut(
                at=format_local(n.at),
                text=n.text,
                status_label=DECISION_LABELS[DecisionStatus(n.status)] if n.status else None,
            )
            for n in notes
        ],
    )


def household_out(h: Household) -> HouseholdOut:
    """A household with masked phones."""
    return HouseholdOut(
        id=h.id,
        building=h.building,
        unit=h.unit,
        room=h.room,
        grid_code=h.grid_code,
        phones=[p.masked for p in h.phones],
    )
