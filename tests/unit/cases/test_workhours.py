"""Non-urgent deadlines and call-backs land in working hours (issue 14 item 4); urgent work
and emergencies keep their 24-hour clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cases.config import CasesSettings
from cases.sla import due_at
from cases.workhours import is_working_time, next_working_time
from core.contracts import CaseType, Urgency
from core.localtime import to_local

SETTINGS = CasesSettings(_env_file=None)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _local(day: int, hour: int, minute: int = 0) -> datetime:
    """December 2026 (the 3rd is a Thursday) in Shanghai time, as UTC."""
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.mark.parametrize(
    ("when", "working"),
    [
        (_local(3, 10), True),   # Thursday morning
        (_local(3, 8, 29), False),
        (_local(3, 17, 30), True),
        (_local(3, 20, 34), False),
        (_local(5, 10), True),   # Saturday
        (_local(6, 10), False),  # Sunday
    ],
)  # fmt: skip
def test_working_time(when: datetime, working: bool) -> None:
    assert is_working_time(when) is working


def test_next_working_time() -> None:
    assert to_local(next_working_time(_local(3, 4, 33))).strftime("%d %H:%M") == "03 08:30"
    assert to_local(next_working_time(_local(3, 20, 34))).strftime("%d %H:%M") == "04 08:30"
    assert to_local(next_working_time(_local(5, 18))).strftime("%d %H:%M") == "07 08:30"
    assert next_working_time(_local(3, 10)) == _local(3, 10)


def test_evening_hand_off_is_called_back_next_morning_not_at_night() -> None:
    due = due_at(SETTINGS, now=_local(3, 20, 33), case_type=CaseType.CALLBACK, category=None,
                 urgency=Urgency.NORMAL)  # fmt: skip
    local = to_local(due)
    assert is_working_time(due)
    assert (local.day, local.hour, local.minute) == (4, 8, 30)


def test_non_urgent_report_deadline_lands_in_working_hours() -> None:
    for hour in range(24):
        now = _local(3, 0) + timedelta(hours=hour)
        due = due_at(SETTINGS, now=now, case_type=CaseType.REPORT, category="corridor_light",
                     urgency=Urgency.NORMAL)  # fmt: skip
        assert is_working_time(due), (now, due)
        assert due >= now + timedelta(hours=24)


def test_urgent_and_emergency_keep_round_the_clock_deadlines() -> None:
    night = _local(3, 22)
    urgent = due_at(SETTINGS, now=night, case_type=CaseType.REPORT, category="elevator",
                    urgency=Urgency.URGENT)  # fmt: skip
    assert urgent - night == timedelta(hours=4)
    emergency = due_at(SETTINGS, now=night, case_type=CaseType.EMERGENCY, category=None,
                       urgency=Urgency.EMERGENCY)  # fmt: skip
    assert emergency - night == timedelta(hours=1)
