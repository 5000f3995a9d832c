"""The figures of the wall dashboard and the staff console: one definition each, in one place.

Every figure is computed for a :class:`Scope` — a week (Monday 00:00 local time up to now) and
the grids it covers (all grids for the wall and for admins/staff; a grid worker's own grids, the
same restriction as their queue, ``cases.queue.scoped``). The wall dashboard and the console's
summary cards both read these functions (through ``cases.stats.week_stats``); nothing else
computes a figure.

Words used below:

* **report** — a case of type ``report`` (报事). Emergencies (紧急求助), 转人工 call-backs and
  service applications (办事) are other types; duplicates linked to an earlier report are still
  reports (each is a resident who reported).
* **open** — in one of ``OPEN_STATUSES`` (已受理, 已派单, 处理中, 已重新打开): waiting for work.
* **finished (办结)** — the work ended: the case moved to 已办结, or to 已关闭 without passing
  through 已办结 (e.g. closed by staff as invalid). The automatic or confirmed closing of an
  已办结 case is not a new finish.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from cases.clock import week_start
from cases.models import Case, CaseEvent
from cases.queue import scoped
from cases.statuses import OPEN_STATUSES, Rating, Status
from core.contracts import CaseType

logger = logging.getLogger(__name__)

RATING_SCORES = {
    Rating.RESOLVED.value: 1.0,
    Rating.PARTIAL.value: 0.5,
    Rating.UNRESOLVED.value: 0.0,
}
"""Score of each answer in the satisfaction figure: 解决了 1, 部分解决 0.5, 没解决 0."""

NO_CATEGORY = "other"
"""Where a report without a category is counted in the category chart."""

_OPEN = [s.value for s in OPEN_STATUSES]
_DONE = [Status.RESOLVED.value, Status.CLOSED.value]


@dataclass(frozen=True)
class Scope:
    """Which cases a figure looks at: a week and some grids."""

    start: datetime
    """Monday 00:00 local time of the week, as UTC."""
    now: datetime
    """The end of the window (the time of the query), UTC."""
    grid_ids: frozenset[int] | None = None
    """The grids covered; None = the whole community (cases without a grid included)."""

    @classmethod
    def this_week(cls, now: datetime, grid_ids: frozenset[int] | None = None) -> Scope:
        """The week containing ``now`` (local Monday to now), for some grids."""
        return cls(start=week_start(now), now=now, grid_ids=grid_ids)


def _cases(scope: Scope, *columns: Any) -> Select[Any]:
    """``select(columns)`` from the cases of the scope's grids."""
    return scoped(select(*columns).select_from(Case), scope.grid_ids)


def _in_week(column: Any, scope: Scope) -> ColumnElement[bool]:
    return and_(column >= scope.start, column <= scope.now)


def _reports_received(scope: Scope) -> Select[Any]:
    return _cases(scope, Case.category).where(
        Case.type == CaseType.REPORT.value, _in_week(Case.created_at, scope)
    )


def reports_by_category(session: Session, scope: Scope) -> Counter[str]:
    """本周报事分类: this week's reports (received Monday 00:00 local time up to now) by category
    code; a report without a category counts as ``other``.

    The same reports as :func:`reports_received`: the counts always add up to it.
    """
    rows = session.execute(
        _reports_received(scope)
        .with_only_columns(Case.category, func.count())
        .group_by(Case.category)
    ).tuples()
    counts: Counter[str] = Counter()
    for code, n in rows:
        counts[code or NO_CATEGORY] += int(n)
    return counts


def reports_received(session: Session, scope: Scope) -> int:
    """本周报事: reports received this week (type 报事 only — no emergencies, call-backs or
    service applications; duplicates included).
    """
    return sum(reports_by_category(session, scope).values())


def received_by_type(session: Session, scope: Scope) -> dict[str, int]:
    """本周新增 by type: cases of every type received this week, ``{type code: count}`` with every
    type present (0 when none). Its ``report`` entry equals :func:`reports_received`.
    """
    rows = session.execute(
        _cases(scope, Case.type, func.count())
        .where(_in_week(Case.created_at, scope))
        .group_by(Case.type)
    ).tuples()
    counts = {t.value: 0 for t in CaseType}
    for kind, n in rows:
        counts[kind] = counts.get(kind, 0) + int(n)
    return counts


