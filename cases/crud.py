"""Create, find and present cases (keyword-only arguments; the caller owns the transaction)."""

from __future__ import annotations

import logging
import re
import threading
import time
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from cases import sla
from cases.alerts import alert_staff
from cases.config import CasesSettings
from cases.events import record_event
from cases.models import Building, Case, Grid, RoutingRule, Worker
from cases.numbering import allocate_case_no, normalize_case_no
from cases.routing import RoutingTable, WorkerRef, normalize_building, route
from cases.statuses import OPEN_STATUSES, Status, status_label
from core.contracts import CaseCreate, CasePublic, CaseType, Location, Urgency
from core.errors import InvalidInput
from core.pii import mask_phone
from core.taxonomy import category_by_code, service_by_code

logger = logging.getLogger(__name__)

TYPE_NAMES = {
    CaseType.REPORT: "报事",
    CaseType.SERVICE: "办事申请",
    CaseType.EMERGENCY: "紧急求助",
    CaseType.CALLBACK: "人工回电",
}


def load_routing_table(session: Session) -> RoutingTable:
    """Read buildings, routing rules and workers into a routing snapshot."""
    building_grid = {
        b.code: g.code
        for b, g in session.execute(select(Building, Grid).join(Grid, Building.grid_id == Grid.id))
    }
    rules = {
        r.category_code: (r.department_code, r.handler)
        for r in session.scalars(select(RoutingRule))
    }
    workers = tuple(
        WorkerRef(
            id=w.id,
            label=w.label(),
            level=w.level,
            grid_code=w.grid.code if w.grid else None,
            department_code=w.department_code,
        )
        for w in session.scalars(
            select(Worker).options(joinedload(Worker.grid)).where(Worker.active.is_(True))
        )
    )
    return RoutingTable(building_grid=building_grid, rules=rules, workers=workers)


class RoutingCache:
    """The routing snapshot, reloaded from the database at most every ``ttl_s`` seconds."""

    def __init__(self, ttl_s: float = 30.0) -> None:
        self.ttl_s = ttl_s
        self._table: RoutingTable | None = None
        self._loaded_at = 0.0
        self._lock = threading.Lock()

    def get(self, session: Session) -> RoutingTable:
        """The cached table, or a fresh one when stale."""
        with self._lock:
            if self._table is None or time.monotonic() - self._loaded_at > self.ttl_s:
                self._table = load_routing_table(session)
                self._loaded_at = time.monotonic()
            return self._table

    def invalidate(self) -> None:
        """Forget the snapshot (after routing data changed)."""
        with self._lock:
            self._table = None


def _clean_phone(phone: str | None) -> str | None:
    if not phone:
        return None
    digits = re.sub(r"\D", "", phone)
    return digits or None


def validate_codes(case_create: CaseCreate) -> tuple[str | None, str | None]:
    """Check category and service codes against the taxonomy; fill sensible defaults.

    Raises:
        InvalidInput: with a Chinese message for an unknown code.
    """
    category = case_create.category
    service_code = case_create.service_code
    if category is not None and category_by_code(category) is None:
        raise InvalidInput(f"没有这个报事类别：{category}")
    if service_code is not None and service_by_code(service_code) is None:
        raise InvalidInput(f"没有这个办事事项：{service_code}")
    if case_create.type is CaseType.REPORT and category is None:
        category = "other"
    if case_create.type is CaseType.SERVICE and service_code is None:
        service_code = "other_service"
    return category, service_code


def find_open_duplicate(session: Session, *, category: str, building: str) -> Case | None:
    """An open report with the same category and building (the root of any link chain)."""
    query = (
        select(Case)
        .where(
            Case.type == CaseType.REPORT.value,
            Case.category == category,
            Case.building == building,
            Case.status.in_([s.value for s in OPEN_STATUSES]),
        )
        .order_by(Case.created_at, Case.id)
        .limit(1)
    )
    found = session.scalar(query)
    seen = 0
    while found is not None and found.linked_to is not None and seen < 10:
        found, seen = found.linked_to, seen + 1
    return found


def get_by_idempotency_key(session: Session, *, key: str) -> Case | None:
    """The case created earlier with this idempotency key."""
    return session.scalar(select(Case).where(Case.idempotency_key == key))


