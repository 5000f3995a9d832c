"""Aggregated statistics with no personal data (public wall dashboard, staff dashboard)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases.clock import week_start
from cases.models import Case
from cases.statuses import OPEN_STATUSES, Rating, Status
from core.localtime import local_tz
from core.taxonomy import category_by_code

RATING_SCORES = {Rating.RESOLVED: 1.0, Rating.PARTIAL: 0.5, Rating.UNRESOLVED: 0.0}


class CategoryCount(BaseModel):
    """Cases of one category this week."""

    code: str
    name: str
    count: int


class WeekStats(BaseModel):
    """This week's numbers; nothing in here identifies a resident."""

    week_start: str
    """Monday of this week (China time), ISO date."""
    generated_at: str
    timezone: str = "Asia/Shanghai"
    """The community's time zone (``LINLI_TIMEZONE``): the wall dashboard shows its clock in it."""
    created_this_week: int
    by_category: list[CategoryCount]
    open: int
    overdue: int
    closed_this_week: int
    confirmed_this_week: int
    """Closed this week and confirmed 解决了 by the resident."""
    closed_confirmed_rate: float | None
    avg_hours_to_fix: float | None
    """Average hours from report to 已办结, over cases resolved this week."""
    satisfaction: float | None
    """Average of ratings given this week (解决了 1, 部分解决 0.5, 没解决 0)."""
    rated_this_week: int


def week_stats(session: Session, *, now: datetime) -> WeekStats:
    """Compute this week's aggregated statistics."""
    start = week_start(now)
    open_values = [s.value for s in OPEN_STATUSES]
    created = list(
        session.execute(
            select(Case.category, func.count())
            .where(Case.created_at >= start, Case.type == "report")
            .group_by(Case.category)
        ).tuples()
    )
    counts: Counter[str] = Counter({code or "other": n for code, n in created})
    by_category = []
    for code, n in counts.most_common():
        cat = category_by_code(code)
        by_category.append(CategoryCount(code=code, name=cat.name if cat else code, count=n))
    created_total = (
        session.scalar(select(func.count()).select_from(Case).where(Case.created_at >= start)) or 0
    )
    open_count = (
        session.scalar(select(func.count()).select_from(Case).where(Case.status.in_(open_values)))
        or 0
    )
    overdue = (
        session.scalar(
            select(func.count())
            .select_from(Case)
            .where(Case.status.in_(open_values), Case.due_at < now)
        )
        or 0
    )
    closed_rows = list(
        session.execute(
            select(Case.rating).where(Case.status == Status.CLOSED.value, Case.closed_at >= start)
        ).scalars()
    )
    confirmed = sum(1 for r in closed_rows if r == Rating.RESOLVED.value)
    fixed = list(
        session.execute(
            select(Case.created_at, Case.resolved_at).where(Case.resolved_at >= start)
        ).tuples()
    )
    # Reopened-then-closed cases lose resolved_at; count those closed with a confirmation too.
    hours = [(r - c).total_seconds() / 3600 for c, r in fixed if r is not None]
    rated = list(
        session.execute(
            select(Case.rating).where(Case.rating.is_not(None), Case.updated_at >= start)
        ).scalars()
    )
    scores = [RATING_SCORES[Rating(r)] for r in rated if r in RATING_SCORES]
    return WeekStats(
        week_start=start.astimezone(local_tz()).date().isoformat(),
        generated_at=now.astimezone(local_tz()).isoformat(timespec="seconds"),
        timezone=str(local_tz()),
        created_this_week=int(created_total),
        by_category=by_category,
        open=int(open_count),
        overdue=int(overdue),
        closed_this_week=len(closed_rows),
        confirmed_this_week=confirmed,
        closed_confirmed_rate=round(confirmed / len(closed_rows), 3) if closed_rows else None,
        avg_hours_to_fix=round(sum(hours) / len(hours), 1) if hours else None,
        satisfaction=round(sum(scores) / len(scores), 3) if scores else None,
        rated_this_week=len(scores),
    )
