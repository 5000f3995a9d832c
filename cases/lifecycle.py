"""Case lifecycle: status, assignment, re-categorising, confirmation, escalation, auto-close.

Every change is an event; changes a resident should know about also put a message in the
outbox for their channel. Functions take keyword-only arguments and leave the commit to the
caller.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import sla
from cases.config import CasesSettings
from cases.crud import load_routing_table
from cases.events import record_event
from cases.models import Case, Grid, Worker
from cases.routing import route
from cases.statuses import (
    LEVEL_LABELS,
    OPEN_STATUSES,
    RATING_LABELS,
    Rating,
    Status,
    can_transition,
    status_label,
)
from core.contracts import CaseType, Urgency
from core.errors import InvalidInput
from core.localtime import local_tz, promised
from core.taxonomy import category_by_code

logger = logging.getLogger(__name__)

MAX_LEVEL = 2

RESIDENT_STATUS_TEXT = {
    Status.DISPATCHED: "已派给工作人员处理",
    Status.IN_PROGRESS: "工作人员正在处理",
    Status.RESOLVED: "已经处理好了{note}。请回复“解决了”“部分解决”或“没解决”告诉我们结果",
    Status.CLOSED: "已关闭",
    Status.REOPENED: "已重新打开，会继续处理",
}


class TransitionError(InvalidInput):
    """A status change that the lifecycle does not allow."""


class NotYourCase(InvalidInput):
    """A resident tried to confirm a case that is not theirs."""


def _notice(case: Case, text: str) -> str:
    return f"【邻里】您的事项 {case.case_no}：{text}"


def change_status(
    *,
    session: Session,
    case: Case,
    new_status: Status,
    now: datetime,
    actor: str,
    note: str | None = None,
    propagate: bool = True,
    tell_resident: bool = True,
) -> None:
    """Move a case to a new status, record it, notify the resident and linked reports
    (``tell_resident`` False: the resident caused it and was answered already, e.g. by
    confirming; a push repeating the answer is noise).

    Raises:
        TransitionError: the lifecycle does not allow this change.
    """
    old = case.status
    if old == new_status.value:
        raise TransitionError(f"事项已经是“{status_label(old)}”状态")
    if not can_transition(old, new_status):
        raise TransitionError(f"不能从“{status_label(old)}”改为“{status_label(new_status)}”")
    case.status = new_status.value
    case.updated_at = now
    if new_status is Status.RESOLVED:
        case.resolved_at = now
    elif new_status is Status.CLOSED:
        case.closed_at = now
    elif new_status is Status.REOPENED:
        case.resolved_at = None
        case.closed_at = None
    text = f"状态改为“{status_label(new_status)}”"
    if note:
        text += f"：{note}"
    resident_text = RESIDENT_STATUS_TEXT.get(new_status, status_label(new_status))
    told = (
        f"（{note}）"
        if note and new_status in (Status.RESOLVED, Status.CLOSED, Status.IN_PROGRESS)
        else ""
    )
    if "{note}" in resident_text:  # what was done comes right after 处理好了, before the question
        resident_text = resident_text.format(note=told)
    else:
        resident_text += told
    record_event(
        session,
        case=case,
        kind="status",
        text=text,
        now=now,
        actor=actor,
        from_status=old,
        to_status=new_status.value,
        notify=_notice(case, resident_text) if tell_resident else None,
    )
    if propagate and new_status in (Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED):
        for child in linked_children(session=session, case=case):
            if can_transition(child.status, new_status):
                change_status(
                    session=session,
                    case=child,
                    new_status=new_status,
                    now=now,
                    actor=actor,
                    note=f"同一问题 {case.case_no} 的进展" + (f"：{note}" if note else ""),
                    propagate=False,
                )


def linked_children(*, session: Session, case: Case) -> list[Case]:
    """Reports linked to this case as duplicates, still not closed."""
    query = select(Case).where(Case.linked_to_id == case.id, Case.status != Status.CLOSED.value)
    return list(session.scalars(query.order_by(Case.id)))


def add_note(*, session: Session, case: Case, now: datetime, actor: str, text: str) -> None:
    """An internal staff note (never shown to residents)."""
    if not text.strip():
        raise InvalidInput("备注不能为空")
    record_event(
        session, case=case, kind="note", text=text.strip(), now=now, actor=actor, internal=True
    )


def assign(
    *, session: Session, case: Case, worker_id: int, now: datetime, actor: str, reason: str = ""
) -> None:
    """Dispatch a case to a worker (moves 已受理/已重新打开 to 已派单)."""
    worker = session.get(Worker, worker_id)
    if worker is None or not worker.active:
        raise InvalidInput("没有这个工作人员")
    case.assignee_id = worker.id
    case.updated_at = now
    if worker.grid_id is not None:
        case.grid_id = worker.grid_id
    text = f"改派给{worker.label()}" + (f"（{reason}）" if reason else "")
    record_event(session, case=case, kind="assigned", text=text, now=now, actor=actor)
    if case.status in (Status.ACCEPTED.value, Status.REOPENED.value):
        change_status(
            session=session, case=case, new_status=Status.DISPATCHED, now=now, actor=actor
        )


def recategorise(
    *,
    session: Session,
    case: Case,
    category: str,
    reason: str,
    now: datetime,
    actor: str,
    settings: CasesSettings,
) -> None:
    """Change the category and re-route by it; the reason is required and kept in the history."""
    cat = category_by_code(category)
    if cat is None:
        raise InvalidInput(f"没有这个报事类别：{category}")
    if not reason.strip():
        raise InvalidInput("请写明改类别的原因")
    if case.category == category:
        raise InvalidInput("类别没有变化")
    old = category_by_code(case.category) if case.category else None
    case.category = category
    record_event(
        session,
        case=case,
        kind="recategorised",
        text=f"类别由“{old.name if old else '未分类'}”改为“{cat.name}”：{reason.strip()}",
        now=now,
        actor=actor,
    )
    if case.created_at and case.status in OPEN_STATUSES:
        case.due_at = sla.due_at(
            settings,
            now=case.created_at,
            case_type=CaseType(case.type),
            category=category,
            urgency=Urgency(case.urgency),
        )
    reroute(session=session, case=case, reason=f"类别变更：{reason.strip()}", now=now, actor=actor)


def reroute(*, session: Session, case: Case, reason: str, now: datetime, actor: str) -> None:
    """Route the case again by its (current) category and building, with a reason."""
    if not reason.strip():
        raise InvalidInput("请写明改派的原因")
    decision = route(
        load_routing_table(session),
        case_type=CaseType(case.type),
        category=case.category,
        building=case.building,
    )
    case.department_code = decision.department
    if decision.grid_code is not None:
        case.grid_id = session.scalar(select(Grid.id).where(Grid.code == decision.grid_code))
    if decision.worker is None:
        record_event(
            session, case=case, kind="rerouted", text=f"重新派单：{reason}（暂无接单人）",
            now=now, actor=actor,
        )  # fmt: skip
        return
    assign(session=session, case=case, worker_id=decision.worker.id, now=now, actor=actor,
           reason=reason)  # fmt: skip


def escalate(
    *,
    session: Session,
    case: Case,
    now: datetime,
    reason: str,
    actor: str,
    tell_resident: bool = True,
) -> bool:
    """Raise the follow-up level by one (网格 → 社区 → 街道); False when already at the top
    (``tell_resident``: as for :func:`change_status`)."""
    if case.escalation_level >= MAX_LEVEL:
        return False
    case.escalation_level += 1
    case.updated_at = now
    level = LEVEL_LABELS[case.escalation_level]
    record_event(
        session,
        case=case,
        kind="escalated",
        text=f"已升级到{level}督办：{reason}",
        now=now,
        actor=actor,
        notify=_notice(case, f"{reason}，已提交{level}督办，我们会尽快处理")
        if tell_resident
        else None,
    )
    return True


@dataclass
class ConfirmOutcome:
    """What a resident's confirmation did."""

    case: Case
    message: str


