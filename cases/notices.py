"""Community notices to a scope (停水, 议事会 time and place): publishing, who may send where,
and which notices a resident of a building should hear.

A notice is for the whole community, for some grids (codes like ``G1``) or for some buildings
(numbers like ``5``), and may end at a time (stored UTC). Channels read the active, unexpired
ones: Telegram through ``GET /api/notices/feed`` (it pushes each new notice to the residents
of its scope), the kiosk and the wall through ``GET /api/public/notices[?building=5]``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from cases.models import Building, Grid, Notice
from core.errors import InvalidInput, LinliError

logger = logging.getLogger(__name__)

MAX_VALUES = 50
"""At most this many grids or buildings in one notice's scope."""
SCAN_LIMIT = 500
"""Newest active notices looked at when filtering by building (notices are few)."""


class ScopeKind(StrEnum):
    """Who a notice is for."""

    COMMUNITY = "community"
    GRIDS = "grids"
    BUILDINGS = "buildings"


SCOPE_KIND_LABELS = {
    ScopeKind.COMMUNITY: "全社区",
    ScopeKind.GRIDS: "部分网格",
    ScopeKind.BUILDINGS: "部分楼栋",
}


class NotYourScope(LinliError):
    """A grid worker tried to send (or withdraw) a notice outside their grids."""


