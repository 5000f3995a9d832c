"""This week's figures as the wall dashboard and the staff console get them (no personal data).

The figures themselves are defined in ``cases/metrics.py``; this module only gathers them for one
scope (the whole community for the wall, a grid worker's grids for their console).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.orm import Session

from cases import metrics
from core.localtime import local_tz
from core.taxonomy import category_by_code


class CategoryCount(BaseModel):
    """Reports of one category this week."""

    code: str
    name: str
    count: int


class WeekStats(BaseModel):
    """This week's numbers; nothing in here identifies a resident. Definitions: cases/metrics.py."""

    week_start: str
    """Monday of this week (local time), ISO date."""
    generated_at: str
    timezone: str = "Asia/Shanghai"
    """The community's time zone (``LINLI_TIMEZONE``): the wall dashboard shows its clock in it."""
    scoped: bool = False
    """True when the figures cover only some grids (a grid worker's console)."""
    reports_this_week: int
    """本周报事: reports received this week (``metrics.reports_received``)."""
    by_category: list[CategoryCount]
    """本周报事分类: the same reports by category; the counts add up to ``reports_this_week``."""
    received_by_type: dict[str, int]
    """本周新增 by type (report, emergency, callback, service)."""
    received_this_week: int
    """本周新增: cases of every type received this week."""
    open: int
    """正在处理 / 未办结: open cases of every type (``metrics.open_now``)."""
    overdue: int
    """超时: open cases past their deadline (``metrics.overdue_now``)."""
    closed_this_week: int
    """本周关闭 (``metrics.closed_this_week``)."""
    confirmed_this_week: int
    """Of this week's reports, those closed with the resident's 解决了."""
    confirmed_rate: float | None
    """办结并确认: ``confirmed_this_week / reports_this_week`` (None without reports)."""
    avg_hours_to_fix: float | None
    """平均处理时间: hours from report to 办结, over reports finished this week."""
    satisfaction: float | None
    """满意度: average of the latest answer of each case answered this week."""
    rated_this_week: int
    """How many cases the satisfaction figure averages."""


def week_stats(
    session: Session, *, now: datetime, grid_ids: frozenset[int] | None = None
) -> WeekStats:
    """This week's figures for some grids (None = the whole community)."""
    scope = metrics.Scope.this_week(now, grid_ids)
    by_code = metrics.reports_by_category(session, scope)
    by_category = []
    for code, n in sorted(by_code.items(), key=lambda item: (-item[1], item[0])):
        cat = category_by_code(code)
        by_category.append(CategoryCount(code=code, name=cat.name if cat else "其他", count=n))
    received = sum(by_code.values())
    by_type = metrics.received_by_type(session, scope)
    confirmed = metrics.reports_confirmed(session, scope)
    ratings = metrics.ratings_this_week(session, scope)
    return WeekStats(
        week_start=scope.start.astimezone(local_tz()).date().isoformat(),
        generated_at=now.astimezone(local_tz()).isoformat(timespec="seconds"),
        timezone=str(local_tz()),
        scoped=grid_ids is not None,
        reports_this_week=received,
        by_category=by_category,
        received_by_type=by_type,
        received_this_week=sum(by_type.values()),
        open=metrics.open_now(session, scope),
        overdue=metrics.overdue_now(session, scope),
        closed_this_week=metrics.closed_this_week(session, scope),
        confirmed_this_week=confirmed,
        confirmed_rate=metrics.confirmed_rate(confirmed, received),
        avg_hours_to_fix=metrics.avg_hours_to_fix(session, scope),
        satisfaction=metrics.satisfaction(ratings),
        rated_this_week=len(ratings),
    )
