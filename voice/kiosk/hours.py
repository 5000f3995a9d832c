"""The service centre's working hours, and an honest sentence about when staff will call back.

Times are local (Asia/Shanghai). The hours are those the community's own FAQ gives residents
("社区服务中心几点开门"): Monday to Friday 8:30–12:00 and 13:30–17:30, Saturday 9:00–12:00,
closed on Sundays (and public holidays, which this table does not know: the sentence says so).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

Period = tuple[time, time]
HOURS: dict[int, tuple[Period, ...]] = {
    0: ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30))),
    1: ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30))),
    2: ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30))),
    3: ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30))),
    4: ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30))),
    5: ((time(9, 0), time(12, 0)),),
    6: (),
}
"""Weekday (Monday = 0) → opening periods."""

HOURS_TEXT = "周一到周五 8点半到12点、下午1点半到5点半，周六上午9点到12点"
WEEKDAYS = "一二三四五六日"
SOON_MINUTES = 30
"""Closing within this many minutes: a call-back may well be the next working period."""


def local(now: datetime) -> datetime:
    """``now`` in local time (naive datetimes are taken as UTC)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=ZoneInfo("UTC"))
    return now.astimezone(LOCAL_TZ)


def _at(day: datetime, t: time) -> datetime:
    return day.replace(hour=t.hour, minute=t.minute, second=0, microsecond=0)


def open_until(now: datetime) -> datetime | None:
    """The end of the working period ``now`` falls in, or None when the centre is closed."""
    now = local(now)
    for start, end in HOURS[now.weekday()]:
        if _at(now, start) <= now < _at(now, end):
            return _at(now, end)
    return None


def next_opening(now: datetime) -> datetime:
    """The start of the next working period strictly after ``now`` (local time)."""
    now = local(now)
    for offset in range(8):
        day = now + timedelta(days=offset)
        for start, _end in HOURS[day.weekday()]:
            begin = _at(day, start)
            if begin > now:
                return begin
    raise RuntimeError("no working hours configured")


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
    off = _off_text(now)
    if waiting_here:
        return (f"{off}，服务中心没有工作人员。可以{opening}上班后再来，"
                "也可以留个电话，工作人员上班后打给您。")  # fmt: skip
    return f"{off}。工作人员{opening}上班后会打电话给您{tail}。遇到节假日会顺延。"


def _off_text(now: datetime) -> str:
    """ "现在是午休时间" / "现在还没上班" / "现在是下班时间"."""
    now = local(now)
    if next_opening(now).date() == now.date():
        periods = HOURS[now.weekday()]
        before_first = bool(periods) and now < _at(now, periods[0][0])
        return "现在还没上班" if before_first else "现在是午休时间"
    return "现在是下班时间"
