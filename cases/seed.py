"""Seed data: one demo community (街道 → 社区 → 4 网格 → 20 楼栋), departments, workers, notices.

Idempotent: the hierarchy is seeded only into an empty database; routing rules for categories
that have none are added on every start, so a new category in ``categories.yml`` gets routed.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases.db import lock_for_setup
from cases.models import (
    Building,
    Community,
    Department,
    Grid,
    Notice,
    RoutingRule,
    Street,
    Worker,
)
from core.localtime import local_tz
from core.taxonomy import categories

logger = logging.getLogger(__name__)

DEPARTMENTS = {
    "物业": "物业服务中心",
    "市政": "街道市政所",
    "环卫": "环卫所",
    "民政": "社区民政专干",
    "安全": "社区安全员",
    "社区": "社区居委会",
}

GRID_HANDLED_DEPARTMENTS = frozenset({"民政", "安全", "社区"})
"""Departments whose cases the building's grid worker handles first (rest: department staff)."""

GRIDS = (
    ("G1", "第一网格", "王芳", "物业维修一组 赵师傅"),
    ("G2", "第二网格", "李强", "物业维修二组 钱师傅"),
    ("G3", "第三网格", "张敏", "物业维修三组 孙师傅"),
    ("G4", "第四网格", "刘洋", "物业维修四组 周师傅"),
)
BUILDINGS_PER_GRID = 5

WEEKDAYS = "一二三四五六日"
WATER_OFF_IN_DAYS = 2
"""The demo 停水 notice is for the day after tomorrow (local) and ends when the water is back."""


def seed_notices(now: datetime) -> list[Notice]:
    """The demo community's notices, dated from ``now``: nothing stale on a fresh install (a
    dated notice carries its end time, so it disappears once it is over)."""
    day = (now.astimezone(local_tz()) + timedelta(days=WATER_OFF_IN_DAYS)).date()
    water_back = datetime.combine(day, time(15, 0), tzinfo=local_tz()).astimezone(UTC)
    when = f"{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）"
    return [
        Notice(
            title="停水通知",
            body=f"{when}上午9点到下午3点，3号楼到8号楼管道检修停水，请提前储水。",
            published_at=now,
            expires_at=water_back,
        ),
        Notice(
            title="高龄津贴集中办理",
            body="每周二、周四上午，社区服务中心一楼民政窗口集中受理高龄津贴申请，"
            "请带身份证和户口本。",
            published_at=now,
        ),
        Notice(
            title="电动车安全提示",
            body="请不要把电动车推进楼道和电梯，也不要飞线充电。小区东门有充电桩。",
            published_at=now,
        ),
    ]


def default_routing_rules() -> dict[str, tuple[str, str]]:
    """Category → (department, handler) from the taxonomy."""
    return {
        c.code: (c.department, "grid" if c.department in GRID_HANDLED_DEPARTMENTS else "department")
        for c in categories()
    }


def seed_routing_rules(session: Session) -> int:
    """Add routing rules for categories that have none; returns how many were added."""
    existing = set(session.scalars(select(RoutingRule.category_code)))
    added = 0
    for code, (department, handler) in default_routing_rules().items():
        if code not in existing:
            session.add(
                RoutingRule(category_code=code, department_code=department, handler=handler)
            )
            added += 1
    return added


def seed_community(session: Session, *, now: datetime) -> bool:
    """Seed the demo hierarchy, workers and notices into an empty database.

    Returns:
        True when data was seeded, False when the database already had a hierarchy.
    """
    if session.scalar(select(func.count()).select_from(Street)):
        return False
    street = Street(code="DH", name="东湖街道")
    community = Community(code="XFL", name="幸福里社区", street=street)
    session.add_all([street, community])
    for code, name in DEPARTMENTS.items():
        session.add(Department(code=code, name=name))
    number = 1
    for grid_code, grid_name, worker_name, property_handler in GRIDS:
        grid = Grid(code=grid_code, name=grid_name, community=community)
        session.add(grid)
        for _ in range(BUILDINGS_PER_GRID):
            session.add(Building(code=str(number), name=f"{number}号楼", grid=grid))
            number += 1
        session.add(Worker(name=worker_name, title=f"{grid_name}网格员 ", grid=grid, level=0))
        title, _, handler_name = property_handler.partition(" ")
        session.add(
            Worker(name=handler_name, title=f"{title} ", grid=grid, level=0, department_code="物业")
        )
    for department, title, name in (
        ("市政", "街道市政所 ", "陈工"),
        ("环卫", "环卫所 ", "吴师傅"),
        ("民政", "民政专干 ", "郑丽"),
        ("安全", "社区安全员 ", "冯刚"),
    ):
        session.add(Worker(name=name, title=title, level=0, department_code=department))
    session.add(Worker(name="何主任", title="社区居委会 ", level=1, department_code="社区"))
    session.add(Worker(name="街道督办办公室", title="", level=2, department_code="社区"))
    session.add_all(seed_notices(now))
    session.flush()
    logger.info("Seeded the demo community: 4 grids, %d buildings", number - 1)
    return True


def seed_all(session: Session, *, now: datetime, demo_community: bool = True) -> None:
    """Everything the case system needs to route cases (idempotent, replica-safe)."""
    lock_for_setup(session.connection())
    if demo_community:
        seed_community(session, now=now)
    added = seed_routing_rules(session)
    if added:
        logger.info("Added %d routing rules", added)
