"""Case numbers read aloud: only the tail ("编号尾号零零九八"), digit by digit. Elders need the
tail to find their case again (查进度 takes the last 4 digits); the whole "BS-20261203-0098" read
out is a string of letters and dates nobody keeps. The screen, the slip and the chat text keep the
whole number. Used by every channel that speaks (the kiosk, Telegram's 长辈模式)."""

from __future__ import annotations

import re

CASE_NO = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2})-(\d{8})-(\d{4})(?!\d)")
"""A case number as the case system writes it, e.g. ``BS-20261203-0098``."""

_DIGITS = "零一二三四五六七八九"
_SAID_CASE_NO = re.compile(
    r"(?:(?:编号|工单号)[是为：:\s]*)?(?<![A-Za-z0-9])[A-Z]{2}-\d{8}-(\d{4})(?!\d)"
)
_TAIL_HINT = re.compile(r"\s*（尾号[\s\d]+）")
""""（尾号 0 0 4 2）" written after a number for those who read; the spoken tail replaces it."""


def digits_zh(digits: str) -> str:
    """ "0042" → "零零四二" (digit by digit, as people read numbers)."""
    return "".join(_DIGITS[int(d)] if d.isdigit() else d for d in digits)


def spoken_tail(case_no: str) -> str:
    """ "BS-20261203-0098" → "编号尾号零零九八" (``case_no`` unchanged when it is no number)."""
    m = CASE_NO.search(case_no)
    return f"编号尾号{digits_zh(m.group(3))}" if m else case_no


def say_case_numbers(text: str) -> str:
    """``text`` to be spoken with every case number said by its tail: "您的报事编号是
    BS-20261203-0098（尾号 0 0 9 8）。" → "您的报事编号尾号零零九八。"."""
    text = _TAIL_HINT.sub("", text)
    return _SAID_CASE_NO.sub(lambda m: f"编号尾号{digits_zh(m.group(1))}", text)
