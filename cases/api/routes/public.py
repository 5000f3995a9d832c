"""Public, aggregated data for the kiosk's wall dashboard: stats and community notices."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from cases import notices
from cases.api.deps import ClockDep, SessionDep
from cases.stats import WeekStats, week_stats
from core.localtime import local_tz

router = APIRouter(prefix="/api/public", tags=["public"])


class NoticeOut(BaseModel):
    """A community notice (times local)."""

    id: int
    title: str
    body: str
    published_at: str
    expires_at: str | None = None
    scope_kind: str = "community"
    scope_values: list[str] = []
    scope_label: str = "全社区"


@router.get("/stats", response_model=WeekStats)
def public_stats(session: SessionDep, clock: ClockDep) -> WeekStats:
    """This week's cases by category, confirmation rate, hours to fix, open/overdue counts."""
    return week_stats(session, now=clock.now())


def _local(when: datetime | None) -> str | None:
    return None if when is None else when.astimezone(local_tz()).isoformat(timespec="minutes")


@router.get("/notices", response_model=list[NoticeOut])
def public_notices(
    session: SessionDep,
    clock: ClockDep,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    building: Annotated[str | None, Query(max_length=20, description="楼栋号，例如 5")] = None,
) -> list[NoticeOut]:
    """Active community notices that have not ended, newest first; with ``building``: the
    community-wide ones plus those for that building or its grid."""
    rows = notices.newest(session, now=clock.now(), limit=limit, building=building or None)
    names = notices.grid_names(session) if rows else {}
    return [
        NoticeOut(
            id=n.id,
            title=n.title,
            body=n.body,
            published_at=_local(n.published_at) or "",
            expires_at=_local(n.expires_at),
            scope_kind=n.scope_kind,
            scope_values=list(n.scope_values or []),
            scope_label=notices.scope_label(n, names),
        )
        for n in rows
    ]