def create_case(
    *,
    session: Session,
    case_create: CaseCreate,
    settings: CasesSettings,
    now: datetime,
    routing: RoutingCache | None = None,
) -> tuple[Case, bool]:
    """Create (or, for a repeated idempotency key, find) a case; route it and set its deadline.

    Returns:
        The case and whether it was created now.

    Raises:
        InvalidInput: unknown category or service code.
    """
    if case_create.idempotency_key:
        existing = get_by_idempotency_key(session, key=case_create.idempotency_key)
        if existing is not None:
            return existing, False
    category, service_code = validate_codes(case_create)
    urgency = case_create.urgency
    if case_create.type is CaseType.EMERGENCY:
        urgency = Urgency.EMERGENCY
    location = case_create.location or Location()
    building = normalize_building(location.building)
    phone = None if case_create.contact_declined else _clean_phone(case_create.contact_phone)

    table = routing.get(session) if routing is not None else load_routing_table(session)
    decision = route(table, case_type=case_create.type, category=category, building=building)
    primary = None
    if case_create.type is CaseType.REPORT and category and building:
        primary = find_open_duplicate(session, category=category, building=building)

    case = Case(
        case_no=allocate_case_no(session, case_create.type, now),
        type=case_create.type.value,
        status=Status.ACCEPTED.value,
        category=category,
        service_code=service_code,
        building=building,
        unit=location.unit,
        room=location.room,
        landmark=location.landmark,
        location_raw=location.raw,
        description=case_create.description,
        urgency=urgency.value,
        contact_phone=phone,
        phone_tail=phone[-4:] if phone and len(phone) >= 4 else None,
        contact_declined=case_create.contact_declined,
        applicant=case_create.applicant,
        time_preference=case_create.time_preference,
        channel=case_create.channel.value,
        sender_id=case_create.sender_id,
        idempotency_key=case_create.idempotency_key,
        extra=dict(case_create.extra),
        created_at=now,
        updated_at=now,
        due_at=sla.due_at(
            settings, now=now, case_type=case_create.type, category=category, urgency=urgency
        ),
        department_code=decision.department,
        escalation_level=1 if case_create.type is CaseType.EMERGENCY else 0,
    )
    if decision.grid_code is not None:
        case.grid_id = session.scalar(select(Grid.id).where(Grid.code == decision.grid_code))
    try:
        with session.begin_nested():
            session.add(case)
            session.flush()
    except IntegrityError:
        if case_create.idempotency_key:
            existing = get_by_idempotency_key(session, key=case_create.idempotency_key)
            if existing is not None:
                return existing, False
        raise

    what = _subject(case)
    record_event(
        session,
        case=case,
        kind="created",
        text=f"您的{TYPE_NAMES[case_create.type]}已受理：{what}",
        now=now,
        actor=case_create.channel.value,
        to_status=Status.ACCEPTED.value,
    )
    if primary is not None:
        case.linked_to_id = primary.id
        case.linked_to = primary
        case.assignee_id = primary.assignee_id
        case.grid_id = primary.grid_id
        case.department_code = primary.department_code
        case.due_at = primary.due_at
        record_event(
            session,
            case=case,
            kind="linked",
            text=f"已有邻居报过同一个问题（{primary.case_no}），合并处理，进展会同步告诉您",
            now=now,
        )
        logger.info("Case %s linked to open case %s", case.case_no, primary.case_no)
    elif decision.worker is not None:
        case.assignee_id = decision.worker.id
    if case.assignee_id is not None:
        worker = session.get(Worker, case.assignee_id)
        case.status = Status.DISPATCHED.value
        record_event(
            session,
            case=case,
            kind="dispatched",
            text=f"已派单给{worker.label() if worker else '工作人员'}",
            now=now,
            from_status=Status.ACCEPTED.value,
            to_status=Status.DISPATCHED.value,
        )
    if case_create.type is CaseType.EMERGENCY:
        place = location.describe() or "还没说"
        text = f"【紧急】新的紧急求助 {case.case_no}：{case.description[:100]}；地点：{place}"
        alert_staff(session, case=case, now=now, text=text)
    session.flush()
    logger.info(
        "Created case %s (%s, %s) routed to %s: %s",
        case.case_no,
        case.type,
        case.category or case.service_code,
        case.assignee_id,
        decision.reason,
    )
    return case, True


def _subject(case: Case) -> str:
    if case.category:
        cat = category_by_code(case.category)
        return cat.name if cat else case.category
    if case.service_code:
        svc = service_by_code(case.service_code)
        return svc.name if svc else case.service_code
    return TYPE_NAMES.get(CaseType(case.type), case.type)


def get_case(*, session: Session, case_no: str) -> Case | None:
    """A case by its number (tolerant of spacing and case)."""
    return session.scalar(select(Case).where(Case.case_no == normalize_case_no(case_no)))


def find_by_last4(
    *,
    session: Session,
    last4: str,
    phone_tail: str | None = None,
    sender_id: str | None = None,
) -> Case | None:
    """The newest case whose number ends in ``last4`` and belongs to this phone tail or sender.

    One of ``phone_tail`` / ``sender_id`` is required, so nobody can browse others' cases.
    """
    digits = re.sub(r"\D", "", last4)
    if len(digits) != 4 or not (phone_tail or sender_id):
        return None
    query = select(Case).where(Case.case_no.like(f"%-{digits}"))
    if phone_tail:
        tail = re.sub(r"\D", "", phone_tail)[-4:]
        query = query.where(Case.phone_tail == tail)
    if sender_id:
        query = query.where(Case.sender_id == sender_id)
    return session.scalar(query.order_by(Case.created_at.desc(), Case.id.desc()).limit(1))


def list_cases_for_sender(*, session: Session, sender_id: str, limit: int = 5) -> list[Case]:
    """A resident's own cases, newest first."""
    query = (
        select(Case)
        .where(Case.sender_id == sender_id)
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def is_overdue(case: Case, now: datetime) -> bool:
    """Open and past its deadline."""
    return case.status in OPEN_STATUSES and case.due_at is not None and case.due_at < now


def to_public(case: Case) -> CasePublic:
    """The resident-facing view of a case (phone masked)."""
    category = category_by_code(case.category) if case.category else None
    service = service_by_code(case.service_code) if case.service_code else None
    location = None
    if case.building or case.unit or case.room or case.landmark or case.location_raw:
        location = Location(
            building=case.building,
            unit=case.unit,
            room=case.room,
            landmark=case.landmark,
            raw=case.location_raw,
        )
    return CasePublic(
        case_no=case.case_no,
        type=CaseType(case.type),
        status=case.status,
        status_label=status_label(case.status),
        category=case.category,
        category_label=category.name if category else None,
        service_code=case.service_code,
        service_label=service.name if service else None,
        location=location,
        description=case.description,
        urgency=Urgency(case.urgency),
        contact_masked=mask_phone(case.contact_phone) if case.contact_phone else None,
        contact_declined=case.contact_declined,
        applicant=case.applicant,
        time_preference=case.time_preference,
        channel=case.channel,
        created_at=case.created_at,
        due_at=case.due_at,
        assignee=case.assignee.label() if case.assignee else None,
        linked_to=case.linked_to.case_no if case.linked_to else None,
    )
