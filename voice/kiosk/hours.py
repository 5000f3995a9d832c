"""An honest sentence about when staff will get back to a resident who asked for a person.

The hours are the case system's own (``cases/workhours.py``: Monday to Saturday 8:30–17:30, the
hours its call-back deadlines land in) in the one local time zone (``core/localtime.py``,
Asia/Shanghai by default), so what the kiosk promises is what the staff's queue will show.
Public holidays are not in that table: the sentence says so.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cases.workhours import END, is_working_time, next_working_time
from core.localtime import to_local

WEEKDAYS = "一二三四五六日"
SOON_MINUTES = 30
"""Closing within this many minutes: the call-back may well be the next working day."""


def local(now: datetime) -> datetime:
    """``now`` in local time (naive datetimes are taken as UTC)."""
    converted = to_local(now)
    assert converted is not None
    return converted


def open_until(now: datetime) -> datetime | None:
    """When today's working hours end, or None when staff are not at work now."""
    if not is_working_time(now):
        return None
    here = local(now)
    return here.replace(hour=END.hour, minute=END.minute, second=0, microsecond=0)


def next_opening(now: datetime) -> datetime:
    """The next start of working hours after ``now`` (local time)."""
    later = local(now)
    if is_working_time(later):  # skip to the end of today's hours
        later = open_until(later) + timedelta(minutes=1)  # type: ignore[operator]
    return local(next_working_time(later))


def clock_text(t: datetime) -> str:
    """ "上午8点半" / "下午1点半" / "上午9点"."""
    hour, minute = t.hour, t.minute
    part = "上午" if hour < 12 else ("中午" if hour == 12 else "下午")
    shown = hour if hour <= 12 else hour - 12
    tail = "" if minute == 0 else ("半" if minute == 30 else f"{minute}分")
    return f"{part}{shown}点{tail}"


def day_text(t: datetime, now: datetime) -> str:
    """ "今天" / "明天" / "周一" relative to ``now`` (a weekday is clearer than 后天)."""
    delta = (local(t).date() - local(now).date()).days
    if delta == 0:
        return "今天"
    if delta == 1:
        return "明天"
    return "周" + WEEKDAYS[local(t).weekday()]


def when_text(t: datetime, now: datetime) -> str:
    """ "明天上午8点半"."""
    return day_text(t, now) + clock_text(local(t))


def callback_promise(now: datetime, *, phone_tail: str | None, waiting_here: bool) -> str:
    """What to tell a resident about when staff will get back to them — never more than is true.

    Args:
        now: The current time (any timezone).
        phone_tail: The last 4 digits of the phone left, or None.
        waiting_here: The resident waits at the kiosk.
    """
    until = open_until(now)
    opening = when_text(next_opening(now), now)
    tail = f"（尾号{phone_tail}）" if phone_tail else ""
    if until is not None and until - local(now) > timedelta(minutes=SOON_MINUTES):
        if waiting_here:
            return "现在是上班时间，工作人员会尽快过来找您，请在自助机旁稍等。"
        return f"现在是上班时间，工作人员会尽快打电话给您，请留意尾号{phone_tail}的来电。"
    if until is not None:  # closing soon
        if waiting_here:
            return f"快下班了，工作人员尽量过来。来不及的话，请{opening}再来，也可以留个电话。"
        return f"快下班了。今天来不及的话，工作人员{opening}上班后会打电话给您{tail}。"
    off = "现在还没上班" if day_text(next_opening(now), now) == "今天" else "现在是下班时间"
    if waiting_here:
        return (f"{off}，服务中心没有工作人员。可以{opening}上班后再来，"
                "也可以留个电话，工作人员上班后打给您。")  # fmt: skip
    return f"{off}。工作人员{opening}上班后会打电话给您{tail}。遇到节假日会顺延。"
