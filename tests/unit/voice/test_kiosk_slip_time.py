"""The printed slip shows local time, not UTC (issue 14 item 4)."""

from __future__ import annotations

from voice.kiosk.app import _print_html


def test_slip_shows_the_time_in_shanghai() -> None:
    case = {"case_no": "BS-20261203-0007", "created_at": "2026-12-03T12:34:00Z",
            "category_label": "漏水", "status_label": "已受理"}  # fmt: skip
    page = _print_html(case, "AB2C-D3EF")
    assert "2026年12月3日 20:34" in page  # as people read a date, in China time
    assert "12:34" not in page