def confirm(
    *,
    session: Session,
    case: Case,
    sender_id: str | None,
    rating: Rating,
    now: datetime,
    settings: CasesSettings,
    comment: str | None = None,
    actor: str = "resident",
) -> ConfirmOutcome:
    """Record the resident's 解决了 / 部分解决 / 没解决 on a resolved (or auto-closed) case.

    解决了 closes the case. 部分解决 keeps it open: back to 处理中 with the same worker, a
    follow-up task in the history and a new deadline (the case's own SLA from now). 没解决
    reopens it with the same worker, one level higher, and a new (urgent) deadline.

    Raises:
        NotYourCase: the sender did not report this case.
        TransitionError: the case is not waiting for confirmation.
    """
    if sender_id is not None and case.sender_id != sender_id:
        raise NotYourCase("这个事项不是您报的，无法评价")
    if case.status not in (Status.RESOLVED.value, Status.CLOSED.value):
        raise TransitionError(f"这个事项还在“{status_label(case.status)}”，办结后再请您评价")
    if case.status == Status.CLOSED.value and rating is not Rating.UNRESOLVED:
        if case.rating is not None:
            raise TransitionError("这个事项已经评价过了，谢谢您")
    label = RATING_LABELS[rating]
    said = (comment or "").strip()
    if said.strip("。.!！ ") in (label, *RATING_LABELS.values()):
        said = ""  # the rating's own words (a button, or 解决了 typed) say nothing more
    text = f"居民评价：{label}" + (f"（{said}）" if said else "")
    case.rating = rating.value
    case.updated_at = now
    record_event(session, case=case, kind="rating", text=text, now=now, actor=actor)
    if rating is Rating.UNRESOLVED:
        case.reopen_count += 1
        change_status(
            session=session, case=case, new_status=Status.REOPENED, now=now, actor=actor,
            note="居民反馈没解决", propagate=False, tell_resident=False,
        )  # fmt: skip
        case.due_at = now + timedelta(hours=sla.urgent_hours(case.category))
        case.overdue_escalations = 0
        escalate(
            session=session, case=case, now=now, reason="居民反馈没解决", actor=actor,
            tell_resident=False,
        )  # fmt: skip
        if case.assignee_id is not None:
            change_status(
                session=session, case=case, new_status=Status.DISPATCHED, now=now,
                actor="system", note="退回原处理人继续处理", propagate=False, tell_resident=False,
            )  # fmt: skip
        message = "很抱歉还没解决。已重新打开，交回原来的工作人员并升级督办，会尽快处理。"
    elif rating is Rating.PARTIAL:
        message = _follow_up(session=session, case=case, now=now, settings=settings,
                             comment=comment, actor=actor)  # fmt: skip
    else:
        if case.status != Status.CLOSED.value:
            change_status(
                session=session, case=case, new_status=Status.CLOSED, now=now, actor=actor,
                note=f"居民确认{label}", propagate=False, tell_resident=False,
            )  # fmt: skip
        message = "谢谢您的确认，这件事已办结。"
    return ConfirmOutcome(case=case, message=message)


