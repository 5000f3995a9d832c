"""FAQ store tables (SQLAlchemy 2): FAQs, their audit trail and the unanswered-questions queue."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, DateTime, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    """Timezone-aware now (UTC)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of the knowledge-base tables."""


class FaqStatus(StrEnum):
    """Whether an FAQ is served to residents."""

    ACTIVE = "active"
    RETIRED = "retired"


class UnansweredStatus(StrEnum):
    """Where an unanswered question stands."""

    OPEN = "open"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


class Faq(Base):
    """One curated question with its alternative phrasings and answer."""

    __tablename__ = "kb_faq"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question: Mapped[str] = mapped_column(String(500))
    alternatives: Mapped[list[str]] = mapped_column(JSON, default=list)
    answer: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    source: Mapped[str | None] = mapped_column(String(200), nullable=True)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    owner: Mapped[str | None] = mapped_column(String(80), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=FaqStatus.ACTIVE, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FaqAudit(Base):
    """Who changed what, when: the full before/after of an FAQ."""

    __tablename__ = "kb_faq_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    faq_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    action: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class Unanswered(Base):
    """A resident question the knowledge base could not answer confidently."""

    __tablename__ = "kb_unanswered"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question: Mapped[str] = mapped_column(String(500), unique=True)
    """Normalised (Simplified) text; repeated questions increase ``count``."""
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_asked: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_asked: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_channel: Mapped[str | None] = mapped_column(String(20), nullable=True)
    best_faq_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    best_score: Mapped[float | None] = mapped_column(nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=UnansweredStatus.OPEN, index=True)
    faq_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The FAQ it was turned into, once resolved."""
