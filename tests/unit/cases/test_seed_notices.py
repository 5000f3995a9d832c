"""The demo notices are dated from the install, so nothing stale shows on a fresh one (issue 13:
a 停水 notice for "11月25日" showed on the kiosk's welcome screen in December)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cases.seed import seed_notices
from core.localtime import to_local


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 12, 4, 3, 0, tzinfo=UTC),  # Friday 11:00 in Shanghai
        datetime(2027, 2, 27, 17, 30, tzinfo=UTC),  # Sunday 01:30 in Shanghai, end of February
    ],
)
def test_the_water_notice_is_dated_from_now_and_ends(now: datetime) -> None:
    notices = {n.title: n for n in seed_notices(now)}
    water = notices["停水通知"]
    day = (to_local(now) + timedelta(days=2)).date()  # type: ignore[operator]
    weekday = "一二三四五六日"[day.weekday()]
    assert water.body.startswith(f"{day.month}月{day.day}日（周{weekday}）上午9点到下午3点")
    assert "11月25日" not in water.body or (day.month, day.day) == (11, 25)
    assert water.expires_at is not None and water.expires_at > now
    ends = to_local(water.expires_at)
    assert ends is not None and ends.date() == day and (ends.hour, ends.minute) == (15, 0)
    assert all(n.published_at == now for n in notices.values())
    # nothing else names a time that goes stale
    assert "本月" not in notices["高龄津贴集中办理"].body
    assert notices["高龄津贴集中办理"].expires_at is None
