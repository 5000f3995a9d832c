"""Staff queue queries: filtered case lists (scoped to a grid worker's grids) and CSV export."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, joinedload

from cases.crud import is_overdue
from cases.labels import channel_label
from cases.models import Case, Grid
from cases.statuses import LEVEL_LABELS, OPEN_STATUSES, RATING_LABELS, status_label
from core.localtime import local_tz
from core.pii import mask_phone, mask_pii
from core.taxonomy import category_by_code, service_by_code


@dataclass(frozen=True)
class QueueFilter:
    """Filters of the staff queue (all optional)."""

    status: str | None = None
    """A status code, 'open' for every open status, or None for all."""
    category: str | None = None
    grid: str | None = None
    overdue: bool = False
    q: str | None = None
    """Case number or words in the description / place."""


def scoped(query: Select[tuple[Case]], grid_ids: frozenset[int] | None) -> Select[tuple[Case]]:
    """Restrict a case query to some grids (None = no restriction)."""
    if grid_ids is None:
        return query
    return query.where(Case.grid_id.in_(grid_ids))


def list_queue(
    *,
    session: Session,
    grid_ids: frozenset[int] | None,
    filters: QueueFilter,
    now: datetime,
    limit: int = 200,
    offset: int = 0,
) -> list[Case]:
    """Cases for the staff queue, overdue and urgent first, then newest."""
    query = select(Case).options(joinedload(Case.grid), joinedload(Case.assignee))
    query = scoped(query, grid_ids)
    if filters.status == "open":
        query = query.where(Case.status.in_([s.value for s in OPEN_STATUSES]))
    elif filters.status:
        query = query.where(Case.status == filters.status)
    if filters.category:
        query = query.where(Case.category == filters.category)
    if filters.grid:
        query = query.join(Grid, Case.grid_id == Grid.id).where(Grid.code == filters.grid)
    if filters.overdue:
        query = query.where(Case.status.in_([s.value for s in OPEN_STATUSES]), Case.due_at < now)
    if filters.q:
        like = f"%{filters.q.strip()}%"
        query = query.where(
            or_(
                Case.case_no.ilike(like),
                Case.description.ilike(like),
                Case.location_raw.ilike(like),
                Case.landmark.ilike(like),
            )
        )
    query = query.order_by(Case.due_at.asc().nulls_last(), Case.id.desc())
    return list(session.scalars(query.limit(limit).offset(offset)).unique())


def subject(case: Case) -> str:
    """Category or service name of a case."""
    if case.category:
        cat = category_by_code(case.category)
        return cat.name if cat else case.category
    if case.service_code:
        svc = service_by_code(case.service_code)
        return svc.name if svc else case.service_code
    return {"emergency": "紧急求助", "callback": "人工回电"}.get(case.type, case.type)


def place(case: Case) -> str:
    """Plain-Chinese place of a case."""
    parts = []
    if case.building:
        parts.append(f"{case.building}号楼")
    if case.unit:
        parts.append(f"{case.unit}单元")
    if case.room:
        parts.append(f"{case.room}室")
    text = "".join(parts)
    if case.landmark:
        text = f"{text}，{case.landmark}" if text else case.landmark
    return text or (case.location_raw or "")


def phone_for(case: Case, *, full: bool) -> str:
    """The contact phone, full or masked."""
    if not case.contact_phone:
        return "不愿留" if case.contact_declined else ""
    return case.contact_phone if full else mask_phone(case.contact_phone)


TYPE_LABELS = {"report": "报事", "service": "办事", "emergency": "紧急", "callback": "人工回电"}
URGENCY_LABELS = {"normal": "一般", "urgent": "紧急", "emergency": "特急"}

CSV_HEADER = [
    "编号", "类型", "状态", "类别/事项", "地点", "网格", "处理人", "督办级别", "紧急程度",
    "联系电话", "渠道", "受理时间", "办结时限", "是否超期", "居民评价", "合并到", "描述",
]  # fmt: skip


def to_csv(cases: list[Case], *, now: datetime, full_phones: bool) -> str:
    """CSV of cases (UTF-8 with BOM so spreadsheet programs read the Chinese)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for case in cases:
        writer.writerow(
            [
                case.case_no,
                TYPE_LABELS.get(case.type, case.type),
                status_label(case.status),
                subject(case),
                place(case),
                case.grid.name if case.grid else "",
                case.assignee.label() if case.assignee else "",
                LEVEL_LABELS.get(case.escalation_level, ""),
                URGENCY_LABELS.get(case.urgency, case.urgency),
                phone_for(case, full=full_phones),
                channel_label(case.channel),
                case.created_at.astimezone(local_tz()).strftime("%Y-%m-%d %H:%M"),
                case.due_at.astimezone(local_tz()).strftime("%Y-%m-%d %H:%M")
                if case.due_at
                else "",
                "是" if is_overdue(case, now) else "否",
                RATING_LABELS.get(case.rating or "", ""),
                case.linked_to.case_no if case.linked_to else "",
                case.description if full_phones else mask_pii(case.description),
            ]
        )
    return buffer.getvalue()