def _local_when(when: datetime) -> str:
    """A deadline as people say it, in China time: 11月23日15点 / 11月23日15点30分."""
    local = when.astimezone(local_tz())
    minutes = "" if not local.minute else "半" if local.minute == 30 else f"{local.minute}分"
    return f"{local.month}月{local.day}日{local.hour}点{minutes}"


def _follow_up(
    *,
    session: Session,
    case: Case,
    now: datetime,
    settings: CasesSettings,
    comment: str | None,
    actor: str,
) -> str:
    """部分解决: the case stays open — back to 处理中 (a closed case is reopened first), with a
    follow-up task for the worker and a new deadline. Returns what to tell the resident."""
    note = "居民反馈部分解决，没处理完的部分继续跟进"
    if case.status == Status.CLOSED.value:
        change_status(session=session, case=case, new_status=Status.REOPENED, now=now,
                      actor=actor, note=note, propagate=False, tell_resident=False)  # fmt: skip
    if case.assignee_id is not None:
        change_status(session=session, case=case, new_status=Status.IN_PROGRESS, now=now,
                      actor=actor, note=note, propagate=False, tell_resident=False)  # fmt: skip
    case.resolved_at = None
    case.due_at = sla.due_at(
        settings, now=now, case_type=CaseType(case.type), category=case.category,
        urgency=Urgency(case.urgency),
    )  # fmt: skip
    case.overdue_escalations = 0
    said = f"（居民说：{comment.strip()}）" if comment and comment.strip() else ""
    add_note(session=session, case=case, now=now, actor="system",
             text=f"跟进任务：居民反馈只解决了一部分{said}。请回访居民，把没处理完的部分办完，"
                  f"期限 {_local_when(case.due_at)}。")  # fmt: skip
    when = _local_when(promised(case.due_at) or case.due_at)
    return f"谢谢您的反馈。没处理完的部分已经交回工作人员继续处理，会在{when}前办好。"


@dataclass
class SweepResult:
    """What one sweep did."""

    escalated: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)


def sweep(*, session: Session, now: datetime, settings: CasesSettings) -> SweepResult:
    """Escalate overdue open cases and close resolved cases left silent for N days."""
    result = SweepResult()
    step = timedelta(hours=settings.escalation_step_hours)
    overdue = session.scalars(
        select(Case)
        .where(
            Case.status.in_([s.value for s in OPEN_STATUSES]),
            Case.due_at.is_not(None),
            Case.due_at < now,
            Case.escalation_level < MAX_LEVEL,
        )
        .order_by(Case.id)
    )
    for case in list(overdue):
        assert case.due_at is not None
        if now < case.due_at + step * case.overdue_escalations:
            continue
        if escalate(session=session, case=case, now=now, reason="已超过办理时限", actor="system"):
            case.overdue_escalations += 1
            result.escalated.append(case.case_no)
    cutoff = now - timedelta(days=settings.auto_close_days)
    silent = session.scalars(
        select(Case)
        .where(Case.status == Status.RESOLVED.value, Case.resolved_at < cutoff)
        .order_by(Case.id)
    )
    for case in list(silent):
        change_status(
            session=session, case=case, new_status=Status.CLOSED, now=now, actor="system",
            note=f"{settings.auto_close_days}天内未收到评价，自动关闭", propagate=False,
        )  # fmt: skip
        result.closed.append(case.case_no)
    if result.escalated or result.closed:
        logger.info(
            "Sweep: escalated %d, auto-closed %d", len(result.escalated), len(result.closed)
        )
    return result
