"""Public, aggregated data for the kiosk's wall dashboard: stats and community notices."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from cases.api.deps import ClockDep, SessionDep
from cases.models import Notice
from cases.stats import WeekStats, week_stats
from core.localtime import local_tz

router = APIRouter(prefix="/api/public", tags=["public"])


class NoticeOut(BaseModel):
    """A community notice."""

    id: int
    title: str
    body: str
    published_at: str


@router.get("/stats", response_model=WeekStats)
def public_stats(session: SessionDep, clock: ClockDep) -> WeekStats:
    """This week's cases by category, confirmation rate, hours to fix, open/overdue counts."""
    return week_stats(session, now=clock.now())


@router.get("/notices", response_model=list[NoticeOut])
def public_notices(
    session: SessionDep, limit: Annotated[int, Query(ge=1, le=50)] = 10
) -> list[NoticeOut]:
    """Active community notices, newest first."""
    notices = session.scalars(
        select(Notice)
        .where(Notice.active.is_(True))
        .order_by(Notice.published_at.desc(), Notice.id.desc())
        .limit(limit)
    )
    return [
        NoticeOut(
            id=n.id,
            title=n.title,
            body=n.body,
            published_at=n.published_at.astimezone(local_tz()).isoformat(timespec="minutes"),
        )
        for n in notices
    ]