def reports_confirmed(session: Session, scope: Scope) -> int:
    """办结并确认 (count): of this week's reports (:func:`reports_received`), those now closed
    with the resident's 解决了. A 部分解决 or 没解决 answer, a case closed for silence, and a
    duplicate closed with its original do not count.
    """
    return int(
        session.scalar(
            _reports_received(scope)
            .with_only_columns(func.count())
            .where(Case.status == Status.CLOSED.value, Case.rating == Rating.RESOLVED.value)
        )
        or 0
    )


def confirmed_rate(confirmed: int, received: int) -> float | None:
    """办结并确认率: :func:`reports_confirmed` / :func:`reports_received` (0..1, 3 decimals);
    None when no report came in this week. The numerator is part of the denominator, so the
    rate can never pass 100% and is 1% when 1 of 99 reports was fixed and confirmed.
    """
    return round(confirmed / received, 3) if received else None


def open_now(session: Session, scope: Scope) -> int:
    """正在处理 / 未办结: cases of every type open now, whenever they came in — the console
    queue's default list (状态 = 未办结) has exactly these.
    """
    return int(session.scalar(_cases(scope, func.count()).where(Case.status.in_(_OPEN))) or 0)


def overdue_now(session: Session, scope: Scope) -> int:
    """超时 / 已超期: of :func:`open_now`, those past their deadline now (the queue's
    只看超期 filter).
    """
    return int(
        session.scalar(
            _cases(scope, func.count()).where(Case.status.in_(_OPEN), Case.due_at < scope.now)
        )
        or 0
    )


def closed_this_week(session: Session, scope: Scope) -> int:
    """本周关闭: cases of every type that are closed now and were closed this week (confirmed
    by the resident, closed for silence, or closed by staff). A case reopened since is open,
    not closed.
    """
    return int(
        session.scalar(
            _cases(scope, func.count()).where(
                Case.status == Status.CLOSED.value, _in_week(Case.closed_at, scope)
            )
        )
        or 0
    )


def _finished_at(session: Session, scope: Scope) -> list[tuple[datetime, datetime]]:
    """(reported, finished) of the reports whose work ended this week and is still ended."""
    finish = (
        select(CaseEvent.case_id, func.max(CaseEvent.at).label("at"))
        .where(
            CaseEvent.kind == "status",
            or_(
                CaseEvent.to_status == Status.RESOLVED.value,
                and_(
                    CaseEvent.to_status == Status.CLOSED.value,
                    or_(
                        CaseEvent.from_status.is_(None),
                        CaseEvent.from_status != Status.RESOLVED.value,
                    ),
                ),
            ),
        )
        .group_by(CaseEvent.case_id)
        .subquery()
    )
    query = (
        _cases(scope, Case.created_at, finish.c.at)
        .join(finish, finish.c.case_id == Case.id)
        .where(
            Case.type == CaseType.REPORT.value,
            Case.status.in_(_DONE),
            _in_week(finish.c.at, scope),
        )
    )
    return [(created, at) for created, at in session.execute(query).tuples()]


def avg_hours_to_fix(session: Session, scope: Scope) -> float | None:
    """平均处理时间: over the reports finished (办结) this week and not reopened since, the
    average hours from the report to its last finish (a report reopened by 没解决 and fixed again
    counts once, with all the time it took; one still open after 部分解决 does not count yet).
    None when none was finished this week.
    """
    spans = _finished_at(session, scope)
    hours = [(done.replace(tzinfo=None) - made.replace(tzinfo=None)).total_seconds() / 3600
             for made, done in spans]  # fmt: skip
    return round(sum(hours) / len(hours), 1) if hours else None


def ratings_this_week(session: Session, scope: Scope) -> list[str]:
    """The answers behind 满意度: for each case (of any type) whose resident answered this week,
    its latest answer (解决了 / 部分解决 / 没解决) — a case answered twice counts once.
    """
    answered = (
        select(CaseEvent.case_id)
        .where(CaseEvent.kind == "rating", _in_week(CaseEvent.at, scope))
        .distinct()
        .subquery()
    )
    query = _cases(scope, Case.rating).where(
        Case.id.in_(select(answered.c.case_id)), Case.rating.is_not(None)
    )
    return [r for r in session.scalars(query) if r in RATING_SCORES]


def satisfaction(ratings: list[str]) -> float | None:
    """满意度: the average score of :func:`ratings_this_week` (解决了 1, 部分解决 0.5, 没解决 0),
    0..1 with 3 decimals; None when nobody answered this week.
    """
    if not ratings:
        return None
    return round(sum(RATING_SCORES[r] for r in ratings) / len(ratings), 3)
