"""Times shown to people: the one configured time zone (``LINLI_TIMEZONE``, default
Asia/Shanghai). Stored times are UTC; everything a resident or staff member reads goes through
here."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

logger = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Asia/Shanghai"


@lru_cache(maxsize=1)
def local_tz() -> ZoneInfo:
    """The configured local time zone (read once from the settings; a bad name falls back to
    Asia/Shanghai with a warning)."""
    from core.config import CommonSettings  # settings are built on first use, never at import

    name = CommonSettings().timezone or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        logger.warning("unknown time zone %r, using %s", name, DEFAULT_TIMEZONE)
        return ZoneInfo(DEFAULT_TIMEZONE)


def parse(value: str | datetime | None) -> datetime | None:
    """An ISO time (or datetime) as an aware datetime; naive values are UTC; junk is None."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def to_local(when: str | datetime | None) -> datetime | None:
    """``when`` in local time (naive datetimes and ISO strings without an offset are UTC)."""
    parsed = parse(when)
    return parsed.astimezone(local_tz()) if parsed else None


def format_local(when: str | datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """``when`` formatted in local time; empty for nothing."""
    local = to_local(when)
    return local.strftime(fmt) if local else ""


EARLIEST_PROMISE_HOUR = 8
"""A deadline in the small hours is promised for this hour that morning."""


def promised(when: str | datetime | None) -> datetime | None:
    """A case's deadline as it is promised to a resident, in local time.

    Rounded up to the half hour (15:10 → 15:30, 4:48 → 5:00: "48分" is no way to promise), and one
    before 7:00 moved to 8:00 that morning: "凌晨4点48分前办好" (the 24-hour clock of an urgent
    case) reads oddly to an elderly resident and nobody calls at that hour. Both only ever promise
    later than the real deadline, which staff keep and are held to.
    """
    local = to_local(when)
    if local is None:
        return None
    past_half = (local.minute % 30) * 60 + local.second + local.microsecond / 1e6
    if past_half:
        local = local + timedelta(seconds=30 * 60 - past_half)
        local = local.replace(second=0, microsecond=0)
    if local.hour < 7:
        local = local.replace(hour=EARLIEST_PROMISE_HOUR, minute=0)
    return local


def spoken_local(when: str | datetime | None) -> str:
    """``when`` the way people say it, in local time: "12月11日上午8点52分", "12月7日下午3点";
    empty for nothing. For replies that are read aloud (a string like 2026-12-11 08:52 is not)."""
    local = to_local(when)
    if local is None:
        return ""
    hour = local.hour
    part = (
        "凌晨" if hour < 6 else "上午" if hour < 12 else "中午" if hour < 13
        else "下午" if hour < 18 else "晚上"
    )  # fmt: skip
    shown = hour - 12 if hour > 12 else hour
    minutes = f"{local.minute}分" if local.minute else ""
    return f"{local.month}月{local.day}日{part}{shown}点{minutes}"


def shown_local(when: str | datetime | None, *, year: bool = False) -> str:
    """``when`` written the way people read it, in local time: "12月4日 11:56" (with ``year``:
    "2026年12月4日 11:56", for a slip kept for a while); empty for nothing. For times a resident
    reads (a case's history, its deadline), where "12-04 11:56" or UTC would mislead."""
    local = to_local(when)
    if local is None:
        return ""
    day = f"{local.month}月{local.day}日 {local:%H:%M}"
    return f"{local.year}年{day}" if year else day
