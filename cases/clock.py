"""Clocks: the real one and a controllable one for lifecycle tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

from core.localtime import local_tz


class Clock(Protocol):
    """Something that tells the time (always timezone-aware UTC)."""

    def now(self) -> datetime:
        """The current time, timezone-aware, UTC."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        """The current time, timezone-aware, UTC."""
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to (tests, simulations)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = (start or datetime(2026, 11, 21, 2, 0, tzinfo=UTC)).astimezone(UTC)

    def now(self) -> datetime:
        """The current (frozen) time."""
        return self._now

    def advance(self, *, hours: float = 0, days: float = 0, minutes: float = 0) -> datetime:
        """Move the clock forward and return the new time."""
        self._now += timedelta(hours=hours, days=days, minutes=minutes)
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to a given time."""
        self._now = when.astimezone(UTC)


def local_day(when: datetime) -> str:
    """The local calendar day of a UTC time, as YYYYMMDD."""
    return when.astimezone(local_tz()).strftime("%Y%m%d")


def week_start(when: datetime) -> datetime:
    """Monday 00:00 local time of the week containing ``when``, as UTC."""
    local = when.astimezone(local_tz())
    monday = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return monday.astimezone(UTC)
