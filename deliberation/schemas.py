"""HTTP contracts of the deliberation API (pydantic); what channels and staff tools exchange."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field

from deliberation.labels import Eligibility, Scope
from deliberation.thresholds import Threshold

RowId = Annotated[int, Field(ge=1, le=2_147_483_647)]
"""A row number (proposal, poll, decision, message): positive, fits every database."""


class ProposalIn(BaseModel):
    """A resident's proposal as a channel submits it (``POST /api/deliberation/proposals``)."""

    what: str = Field(default="", description="建议什么 (empty or too long: a kind 422)")
    why: str = Field(default="", description="为什么")
    scope: Scope = Scope.COMMUNITY
    place: str | None = Field(default=None, max_length=40, description="grid code or building")
    channel: str = Field(default="rest", max_length=20)
    resident_key: str | None = Field(default=None, max_length=200, description="sender id")
    idempotency_key: str | None = Field(default=None, max_length=200)


class ProposalReceipt(BaseModel):
    """What the channel tells the proposer."""

    number: int
    status: str
    status_label: str
    message: str


class ProposalOut(BaseModel):
    """A proposal as staff see it (numbers already masked at screening)."""

    number: int
    what: str
    why: str
    scope: str
    place_label: str
    grid_code: str | None
    channel: str
    status: str
    status_label: str
    had_numbers: bool
    abusive_words: list[str]
    duplicate_of: int | None
    duplicate_score: float | None
    merged_into: int | None
    decline_reason: str | None
    created_at: str
    """Local time."""


class ResidentProposalOut(BaseModel):
    """A proposal as its proposer may see it."""

    number: int
    what: str
    status: str
    status_label: str
    decline_reason: str | None = None
    merged_into: int | None = None


class MergeIn(BaseModel):
    """Merge into which proposal."""

    into: RowId


class DeclineIn(BaseModel):
    """Why a proposal is declined (the proposer is told)."""

    reason: str = ""


class AuditOut(BaseModel):
    """One entry of the moderation audit trail."""

    proposal: int
    at: str
    actor: str
    action: str
    action_label: str
    from_status: str | None
    to_status: str | None
    reason: str
    target: int | None


class PollIn(BaseModel):
    """A poll staff open (from an approved proposal or on their own)."""

    question: str | None = None
    options: list[str] | None = Field(default=None, description="2–4; default 同意/不同意/弃权")
    scope: Scope | None = None
    scope_codes: list[str] | None = Field(default=None, max_length=50)
    eligibility: Eligibility = Eligibility.HOUSEHOLD
    threshold: Threshold = Threshold.NONE
    opens_at: AwareDatetime | None = None
    closes_at: AwareDatetime | None = None
    proposal_id: RowId | None = None


class ThresholdOut(BaseModel):
    """《民法典》第二百七十八条 verdict."""

    rule: str
    rule_label: str
    participation_met: bool
    approval_met: bool
    met: bool


class PollOut(BaseModel):
    """A poll with its tally and turnout (no personal data)."""

    number: int
    proposal: int | None
    question: str
    options: list[str]
    counts: list[int]
    scope: str
    scope_label: str
    eligibility: str
    eligibility_label: str
    state: str
    opens_at: str
    closes_at: str
    """Local times."""
    opens_at_utc: str
    closes_at_utc: str
    eligible_households: int
    participants: int
    households: int
    turnout: float
    threshold: ThresholdOut | None
    outcome_announced: bool


class VoteIn(BaseModel):
    """A vote as a channel submits it; the household is confirmed by a phone's last 4 digits."""

    building: str = Field(max_length=20)
    unit: str = Field(max_length=20)
    room: str = Field(max_length=20)
    option: str = Field(max_length=40, description="an option's words, or its number (1–4)")
    phone_last4: str | None = Field(default=None, max_length=10)
    relation: str = Field(default="本人", max_length=20, description="本人, or 女儿 / 儿子 …")
    channel: str = Field(default="rest", max_length=20)
    resident_key: str | None = Field(default=None, max_length=200)


class CentreVoteIn(BaseModel):
    """A vote confirmed by staff at the service centre."""

    building: str = Field(max_length=20)
    unit: str = Field(max_length=20)
    room: str = Field(max_length=20)
    option: str = Field(max_length=40)
    relation: str = Field(default="本人", max_length=20)
    resident_key: str | None = Field(default=None, max_length=200)


class VoteReceipt(BaseModel):
    """What the channel tells the voter."""

    poll: int
    option: str
    replaced: bool
    message: str


class DecisionIn(BaseModel):
    """The decision on a closed poll or an approved proposal."""

    poll_id: RowId | None = None
    proposal_id: RowId | None = None
    adopted: bool = True
    note: str = Field(default="", max_length=2000)


class ProgressIn(BaseModel):
    """A decision's next step."""

    status: str = Field(description="in_progress or done")
    note: str = Field(default="", max_length=2000)


class NoteOut(BaseModel):
    """A progress note."""

    at: str
    status_label: str | None
    text: str


class DecisionOut(BaseModel):
    """A decision and what happened since."""

    number: int
    poll: int | None
    proposal: int | None
    title: str
    status: str
    status_label: str
    case_no: str | None
    notes: list[NoteOut]


class HouseholdIn(BaseModel):
    """A household for the register (staff)."""

    building: str = Field(max_length=20)
    unit: str = Field(max_length=20)
    room: str = Field(max_length=20)
    grid_code: str = Field(max_length=40)
    phones: list[str] = Field(default_factory=list, max_length=10)


class HouseholdOut(BaseModel):
    """A registered household (phones masked)."""

    id: int
    building: str
    unit: str
    room: str
    grid_code: str
    phones: list[str]


class OutboxOut(BaseModel):
    """A message to deliver to one resident."""

    id: int
    ref: str
    channel: str
    recipient: str
    text: str
    created_at: str


class AckIn(BaseModel):
    """Messages the channel delivered."""

    ids: list[RowId] = Field(max_length=1000)
    channel: str | None = None


class AckOut(BaseModel):
    """How many messages were newly marked delivered."""

    acked: int
