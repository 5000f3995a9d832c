"""Case status codes, their plain-Chinese labels and the allowed transitions."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where a case is in its life."""

    ACCEPTED = "accepted"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"


class Rating(StrEnum):
    """The resident's confirmation of a resolved case."""

    RESOLVED = "resolved"  # 解决了
    PARTIAL = "partial"  # 部分解决
    UNRESOLVED = "unresolved"  # 没解决


STATUS_LABELS: dict[str, str] = {
    Status.ACCEPTED: "已受理",
    Status.DISPATCHED: "已派单",
    Status.IN_PROGRESS: "处理中",
    Status.RESOLVED: "已办结",
    Status.CLOSED: "已关闭",
    Status.REOPENED: "已重新打开",
}

RATING_LABELS: dict[str, str] = {
    Rating.RESOLVED: "解决了",
    Rating.PARTIAL: "部分解决",
    Rating.UNRESOLVED: "没解决",
}

LEVEL_LABELS = {0: "网格", 1: "社区", 2: "街道"}
"""Escalation levels: who follows the case up."""

OPEN_STATUSES = frozenset({Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.REOPENED})
"""Statuses in which the case still waits for work (and can go overdue)."""

_WORK = frozenset({Status.DISPATCHED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED})

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.ACCEPTED: _WORK,
    Status.DISPATCHED: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED}),
    Status.IN_PROGRESS: frozenset({Status.RESOLVED, Status.CLOSED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.REOPENED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset({Status.REOPENED}),
    Status.REOPENED: _WORK,
}


def status_label(status: str) -> str:
    """Chinese label of a status code (the code itself if unknown)."""
    return STATUS_LABELS.get(status, status)


def can_transition(current: str, new: str) -> bool:
    """Whether staff may move a case from ``current`` to ``new``."""
    return new in TRANSITIONS.get(current, frozenset())
