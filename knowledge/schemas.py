"""Pydantic models of the knowledge-base API (staff curation and resident search)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.contracts import FaqHit
from core.textnorm import to_simplified


def _utc(value: datetime) -> datetime:
    """SQLite drops the timezone: stored values are UTC, say so."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _clean(text: str) -> str:
    """Simplified characters, trimmed; punctuation kept as typed (the index normalises fully)."""
    return to_simplified(text.strip()).strip()


class FaqBase(BaseModel):
    """Fields staff edit on an FAQ."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=500)
    alternatives: list[str] = Field(default_factory=list, max_length=50)
    answer: str = Field(min_length=1, max_length=4000)
    category: str | None = Field(default=None, max_length=40)
    source: str | None = Field(default=None, max_length=200)
    valid_until: date | None = None
    owner: str | None = Field(default=None, max_length=80)

    @field_validator("question")
    @classmethod
    def _norm_question(cls, v: str) -> str:
        v = _clean(v)
        if not v:
            raise ValueError("问题不能为空")
        return v

    @field_validator("alternatives")
    @classmethod
    def _norm_alternatives(cls, v: list[str]) -> list[str]:
        out: list[str] = []
        for item in v:
            item = _clean(item)
            if len(item) > 500:
                raise ValueError("说法太长（最多500字）")
            if item and item not in out:
                out.append(item)
        return out

    @field_validator("answer")
    @classmethod
    def _strip_answer(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("答案不能为空")
        return v


class FaqCreate(FaqBase):
    """A new FAQ."""


class FaqUpdate(BaseModel):
    """A partial update; only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    question: str | None = Field(default=None, min_length=1, max_length=500)
    alternatives: list[str] | None = Field(default=None, max_length=50)
    answer: str | None = Field(default=None, min_length=1, max_length=4000)
    category: str | None = Field(default=None, max_length=40)
    source: str | None = Field(default=None, max_length=200)
    valid_until: date | None = None
    owner: str | None = Field(default=None, max_length=80)
    status: str | None = Field(default=None, pattern="^(active|retired)$")

    @field_validator("question")
    @classmethod
    def _norm_question(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = _clean(v)
        if not v:
            raise ValueError("问题不能为空")
        return v

    @field_validator("alternatives")
    @classmethod
    def _norm_alternatives(cls, v: list[str] | None) -> list[str] | None:
        return None if v is None else FaqBase._norm_alternatives(v)


class FaqPublic(FaqBase):
    """An FAQ as staff see it."""

    model_config = ConfigDict(from_attributes=True, extra="ignore")

    id: int
    status: str
    created_at: datetime
    updated_at: datetime

    @field_validator("created_at", "updated_at")
    @classmethod
    def _as_utc(cls, value: datetime) -> datetime:
        return _utc(value)


class AuditPublic(BaseModel):
    """One audit record."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    faq_id: int | None
    action: str
    actor: str
    at: datetime
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @field_validator("at")
    @classmethod
    def _as_utc(cls, value: datetime) -> datetime:
        return _utc(value)


class UnansweredPublic(BaseModel):
    """One entry of the unanswered-questions queue."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    question: str
    count: int
    first_asked: datetime
    last_asked: datetime
    last_channel: str | None
    best_faq_id: int | None
    best_score: float | None
    status: str
    faq_id: int | None

    @field_validator("first_asked", "last_asked")
    @classmethod
    def _as_utc(cls, value: datetime) -> datetime:
        return _utc(value)


class ClosestFaq(BaseModel):
    """An FAQ close to a queued question (what the search would have offered)."""

    faq_id: int
    question: str
    score: float


class UnansweredWithClosest(UnansweredPublic):
    """A queued question with the FAQs closest to it now."""

    closest: list[ClosestFaq] = Field(default_factory=list)


class UnansweredToAlternative(BaseModel):
    """Add a queued question to an existing FAQ as another way of asking it."""

    model_config = ConfigDict(extra="forbid")

    faq_id: int = Field(ge=1)


class UnansweredToFaq(BaseModel):
    """Turn an unanswered question into an FAQ: the answer plus optional edits."""

    model_config = ConfigDict(extra="forbid")

    answer: str = Field(min_length=1, max_length=4000)
    question: str | None = Field(default=None, max_length=500)
    alternatives: list[str] = Field(default_factory=list, max_length=50)
    category: str | None = Field(default=None, max_length=40)
    source: str | None = Field(default=None, max_length=200)
    valid_until: date | None = None
    owner: str | None = Field(default=None, max_length=80)


class SearchResponse(BaseModel):
    """``GET /api/kb/search``: hits best first; ``score`` is the calibrated probability (0–1)
    that the hit is the right FAQ; ``confident`` when the first reaches the answer threshold."""

    query: str
    hits: list[FaqHit]
    confident: bool
    threshold: float | None = None
    """The calibrated answer threshold the decision used."""
    message: str | None = None
    """A short Chinese note for people when there is nothing to answer with."""


class AskRequest(BaseModel):
    """``POST /api/kb/ask`` body (the consult action)."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=1000)
    channel: str = Field(default="rest", max_length=20)
    sender_id: str | None = Field(default=None, max_length=200)


class AskResponse(BaseModel):
    """``POST /api/kb/ask`` answer: the answer when confident, otherwise suggestions."""

    answer: FaqHit | None
    suggestions: list[FaqHit]
    confident: bool


class ImportResult(BaseModel):
    """Outcome of a bulk import."""

    created: int
    updated: int
