"""Times shown to people are local (issue 14 item 4): one setting, default Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, datetime

from core.config import CommonSettings
from core.localtime import format_local, local_tz, to_local


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
