"""Times shown to people are local (issue 14 item 4): one setting, default Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.config import CommonSettings
from core.localtime import format_local, local_tz, promised, to_local


def test_default_timezone_is_shanghai() -> None:
    assert CommonSettings().timezone == "Asia/Shanghai"
    assert str(local_tz()) == "Asia/Shanghai"


def test_utc_is_shown_in_local_time() -> None:
    assert format_local(datetime(2026, 12, 3, 12, 34, tzinfo=UTC)) == "2026-12-03 20:34"
    assert format_local("2026-12-03T12:34:00Z") == "2026-12-03 20:34"
    assert format_local("2026-12-03T12:34:00") == "2026-12-03 20:34"  # naive = UTC
    assert format_local("2026-12-03T20:34:00+08:00", "%H:%M") == "20:34"
    assert to_local(datetime(2026, 12, 3, 17, 0, tzinfo=UTC)).day == 4


def test_nothing_and_junk_show_nothing() -> None:
    assert format_local(None) == ""
    assert format_local("") == ""
    assert format_local("not a time") == ""


def test_shown_local_reads_as_people_read_a_date() -> None:
    from core.localtime import shown_local

    assert shown_local("2026-12-04T03:56:00Z") == "12月4日 11:56"
    assert shown_local(datetime(2026, 12, 3, 17, 5, tzinfo=UTC), year=True) == "2026年12月4日 01:05"
    assert shown_local(None) == "" and shown_local("junk") == ""


@pytest.mark.parametrize(
    ("due_utc", "promised_local"),
    [
        ("2026-12-04T20:48:00Z", "2026-12-05 08:00"),  # 凌晨4点48分 → 早上8点
        ("2026-12-04T07:10:00Z", "2026-12-04 15:30"),  # up to the half hour
        ("2026-12-04T07:00:00Z", "2026-12-04 15:00"),  # on the hour: as it is
        ("2026-12-04T07:30:05Z", "2026-12-04 16:00"),
        ("2026-12-04T14:30:00Z", "2026-12-04 22:30"),  # the evening stays
    ],
)
def test_a_deadline_is_promised_at_a_time_people_say(due_utc: str, promised_local: str) -> None:
    promise = promised(due_utc)
    assert promise is not None and f"{promise:%Y-%m-%d %H:%M}" == promised_local
    assert promise >= datetime.fromisoformat(due_utc)  # never earlier than the real deadline
    assert promised(None) is None


def test_the_kiosk_promises_an_urgent_nights_deadline_for_the_morning() -> None:
    from voice.kiosk.status import case_view

    case = {
        "case_no": "BS-20261204-0007",
        "status": "dispatched",
        "status_label": "已派单",
        "category_label": "噪音扰民",
        "due_at": "2026-12-04T20:48:00Z",  # 12月5日凌晨4点48分, China time
        "created_at": "2026-12-04T04:48:00Z",
    }
    card, spoken = case_view({"case": case, "history": []})
    assert "预计12月5日上午8点前办好" in spoken, spoken
    assert "凌晨" not in spoken and "48分" not in spoken
    assert ["预计办好", "12月5日 08:00前"] in card["rows"]
