"""Details a resident adds to their case after it was created — typically the address and a
phone right after an emergency — recorded as events, routed by the new building, and pushed to
staff at once."""

from __future__ import annotations

import logging
import re
from datetime import datetime

from sqlalchemy.orm import Session

from cases import lifecycle
from cases.alerts import alert_staff
from cases.crud import load_routing_table
from cases.events import record_event
from cases.models import Case
from cases.routing import normalize_building, route
from cases.statuses import Status
from core.contracts import CaseType, Location
from core.errors import InvalidInput
from core.pii import mask_phone

logger = logging.getLogger(__name__)


class NotYourCase(InvalidInput):
    """The sender did not report this case."""


class CaseClosed(InvalidInput):
    """The case is closed: nothing can be added any more."""


def _place(case: Case) -> str:
    return Location(
        building=case.building, unit=case.unit, room=case.room, landmark=case.landmark,
        raw=case.location_raw,
    ).describe()  # fmt: skip


def _set_location(case: Case, location: Location) -> bool:
    """Apply the parts the resident said now (the others stay); True when the building changed."""
    old_building = case.building
    building = normalize_building(location.building)
    if building:
        case.building = building
    if location.unit:
        case.unit = location.unit
    if location.room:
        case.room = location.room
    if location.landmark:
        case.landmark = location.landmark
    if location.raw:
        case.location_raw = location.raw
    return case.building != old_building


def _phone_digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 7:
        raise InvalidInput("电话号码不完整")
    return digits


def _set_phone(case: Case, digits: str) -> None:
    case.contact_phone = digits
    case.phone_tail = digits[-4:]
    case.contact_declined = False


def _route_to_building(session: Session, case: Case, now: datetime) -> None:
    """Hand the case to the grid of its (new) building, when that is another grid."""
    decision = route(load_routing_table(session), case_type=CaseType(case.type),
                     category=case.category, building=case.building)  # fmt: skip
    current = case.grid.code if case.grid is not None else None
    if decision.grid_code is not None and decision.grid_code != current:
        lifecycle.reroute(session=session, case=case, reason="居民补充了地点", now=now,
                          actor="system")  # fmt: skip


def add_details(
    *,
    session: Session,
    case: Case,
    sender_id: str,
    location: Location | None,
    contact_phone: str | None,
    now: datetime,
) -> list[str]:
    """Attach a location and/or a phone to the resident's own case; returns what was added.

    Each addition is an event in the case history; a new building re-routes an emergency (or a
    case not yet routed to a grid) to that building's grid; staff get an alert at once.

    Raises:
        NotYourCase: the sender did not report this case.
        CaseClosed: the case is already closed.
        InvalidInput: nothing to add, or an incomplete phone number.
    """
    if case.sender_id is None or case.sender_id != sender_id:
        raise NotYourCase("这个事项不是您报的")
    if case.status == Status.CLOSED.value:
        raise CaseClosed("这个事项已经关闭了")
    has_location = location is not None and any(
        (location.building, location.unit, location.room, location.landmark, location.raw)
    )
    if not has_location and not contact_phone:
        raise InvalidInput("没有要补充的内容")
    digits = _phone_digits(contact_phone) if contact_phone else None
    added: list[str] = []
    if has_location:
        assert location is not None
        building_changed = _set_location(case, location)
        place = _place(case)
        added.append(f"地点：{place}")
        record_event(session, case=case, kind="details", text=f"居民补充了地点：{place}",
                     now=now, actor="resident")  # fmt: skip
        if building_changed and (case.type == CaseType.EMERGENCY.value or case.grid_id is None):
            _route_to_building(session, case, now)
    if digits:
        _set_phone(case, digits)
        added.append(f"电话：{digits}")
        text = f"居民留了联系电话（{mask_phone(digits)}）"
        record_event(session, case=case, kind="details", text=text, now=now, actor="resident")
    case.updated_at = now
    urgent = case.type == CaseType.EMERGENCY.value or case.urgency != "normal"
    prefix = "【紧急】" if urgent else ""
    alert_staff(session, case=case, now=now,
                text=f"{prefix}{case.case_no} 居民补充了{'，'.join(added)}")  # fmt: skip
    logger.info("Case %s: resident added %d details", case.case_no, len(added))
    return added
