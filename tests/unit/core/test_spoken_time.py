"""Times said to residents (``core.localtime.spoken_local``): month, day, part of the day, hour."""

from __future__ import annotations

import pytest

from core.localtime import spoken_local


@pytest.mark.parametrize(
    ("utc", "said"),
    [
        ("2026-12-11T00:52:00Z", "12月11日上午8点52分"),
        ("2026-12-11T07:00:00Z", "12月11日下午3点"),
        ("2026-12-11T04:30:00Z", "12月11日中午12点30分"),
        ("2026-12-10T17:10:00Z", "12月11日凌晨1点10分"),
        ("2026-12-11T12:00:00+00:00", "12月11日晚上8点"),
        (None, ""),
    ],
)
def test_spoken_local(utc: str | None, said: str) -> None:
    assert spoken_local(utc) == said
