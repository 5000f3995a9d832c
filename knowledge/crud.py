"""FAQ store operations; every change writes an audit record in the same transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from knowledge.models import Faq, FaqAudit, FaqStatus, Unanswered, UnansweredStatus, utcnow
from knowledge.schemas import FaqCreate, FaqUpdate, UnansweredToFaq

EDITABLE = ("question", "alternatives", "answer", "category", "source", "valid_until", "owner")


def faq_snapshot(faq: Faq) -> dict[str, Any]:
    """JSON-friendly copy of an FAQ for the audit trail and exports."""
    return {
        "id": faq.id,
        "question": faq.question,
        "alternatives": list(faq.alternatives or []),
        "answer": faq.answer,
        "category": faq.category,
        "source": faq.source,
        "valid_until": faq.valid_until.isoformat() if faq.valid_until else None,
        "owner": faq.owner,
        "status": faq.status,
    }


def _audit(
    session: Session,
    *,
    faq_id: int | None,
    action: str,
    actor: str,
    before: dict | None,
    after: dict | None,
) -> None:
    session.add(FaqAudit(faq_id=faq_id, action=action, actor=actor, before=before, after=after))


def create_faq(*, session: Session, data: FaqCreate, actor: str, action: str = "create") -> Faq:
    """Add an FAQ (active) and audit it."""
    faq = Faq(**data.model_dump(), status=FaqStatus.ACTIVE)
    session.add(faq)
    session.flush()
    _audit(session, faq_id=faq.id, action=action, actor=actor, before=None, after=faq_snapshot(faq))
    return faq


def get_faq(*, session: Session, faq_id: int) -> Faq | None:
    """One FAQ by id, or None."""
    return session.get(Faq, faq_id)


def update_faq(
    *, session: Session, faq_id: int, data: FaqUpdate, actor: str, action: str = "update"
) -> Faq | None:
    """Apply the fields set in ``data``; None if the FAQ does not exist."""
    faq = session.get(Faq, faq_id)
    if faq is None:
        return None
    before = faq_snapshot(faq)
    for key, value in data.model_dump(exclude_unset=True).items():
        if key in ("question", "answer") and not value:
            continue
        setattr(faq, key, value)
    after = faq_snapshot(faq)
    if after != before:
        faq.updated_at = utcnow()
        _audit(session, faq_id=faq.id, action=action, actor=actor, before=before, after=after)
    return faq


def retire_faq(*, session: Session, faq_id: int, actor: str) -> Faq | None:
    """Stop serving an FAQ (kept for the record); None if it does not exist."""
    return update_faq(
        session=session,
        faq_id=faq_id,
        data=FaqUpdate(status=FaqStatus.RETIRED),
        actor=actor,
        action="retire",
    )


def list_faqs(
    *,
    session: Session,
    q: str | None = None,
    status: str | None = None,
    category: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[list[Faq], int]:
    """FAQs matching the filters (substring search on question/answer) and the total count."""
    stmt = select(Faq)
    if status:
        stmt = stmt.where(Faq.status == status)
    if category:
        stmt = stmt.where(Faq.category == category)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(Faq.question.like(like), Faq.answer.like(like)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Faq.id).offset(offset).limit(limit)).all()
    return list(rows), int(total)


def all_faqs(*, session: Session) -> list[Faq]:
    """Every FAQ, in id order (export)."""
    return list(session.scalars(select(Faq).order_by(Faq.id)).all())


def servable_faqs(*, session: Session, today: date) -> list[Faq]:
    """Active FAQs whose ``valid_until`` has not passed: what the index serves."""
    stmt = select(Faq).where(
        Faq.status == FaqStatus.ACTIVE, or_(Faq.valid_until.is_(None), Faq.valid_until >= today)
    )
    return list(session.scalars(stmt.order_by(Faq.id)).all())


def count_faqs(*, session: Session) -> int:
    """Number of FAQs in the store (any status)."""
    return int(session.scalar(select(func.count(Faq.id))) or 0)


def list_audit(*, session: Session, faq_id: int | None = None, limit: int = 200) -> list[FaqAudit]:
    """Newest audit records first, optionally for one FAQ."""
    stmt = select(FaqAudit)
    if faq_id is not None:
        stmt = stmt.where(FaqAudit.faq_id == faq_id)
    return list(session.scalars(stmt.order_by(FaqAudit.id.desc()).limit(limit)).all())


def record_unanswered(
    *,
    session: Session,
    question: str,
    channel: str | None,
    best_faq_id: int | None,
    best_score: float | None,
) -> Unanswered:
    """Add a question to the queue, or bump its count and last-asked time."""
    question = question[:500]
    item = session.scalar(select(Unanswered).where(Unanswered.question == question))
    now = utcnow()
    if item is None:
        item = Unanswered(
            question=question,
            count=1,
            first_asked=now,
            last_asked=now,
            last_channel=channel,
            best_faq_id=best_faq_id,
            best_score=best_score,
            status=UnansweredStatus.OPEN,
        )
        session.add(item)
    else:
        item.count += 1
        item.last_asked = now
        item.last_channel = channel
        item.best_faq_id, item.best_score = best_faq_id, best_score
        if item.status == UnansweredStatus.DISMISSED:
            item.status = UnansweredStatus.OPEN
    session.flush()
    return item


def list_unanswered(
    *, session: Session, status: str | None = UnansweredStatus.OPEN, limit: int = 200
) -> list[Unanswered]:
    """The queue, most asked first, then most recent."""
    stmt = select(Unanswered)
    if status:
        stmt = stmt.where(Unanswered.status == status)
    stmt = stmt.order_by(Unanswered.count.desc(), Unanswered.last_asked.desc()).limit(limit)
    return list(session.scalars(stmt).all())


def unanswered_to_faq(
    *, session: Session, item_id: int, data: UnansweredToFaq, actor: str
) -> Faq | None:
    """Create an FAQ from a queued question in one step; None if the item does not exist."""
    item = session.get(Unanswered, item_id)
    if item is None:
        return None
    question = data.question or item.question
    alternatives = list(data.alternatives)
    if question != item.question and item.question not in alternatives:
        alternatives.insert(0, item.question)
    faq = create_faq(
        session=session,
        data=FaqCreate(
            question=question,
            alternatives=alternatives,
            answer=data.answer,
            category=data.category,
            source=data.source,
            valid_until=data.valid_until,
            owner=data.owner or actor,
        ),
        actor=actor,
        action="create_from_unanswered",
    )
    item.status = UnansweredStatus.RESOLVED
    item.faq_id = faq.id
    return faq


def unanswered_to_alternative(
    *, session: Session, item_id: int, faq_id: int, actor: str
) -> tuple[Unanswered | None, Faq | None]:
    """Add a queued question to an FAQ as another phrasing; resolves the item (audited).

    Returns ``(item, faq)``; either is None when it does not exist.
    """
    item = session.get(Unanswered, item_id)
    faq = session.get(Faq, faq_id)
    if item is None or faq is None:
        return item, faq
    alternatives = list(faq.alternatives or [])
    if item.question != faq.question and item.question not in alternatives:
        alternatives.append(item.question)
        update_faq(
            session=session,
            faq_id=faq.id,
            data=FaqUpdate(alternatives=alternatives),
            actor=actor,
            action="add_phrasing_from_unanswered",
        )
    item.status = UnansweredStatus.RESOLVED
    item.faq_id = faq.id
    return item, faq


def dismiss_unanswered(*, session: Session, item_id: int) -> Unanswered | None:
    """Take a question off the open queue without an FAQ (spam, out of scope)."""
    item = session.get(Unanswered, item_id)
    if item is not None:
        item.status = UnansweredStatus.DISMISSED
    return item
