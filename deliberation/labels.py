"""Statuses and the Chinese words people read for them."""

from __future__ import annotations

from enum import StrEnum


class ProposalStatus(StrEnum):
    """Where a proposal is in moderation."""

    PENDING = "pending"
    APPROVED = "approved"
    MERGED = "merged"
    DECLINED = "declined"


PROPOSAL_LABELS = {
    ProposalStatus.PENDING: "待审核",
    ProposalStatus.APPROVED: "已通过审核",
    ProposalStatus.MERGED: "已合并",
    ProposalStatus.DECLINED: "未通过审核",
}
OPEN_PROPOSALS = (ProposalStatus.PENDING, ProposalStatus.APPROVED)
"""Proposals a new one may duplicate."""


class DecisionStatus(StrEnum):
    """What became of a matter."""

    ADOPTED = "adopted"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    REJECTED = "rejected"


DECISION_LABELS = {
    DecisionStatus.ADOPTED: "采纳",
    DecisionStatus.IN_PROGRESS: "办理中",
    DecisionStatus.DONE: "已完成",
    DecisionStatus.REJECTED: "未采纳",
}
DECISION_NEXT = {
    DecisionStatus.ADOPTED: (DecisionStatus.IN_PROGRESS, DecisionStatus.DONE),
    DecisionStatus.IN_PROGRESS: (DecisionStatus.IN_PROGRESS, DecisionStatus.DONE),
    DecisionStatus.DONE: (),
    DecisionStatus.REJECTED: (),
}
"""Allowed status changes (staying 办理中 adds a progress note)."""


class Scope(StrEnum):
    """Where a proposal or poll applies."""

    COMMUNITY = "community"
    GRID = "grid"
    BUILDING = "building"


class Eligibility(StrEnum):
    """Who may vote."""

    HOUSEHOLD = "household"
    RESIDENT = "resident"


ELIGIBILITY_LABELS = {Eligibility.HOUSEHOLD: "每户一票", Eligibility.RESIDENT: "每人一票"}
DEFAULT_OPTIONS = ("同意", "不同意", "弃权")
MODERATION_LABELS = {
    "screened": "自动筛查",
    "approved": "通过审核",
    "merged": "合并",
    "declined": "不予通过",
    "poll": "发起投票",
    "privacy": "按居民要求删除个人信息",
}
CHANNEL_LABELS = {
    "telegram": "Telegram",
    "kiosk": "服务中心大屏",
    "web": "网页聊天",
    "rest": "对话接口",
    "staff": "工作人员代录",
}


def scope_label(scope: str, codes: list[str] | tuple[str, ...] | str | None) -> str:
    """Plain Chinese for a scope: 全社区 / 第G1网格 / 5号楼、6号楼."""
    if isinstance(codes, str):
        codes = [codes]
    codes = list(codes or [])
    if scope == Scope.GRID:
        return "、".join(f"{c}网格" for c in codes) or "网格"
    if scope == Scope.BUILDING:
        return "、".join(f"{c}号楼" for c in codes) or "楼栋"
    return "全社区"


def actor_label(actor: str) -> str:
    """Who did it, for people: 工作人员 wang → wang; the system → 系统."""
    if actor.startswith("staff:"):
        return actor.removeprefix("staff:")
    return {"system": "系统", "service": "系统", "service-token": "系统"}.get(actor, actor)