def _natural(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (10**9, value)


def clean_values(raw: Iterable[str]) -> list[str]:
    """Codes as typed or ticked: split on commas, spaces and 、, blanks and repeats dropped."""
    values: list[str] = []
    for item in raw:
        for part in re.split(r"[\s,，、;；]+", item or ""):
            part = part.strip().removesuffix("号楼").upper()
            if part and part not in values:
                values.append(part)
    return values


def check_scope(
    session: Session,
    kind: str,
    values: Iterable[str],
    *,
    grid_ids: frozenset[int] | None,
) -> tuple[ScopeKind, list[str]]:
    """The scope a member may send to, normalised (known codes only, sorted).

    Args:
        grid_ids: the grids a grid worker covers; None for admin and staff (anywhere).

    Raises:
        InvalidInput: unknown kind, no or unknown grids/buildings, too many.
        NotYourScope: a grid worker naming the whole community or a place outside their grids.
    """
    try:
        scope = ScopeKind(kind)
    except ValueError as exc:
        raise InvalidInput("请选择公告发给谁：全社区、部分网格或部分楼栋") from exc
    if scope is ScopeKind.COMMUNITY:
        if grid_ids is not None:
            raise NotYourScope("网格员只能给自己负责的网格或楼栋发公告")
        return scope, []
    codes = clean_values(values)
    what = "网格" if scope is ScopeKind.GRIDS else "楼栋"
    if not codes:
        raise InvalidInput(f"请至少选择一个{what}")
    if len(codes) > MAX_VALUES:
        raise InvalidInput(f"一次最多选择{MAX_VALUES}个{what}")
    if scope is ScopeKind.GRIDS:
        rows = session.execute(select(Grid.code, Grid.id).where(Grid.code.in_(codes))).all()
    else:
        rows = session.execute(
            select(Building.code, Building.grid_id).where(Building.code.in_(codes))
        ).all()
    found = {code: grid_id for code, grid_id in rows}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise InvalidInput(f"没有这个{what}：{'、'.join(unknown)}")
    if grid_ids is not None and any(found[c] not in grid_ids for c in codes):
        raise NotYourScope("网格员只能给自己负责的网格或楼栋发公告")
    return scope, sorted(codes, key=_natural)


def publish(
    session: Session,
    *,
    title: str,
    body: str,
    kind: str,
    values: Iterable[str],
    expires_at: datetime | None,
    now: datetime,
    grid_ids: frozenset[int] | None = None,
) -> Notice:
    """Publish a notice to a scope (see :func:`check_scope` for what is refused).

    Raises:
        InvalidInput: empty title, an end time already past, a bad scope.
        NotYourScope: outside a grid worker's grids.
    """
    title, body = title.strip(), body.strip()
    if not title:
        raise InvalidInput("请填写公告标题")
    if expires_at is not None and expires_at <= now:
        raise InvalidInput("结束时间已经过去了，请选一个以后的时间")
    scope, codes = check_scope(session, kind, values, grid_ids=grid_ids)
    notice = Notice(
        title=title,
        body=body,
        published_at=now,
        scope_kind=scope.value,
        scope_values=codes,
        expires_at=expires_at,
    )
    session.add(notice)
    session.flush()
    logger.info("Notice %d published to %s %s", notice.id, scope.value, ",".join(codes))
    return notice


def may_manage(session: Session, notice: Notice, grid_ids: frozenset[int] | None) -> bool:
    """Whether a member with these grids may withdraw the notice (its whole scope is theirs)."""
    if grid_ids is None:
        return True
    try:
        check_scope(session, notice.scope_kind, notice.scope_values, grid_ids=grid_ids)
    except (InvalidInput, NotYourScope):
        return False
    return True


def withdraw(
    session: Session, notice_id: int, *, grid_ids: frozenset[int] | None = None
) -> Notice | None:
    """Withdraw a notice; None when there is none, or it lies outside the member's grids."""
    notice = session.get(Notice, notice_id)
    if notice is None or not may_manage(session, notice, grid_ids):
        return None
    notice.active = False
    logger.info("Notice %d withdrawn", notice.id)
    return notice


def current(now: datetime) -> Select[tuple[Notice]]:
    """Active notices that have not ended."""
    return select(Notice).where(
        Notice.active.is_(True), or_(Notice.expires_at.is_(None), Notice.expires_at > now)
    )


def feed(session: Session, *, after: int, limit: int, now: datetime) -> list[Notice]:
    """Current notices with id > ``after``, oldest first (what a channel has not pushed yet)."""
    return list(
        session.scalars(current(now).where(Notice.id > after).order_by(Notice.id).limit(limit))
    )


def covers(notice: Notice, *, building: str, grid_code: str | None) -> bool:
    """Whether a resident of ``building`` (in grid ``grid_code``) is inside the notice's scope."""
    if notice.scope_kind == ScopeKind.GRIDS:
        return grid_code is not None and grid_code in notice.scope_values
    if notice.scope_kind == ScopeKind.BUILDINGS:
        return building in notice.scope_values
    return True


def grid_of_building(session: Session, building: str) -> str | None:
    """The grid code of a building, or None for an unknown building."""
    return session.scalar(
        select(Grid.code)
        .join(Building, Building.grid_id == Grid.id)
        .where(Building.code == building)
    )


def newest(
    session: Session, *, now: datetime, limit: int, building: str | None = None
) -> list[Notice]:
    """Current notices, newest first; with ``building``: the community-wide ones and those
    covering that building (an unknown building hears the community-wide ones only)."""
    query = current(now).order_by(Notice.published_at.desc(), Notice.id.desc())
    if building is None:
        return list(session.scalars(query.limit(limit)))
    code = clean_values([building])
    building = code[0] if code else ""
    grid_code = grid_of_building(session, building)
    picked: list[Notice] = []
    for notice in session.scalars(query.limit(SCAN_LIMIT)):
        if covers(notice, building=building, grid_code=grid_code):
            picked.append(notice)
            if len(picked) >= limit:
                break
    return picked


def grid_names(session: Session) -> dict[str, str]:
    """Grid code → its name (第一网格)."""
    return {code: name for code, name in session.execute(select(Grid.code, Grid.name))}


def scope_label(notice: Notice, grid_names: dict[str, str] | None = None) -> str:
    """Plain Chinese: 全社区 / 第一网格、第二网格 / 5号楼、6号楼."""
    if notice.scope_kind == ScopeKind.GRIDS:
        names = grid_names or {}
        return "、".join(names.get(c, f"{c}网格") for c in notice.scope_values)
    if notice.scope_kind == ScopeKind.BUILDINGS:
        return "、".join(f"{c}号楼" for c in notice.scope_values)
    return "全社区"
