"""Tables of the deliberation part (SQLAlchemy 2 typed ORM), all prefixed ``delib_``.

Only ``deliberation`` code touches them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from core.dbtypes import UTCDateTime  # re-exported: the migrations name it here


class Base(DeclarativeBase):
    """Declarative base of the deliberation tables."""

    type_annotation_map = {datetime: UTCDateTime}


# --- household register ------------------------------------------------------------------


class Household(Base):
    """A household (building + unit + room) that may vote, with the grid it belongs to."""

    __tablename__ = "delib_households"
    __table_args__ = (UniqueConstraint("building", "unit", "room", name="uq_delib_household"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    building: Mapped[str] = mapped_column(String(20), index=True)
    unit: Mapped[str] = mapped_column(String(20))
    room: Mapped[str] = mapped_column(String(20))
    grid_code: Mapped[str] = mapped_column(String(40), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    phones: Mapped[list[HouseholdPhone]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    def label(self) -> str:
        """Plain Chinese: 5号楼2单元301室."""
        return f"{self.building}号楼{self.unit}单元{self.room}室"


class HouseholdPhone(Base):
    """A phone on record for a household: only its last 4 digits and a masked form are kept."""

    __tablename__ = "delib_household_phones"
    __table_args__ = (UniqueConstraint("household_id", "tail", name="uq_delib_phone_tail"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("delib_households.id", ondelete="CASCADE"), index=True
    )
    tail: Mapped[str] = mapped_column(String(4))
    masked: Mapped[str] = mapped_column(String(20))


# --- proposals ----------------------------------------------------------------------------


class Proposal(Base):
    """A resident's proposal (建议); text is stored already screened (numbers masked)."""

    __tablename__ = "delib_proposals"
    id: Mapped[int] = mapped_column(primary_key=True)
    what: Mapped[str] = mapped_column(Text)
    why: Mapped[str] = mapped_column(Text, default="")
    scope: Mapped[str] = mapped_column(String(20))
    """community, grid or building."""
    scope_code: Mapped[str | None] = mapped_column(String(40), default=None)
    """The grid code (G1) or building code (5) of the scope."""
    grid_code: Mapped[str | None] = mapped_column(String(40), default=None, index=True)
    """The grid whose worker may moderate it; None for the whole community."""
    channel: Mapped[str] = mapped_column(String(20))
    resident_key: Mapped[str | None] = mapped_column(String(200), default=None, index=True)
    """The proposer's sender id (``tg:…``, ``kiosk:…``, ``web:…``): where the outcome goes."""
    idempotency_key: Mapped[str | None] = mapped_column(String(200), default=None, unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    had_numbers: Mapped[bool] = mapped_column(Boolean, default=False)
    abusive_words: Mapped[list[str]] = mapped_column(JSON, default=list)
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("delib_proposals.id"), default=None
    )
    duplicate_score: Mapped[float | None] = mapped_column(Float, default=None)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("delib_proposals.id"), default=None
    )
    decline_reason: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]


class ModerationEntry(Base):
    """The audit trail: every screening and moderation decision on a proposal."""

    __tablename__ = "delib_moderation_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("delib_proposals.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    """``staff:<username>``, ``service`` or ``system``."""
    actor_name: Mapped[str] = mapped_column(String(100), default="")
    """The staff member's display name, as people read it (empty for the system)."""
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20), default=None)
    to_status: Mapped[str | None] = mapped_column(String(20), default=None)
    reason: Mapped[str] = mapped_column(Text, default="")
    target_id: Mapped[int | None] = mapped_column(Integer, default=None)


# --- polls and votes ----------------------------------------------------------------------


class Poll(Base):
    """A poll (投票) over a scope, one vote per household (default) or per resident."""

    __tablename__ = "delib_polls"
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("delib_proposals.id"), default=None, index=True
    )
    question: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON)
    scope: Mapped[str] = mapped_column(String(20))
    scope_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Grid codes or building codes of the scope (empty for the whole community)."""
    grid_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Grids the scope touches (empty = the whole community): who may manage it."""
    eligibility: Mapped[str] = mapped_column(String(20), default="household")
    threshold: Mapped[str] = mapped_column(String(20), default="none")
    """none, ordinary (一般事项) or major (重大事项), 《民法典》第二百七十八条."""
    eligible_households: Mapped[int] = mapped_column(Integer, default=0)
    """Households in scope when the poll opened (the register at that time)."""
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime] = mapped_column(index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    outcome_notified_at: Mapped[datetime | None] = mapped_column(default=None)


class Vote(Base):
    """One household's (or resident's) current vote; the unique key makes it exactly one."""

    __tablename__ = "delib_votes"
    __table_args__ = (UniqueConstraint("poll_id", "voter_key", name="uq_delib_vote_voter"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("delib_polls.id", ondelete="CASCADE"))
    voter_key: Mapped[str] = mapped_column(String(220))
    """``h:<household id>`` (one per household) or ``r:<resident key>`` (one per resident)."""
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("delib_households.id"), default=None
    )
    resident_key: Mapped[str | None] = mapped_column(String(200), default=None, index=True)
    option_index: Mapped[int] = mapped_column(Integer)
    relation: Mapped[str] = mapped_column(String(20), default="本人")
    """本人, or who voted for the household member (女儿, 儿子 …)."""
    channel: Mapped[str] = mapped_column(String(20))
    confirmed_by: Mapped[str] = mapped_column(String(100))
    """``phone`` (last 4 digits on record) or ``staff:<username>`` (at the centre)."""
    cast_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    revision: Mapped[int] = mapped_column(Integer, default=1)
    """1 for the first vote; each replacement adds one."""


# --- decisions ------------------------------------------------------------------------------


class Decision(Base):
    """What became of a poll or a proposal: 采纳 → 办理中 → 已完成 (or 未采纳)."""

    __tablename__ = "delib_decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int | None] = mapped_column(
        ForeignKey("delib_polls.id"), default=None, unique=True
    )
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("delib_proposals.id"), default=None, index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    grid_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    case_no: Mapped[str | None] = mapped_column(String(32), default=None)
    """The case spawned in the case system (its number is the only link)."""
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DecisionNote(Base):
    """A progress note or status change of a decision (shown to residents)."""

    __tablename__ = "delib_decision_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("delib_decisions.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    actor_name: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str | None] = mapped_column(String(20), default=None)
    text: Mapped[str] = mapped_column(Text, default="")


# --- outbox -------------------------------------------------------------------------------


class OutboxMessage(Base):
    """A message for a resident's channel (proposal outcomes, poll results, progress)."""

    __tablename__ = "delib_outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), index=True)
    recipient: Mapped[str] = mapped_column(String(200))
    ref: Mapped[str] = mapped_column(String(40))
    """What it is about: ``proposal:12``, ``poll:3``, ``decision:5``."""
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
