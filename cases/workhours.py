"""Working hours of non-urgent work: deadlines and call-backs land when staff are at work.

Monday to Saturday 8:30–17:30 local time (``core/localtime.py``). A deadline that would fall
outside them moves to the next start of working hours; urgent and emergency work keeps its
24-hour clock (``cases/sla.py`` decides which is which).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from core.localtime import local_tz

START = time(8, 30)
END = time(17, 30)
WORKDAYS = frozenset(range(6))
"""Monday (0) to Saturday (5)."""


def is_working_time(when: datetime) -> bool:
    """Whether ``when`` falls inside working hours (local time; the end is included)."""
    local = when.astimezone(local_tz())
    return local.weekday() in WORKDAYS and START <= local.time().replace(tzinfo=None) <= END


def next_working_time(when: datetime) -> datetime:
    """``when`` itself inside working hours, else the next start of working hours (as UTC)."""
    if is_working_time(when):
        return when.astimezone(UTC)
    local = when.astimezone(local_tz())
    day = local.date() if local.time() < START else local.date() + timedelta(days=1)
    while day.weekday() not in WORKDAYS:
        day += timedelta(days=1)
    return datetime.combine(day, START, tzinfo=local_tz()).astimezone(UTC)
