"""The household register of the deliberation part: who may vote, and phones on record.

The case system keeps phones per case, not per household, and no part reads another's tables,
so the register is kept here: staff add households (building + unit + room, grid) and the
phones of their members; only each phone's last 4 digits and a masked form are stored, which
is all the confirmation at voting needs.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import InvalidInput
from core.pii import mask_phone
from deliberation.labels import Scope
from deliberation.models import Household, HouseholdPhone

logger = logging.getLogger(__name__)

DEMO_GRIDS = ("G1", "G2", "G3", "G4")
"""The demo community of the case system's seed: 4 grids of 5 buildings (1–20)."""
DEMO_UNITS = 2
DEMO_FLOORS = 5
DEMO_ROOMS_PER_FLOOR = 2
_CODE = re.compile(r"^[0-9A-Za-z\-]{1,20}$")


def _code(value: str, what: str) -> str:
    value = (value or "").strip()
    if not _CODE.match(value):
        raise InvalidInput(f"{what}请填数字或字母，例如 5")
    return value


def demo_phone_tail(building: str, unit: str, room: str) -> str:
    """The demo register's phone tail of a household (documented, for trying it out)."""
    return f"{int(building) % 10}{unit[-1]}{room[-2:]}"


def add_household(
    *,
    session: Session,
    building: str,
    unit: str,
    room: str,
    grid_code: str,
    phones: list[str],
    now: datetime,
) -> Household:
    """Register a household, or add phones to one already registered.

    Raises:
        InvalidInput: malformed codes or phones.
    """
    building, unit, room = _code(building, "楼栋"), _code(unit, "单元"), _code(room, "房号")
    grid_code = _code(grid_code, "网格")
    row = find_household(session=session, building=building, unit=unit, room=room)
    if row is None:
        row = Household(
            building=building, unit=unit, room=room, grid_code=grid_code, created_at=now
        )
        session.add(row)
        session.flush()
    row.grid_code = grid_code
    row.active = True
    known = {p.tail for p in row.phones}
    for phone in phones:
        digits = re.sub(r"\D", "", phone or "")
        if len(digits) < 7 or len(digits) > 15:
            raise InvalidInput("电话号码不完整，请填写完整的手机或座机号码")
        if digits[-4:] not in known:
            row.phones.append(HouseholdPhone(tail=digits[-4:], masked=mask_phone(digits)))
            known.add(digits[-4:])
    session.flush()
    return row


def find_household(*, session: Session, building: str, unit: str, room: str) -> Household | None:
    """The registered household at this address, or None."""
    return session.scalar(
        select(Household).where(
            Household.building == building.strip(),
            Household.unit == unit.strip(),
            Household.room == room.strip(),
        )
    )


def households_in_scope(session: Session, scope: str, codes: list[str]) -> int:
    """How many active households the scope holds."""
    query = select(func.count()).select_from(Household).where(Household.active.is_(True))
    if scope == Scope.GRID:
        query = query.where(Household.grid_code.in_(codes))
    elif scope == Scope.BUILDING:
        query = query.where(Household.building.in_(codes))
    return int(session.scalar(query) or 0)


def grids_of_buildings(session: Session, buildings: list[str]) -> list[str]:
    """The grids of these buildings, from the register (sorted)."""
    rows = session.scalars(
        select(Household.grid_code).where(Household.building.in_(buildings)).distinct()
    )
    return sorted(rows)


def known_grids(session: Session) -> set[str]:
    """The grids the register knows (empty when nobody is registered)."""
    return set(session.scalars(select(Household.grid_code).distinct()))


def in_scope(household: Household, scope: str, codes: list[str]) -> bool:
    """Whether the household lies inside the scope."""
    if scope == Scope.GRID:
        return household.grid_code in codes
    if scope == Scope.BUILDING:
        return household.building in codes
    return True


def seed_demo(session: Session, *, now: datetime) -> int:
    """Fill an empty register with the demo community; returns how many households were added.

    Buildings 1–20 (5 per grid G1–G4), 2 units, 5 floors, 2 rooms a floor (101, 102 … 502):
    400 households, each with one phone on record whose last 4 digits are
    :func:`demo_phone_tail` (building's last digit, unit, room's last two digits).
    """
    if session.scalar(select(func.count()).select_from(Household)):
        return 0
    added = 0
    for index, grid in enumerate(DEMO_GRIDS):
        for building in range(index * 5 + 1, index * 5 + 6):
            for unit in range(1, DEMO_UNITS + 1):
                for floor in range(1, DEMO_FLOORS + 1):
                    for room_no in range(1, DEMO_ROOMS_PER_FLOOR + 1):
                        room = f"{floor}0{room_no}"
                        tail = demo_phone_tail(str(building), str(unit), room)
                        row = Household(
                            building=str(building),
                            unit=str(unit),
                            room=room,
                            grid_code=grid,
                            created_at=now,
                        )
                        row.phones.append(HouseholdPhone(tail=tail, masked=f"139****{tail}"))
                        session.add(row)
                        added += 1
    session.flush()
    logger.info("Seeded the demo household register: %d households", added)
    return added


@dataclass
class PhoneGuard:
    """Limits guessing of the phone digits: a few misses per voter within a window.

    In memory, per hub process (like the case system's look-up limits).
    """

    per_voter: int = 5
    window: timedelta = timedelta(minutes=15)
    _misses: dict[str, deque[datetime]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allowed(self, key: str, now: datetime) -> bool:
        """Whether this voter may try the digits again now."""
        with self._lock:
            q = self._misses.get(key, deque())
            while q and now - q[0] > self.window:
                q.popleft()
            return len(q) < self.per_voter

    def missed(self, key: str, now: datetime) -> None:
        """Record wrong digits."""
        with self._lock:
            self._misses.setdefault(key, deque()).append(now)
